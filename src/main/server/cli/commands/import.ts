import type { Command } from 'commander'
import fs from 'node:fs'
import path from 'node:path'
import type { ImportSummary } from '../../../../shared/import-report'
import { AppError } from '../../../../shared/errors'
import { importRunSchema } from '../../../../shared/inputs'
import { jsonFault } from '../../json-position'
import { check, type Flags } from '../flags'
import type { Io } from '../output'
import { teamAddressOf, withContext, withTeamDesk } from '../runtime'

export interface ImportOpts {
  type?: string
  merchant?: string
  mapping?: string
  amountUnit?: string
  rejectedOut?: string
}

/** The options an import takes, by the field of `imports.run` each fills. */
export const IMPORT_FLAGS: Flags = {
  type: '--type',
  merchant: '--merchant',
  mapping: '--mapping',
  amountUnit: '--amount-unit',
}

/** The options of an import, for `import` and `sync --file` alike. */
export function addImportOptions(command: Command, prefix = ''): Command {
  return command
    .option('--type <type>', `${prefix}pay or refund`, 'pay')
    .option(
      '--merchant <name>',
      `${prefix}merchant profile for every row (the file's merchant column is not read)`,
    )
    .option('--mapping <file>', `${prefix}saved column mapping (JSON)`)
    .option(
      '--amount-unit <unit>',
      `${prefix}yuan or fen: the unit of the amount columns whose header does not say (100 is ¥100.00 or ¥1.00)`,
    )
    .option('--rejected-out <file>', `${prefix}write the refused rows to this CSV, to fix and import again`)
}

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

export function printImport(io: Io, s: ImportSummary, rejectedOut?: string): void {
  if (io.json) return
  const also = [
    s.duplicates && `${s.duplicates} repeated`,
    s.conflicts && `${s.conflicts} in conflict`,
    s.skipped && `${s.skipped} skipped`,
  ].filter(Boolean)
  io.out(
    `imported ${s.file} (${s.encoding}, ${s.type === 'pay' ? 'pay orders' : 'refunds'}): ${s.rows} rows, ` +
      `${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${also.length ? `${also.join(', ')}, ` : ''}` +
      `${s.rejected} rejected`,
  )
  if (s.headerLine > 1) io.out(`  the header is on line ${s.headerLine}`)
  for (const c of s.amountColumns)
    if (c.from === 'values' || c.from === 'header') io.out(`  column ${c.header}: read in ${c.unit}`)
  if (s.merchantColumnIgnored.length)
    io.out(
      `  the file's merchant column (${s.merchantColumnIgnored.join(', ')}) was not read: --merchant applies`,
    )
  for (const e of s.errors) io.out(`  line ${e.line}${e.column ? `, column ${e.column}` : ''}: ${e.reason}`)
  if (s.rejected > s.errors.length)
    io.out(`  … and ${s.rejected - s.errors.length} more rejected rows (import ${s.importId})`)
  for (const n of s.notes)
    io.out(
      `  line ${n.line}${n.column ? `, column ${n.column}` : ''}: ${n.kind === 'warning' ? 'warning: ' : ''}${n.reason}`,
    )
  if (rejectedOut && s.rejected) io.out(`  the ${s.rejected} rejected rows are in ${rejectedOut}`)
}

/** `import --db postgres://…`: an order or refund list into the team database (docs/team-mode.md B8.11). */
async function importOnTeam(address: string, cmd: Command, file: string, opts: ImportOpts): Promise<void> {
  const request = check(
    importRunSchema.omit({ file: true }),
    {
      type: opts.type,
      merchant: opts.merchant,
      mapping: readMapping(opts.mapping),
      amountUnit: opts.amountUnit,
    },
    IMPORT_FLAGS,
  )
  await withTeamDesk(address, cmd, async (desk, io) => {
    const { runTeamImport } = await import('../../../services/team-imports')
    const summary = await runTeamImport(desk, {
      ...request,
      file: path.resolve(file),
      rejectedOut: opts.rejectedOut,
    })
    if (io.json) io.out(JSON.stringify(summary))
    else printImport(io, summary, opts.rejectedOut)
  })
}

export function registerImportCommand(program: Command): void {
  const command = program
    .command('import <file>')
    .description(
      'import an order or refund list (CSV or XLSX); bad rows are reported by line, good rows go in',
    )
  addImportOptions(command).action(async (file: string, opts: ImportOpts, cmd: Command) => {
    const address = teamAddressOf(cmd)
    if (address) return importOnTeam(address, cmd, file, opts)
    await withContext(cmd, async (ctx, io) => {
      // The path typed in the person's own shell, as the window's open dialog would hand it over.
      const chosen = ctx.handles.namedToRead(file)
      const request = check(
        importRunSchema,
        {
          file: chosen.file,
          type: opts.type,
          merchant: opts.merchant,
          mapping: readMapping(opts.mapping),
          amountUnit: opts.amountUnit,
        },
        { ...IMPORT_FLAGS, file: 'the file' },
      )
      const { importChosen } = await import('../../../services/import-chosen')
      const summary = await importChosen(ctx, request, 'caller', { rejectedOut: opts.rejectedOut })
      if (io.json) io.out(JSON.stringify(summary))
      else printImport(io, summary, opts.rejectedOut)
    })
  })
}
