import type { Command } from 'commander'
import fs from 'node:fs'
import type { ImportSummary, TradeType } from '../../../../shared/domain'
import { AppError } from '../../../../shared/errors'
import type { ServiceContext } from '../../../services/context'
import { parseMapping, runImport } from '../../../services/imports'
import type { Io } from '../output'
import { withContext } from '../runtime'

export interface ImportOpts {
  type?: string
  merchant?: string
  mapping?: string
}

export function importType(v: string | undefined): TradeType {
  if (v === undefined || v === 'pay') return 'pay'
  if (v === 'refund') return 'refund'
  throw new AppError('invalid_input', `--type must be pay or refund, not "${v}"`)
}

export function readMapping(file: string | undefined) {
  if (!file) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new AppError('unreadable_file', `cannot read the column mapping ${file}: ${(err as Error).message}`)
  }
  return parseMapping(raw)
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

export async function importWith(
  ctx: ServiceContext,
  file: string,
  opts: ImportOpts,
  onTrade?: (type: TradeType, id: number) => void,
) {
  return runImport(ctx, {
    file,
    type: importType(opts.type),
    merchant: opts.merchant,
    mapping: readMapping(opts.mapping),
    onTrade,
  })
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
        const summary = await importWith(ctx, file, opts)
        if (io.json) io.out(JSON.stringify(summary))
        else printImport(io, summary)
      })
    })
}
