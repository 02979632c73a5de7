import type { Command } from 'commander'
import fs from 'node:fs'
import type { ImportSummary } from '../../../../shared/domain'
import { AppError } from '../../../../shared/errors'
import { jsonFault } from '../../json-position'
import { call, type Flags } from '../flags'
import type { Io } from '../output'
import { withContext } from '../runtime'

export interface ImportOpts {
  type?: string
  merchant?: string
  mapping?: string
}

/** The options an import takes, by the field of `imports.run` each fills. */
export const IMPORT_FLAGS: Flags = { type: '--type', merchant: '--merchant', mapping: '--mapping' }

/** A saved column mapping as the file holds it; the contract checks it with the rest of the input. */
export function readMapping(file: string | undefined): unknown {
  if (!file) return undefined
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')
  } catch (err) {
    throw new AppError('unreadable_file', `cannot read the column mapping ${file}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new AppError(
      'unreadable_file',
      `the column mapping ${file} is not valid JSON at ${jsonFault(text)}`,
    )
  }
}

export function printImport(io: Io, s: ImportSummary): void {
  if (io.json) return
  io.out(
    `imported ${s.file} (${s.encoding}, ${s.type === 'pay' ? 'pay orders' : 'refunds'}): ${s.rows} rows, ` +
      `${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.rejected} rejected`,
  )
  for (const e of s.errors) io.out(`  line ${e.line}${e.column ? `, column ${e.column}` : ''}: ${e.reason}`)
  if (s.rejected > s.errors.length)
    io.out(`  … and ${s.rejected - s.errors.length} more rejected rows (import ${s.importId})`)
}

export function registerImportCommand(program: Command): void {
  program
    .command('import <file>')
    .description(
      'import an order or refund list (CSV or XLSX); bad rows are reported by line, good rows go in',
    )
    .option('--type <type>', 'pay or refund', 'pay')
    .option('--merchant <name>', 'merchant profile for every row of the file')
    .option('--mapping <file>', 'saved column mapping (JSON)')
    .action(async (file: string, opts: ImportOpts, cmd: Command) => {
      await withContext(cmd, async (ctx, io) => {
        // The path typed in the person's own shell, as the window's open dialog would hand it over.
        const chosen = ctx.handles.namedToRead(file)
        const input = {
          file: chosen.file,
          type: opts.type,
          merchant: opts.merchant,
          mapping: readMapping(opts.mapping),
        }
        const summary = await call(ctx, 'imports.run', input, { ...IMPORT_FLAGS, file: 'the file' })
        if (io.json) io.out(JSON.stringify(summary))
        else printImport(io, summary)
      })
    })
}
