import type { Command } from 'commander'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../../shared/errors'
import { EXPORT_KINDS } from '../../../../shared/inputs'
import type { LabelGroup } from '../../../../shared/labels'
import { call, numberOption, within } from '../flags'
import { withContext } from '../runtime'
import { addFilterOptions, FILTER_FLAGS, filterInput, type FilterOpts } from './filters'

// `paysync export`: the window's export, to a file named on the command line (docs/cli.md section 4).
// A file already there is replaced only with --force, as a save dialog asks before replacing one.

/** What `--status` names in each export. */
const STATUS_OF: Record<string, LabelGroup> = {
  records: 'gatewayStatus',
  orders: 'payStatus',
  refunds: 'refundStatus',
  anomalies: 'anomalyStatus',
}

export function registerExportCommand(program: Command): void {
  addFilterOptions(
    program
      .command('export <what> [id]')
      .description(
        `write a CSV for accounting: ${EXPORT_KINDS.join(', ')} (batch takes its id, --problems for only the problem rows; rejected takes an import's id: the rows it refused)`,
      )
      .requiredOption('--out <file>', 'the CSV file to write')
      .option('--force', 'replace the file if it exists'),
    false,
  )
    .option('--kind <kind>', 'anomaly kind')
    .option('--way <way>', 'repair way')
    .option('--batch <id>', 'records of one batch')
    .option('--hide-repeats', "records: leave out those that only repeat their trade's previous one")
    .option('--problems', 'with batch: only the items left as an anomaly or an error')
    .option('--total', 'end the file with a 合计 line: the row count and each amount column summed')
    .option('--statement <id>', 'with statement-diffs or statement-lines: the statement')
    .action(
      async (
        what: string,
        id: string | undefined,
        o: FilterOpts & {
          out: string
          problems?: boolean
          force?: boolean
          total?: boolean
          statement?: string
        },
        cmd: Command,
      ) => {
        await withContext(cmd, async (ctx, io) => {
          const out = path.resolve(o.out)
          if (!o.force && fs.lstatSync(out, { throwIfNoEntry: false }))
            throw new AppError('conflict', `${out} exists already: add --force to replace it`)
          // One input for every kind: each kind's schema keeps what is its own (the filter, or the batch).
          const input = {
            kind: what,
            file: ctx.handles.toWrite(out, { replace: !!o.force, source: 'shell' }).file,
            filter: filterInput(o, false, STATUS_OF[what]),
            batchId: what === 'batch' ? numberOption(id) : undefined,
            importId: what === 'rejected' ? numberOption(id) : undefined,
            problemsOnly: !!o.problems,
            total: !!o.total,
            statementId: numberOption(o.statement),
          }
          const r = await call(ctx, 'export.run', input, {
            kind: 'export <what>',
            file: '--out',
            batchId: 'the batch id (paysync export batch ID --out FILE)',
            importId: 'the import id (paysync export rejected ID --out FILE)',
            statementId: '--statement',
            ...within('filter', FILTER_FLAGS),
          })
          io.out(io.json ? JSON.stringify(r) : `wrote ${r.rows} rows to ${r.file}`)
        })
      },
    )
}
