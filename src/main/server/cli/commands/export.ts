import type { Command } from 'commander'
import { EXPORT_KINDS } from '../../../../shared/inputs'
import type { LabelGroup } from '../../../../shared/labels'
import { call, numberOption, within } from '../flags'
import { withContext } from '../runtime'
import { addFilterOptions, FILTER_FLAGS, filterInput, type FilterOpts } from './filters'

// `paysync export`: the window's export, to a file named on the command line (docs/cli.md section 4).

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
      .command('export <what> [batchId]')
      .description(
        `write a CSV for accounting: ${EXPORT_KINDS.join(', ')} (batch takes its id; --problems for only the problem rows)`,
      )
      .requiredOption('--out <file>', 'the CSV file to write'),
    false,
  )
    .option('--kind <kind>', 'anomaly kind')
    .option('--way <way>', 'repair way')
    .option('--batch <id>', 'records of one batch')
    .option('--hide-repeats', "records: leave out those that only repeat their trade's previous one")
    .option('--problems', 'with batch: only the items left as an anomaly or an error')
    .option('--total', 'end the file with a 合计 line: the row count and each amount column summed')
    .action(
      async (
        what: string,
        batchId: string | undefined,
        o: FilterOpts & { out: string; problems?: boolean; total?: boolean },
        cmd: Command,
      ) => {
        await withContext(cmd, async (ctx, io) => {
          // One input for every kind: each kind's schema keeps what is its own (the filter, or the batch).
          const input = {
            kind: what,
            file: o.out,
            filter: filterInput(o, false, STATUS_OF[what]),
            batchId: numberOption(batchId),
            problemsOnly: !!o.problems,
            total: !!o.total,
          }
          const r = await call(ctx, 'export.run', input, {
            kind: 'export <what>',
            file: '--out',
            batchId: 'the batch id (paysync export batch ID --out FILE)',
            ...within('filter', FILTER_FLAGS),
          })
          io.out(io.json ? JSON.stringify(r) : `wrote ${r.rows} rows to ${r.file}`)
        })
      },
    )
}
