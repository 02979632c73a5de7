import type { Command } from 'commander'
import { AppError } from '../../../../shared/errors'
import {
  anomalyFilterSchema,
  orderFilterSchema,
  recordFilterSchema,
  refundFilterSchema,
  repairFilterSchema,
} from '../../../../shared/filters'
import { exportCsv, type ExportRequest } from '../../../services/export'
import { intOption, withContext } from '../runtime'
import { addFilterOptions, parseFilter, type FilterOpts } from './filters'

const KINDS = ['records', 'orders', 'refunds', 'repairs', 'anomalies', 'batch'] as const

export function registerExportCommand(program: Command): void {
  addFilterOptions(
    program
      .command('export <what> [batchId]')
      .description(
        `write a CSV for accounting: ${KINDS.join(', ')} (batch takes its id; --problems for only the problem rows)`,
      )
      .requiredOption('--out <file>', 'the CSV file to write'),
    false,
  )
    .option('--kind <kind>', 'anomaly kind')
    .option('--way <way>', 'repair way')
    .option('--batch <id>', 'records of one batch')
    .option('--problems', 'with batch: only the items left as an anomaly or an error')
    .action(
      async (
        what: string,
        batchId: string | undefined,
        o: FilterOpts & { out: string; problems?: boolean },
        cmd: Command,
      ) => {
        if (!(KINDS as readonly string[]).includes(what))
          throw new AppError('invalid_input', `export what? one of ${KINDS.join(', ')}`)
        let req: ExportRequest
        switch (what as (typeof KINDS)[number]) {
          case 'records':
            req = { kind: 'records', file: o.out, filter: parseFilter(recordFilterSchema, o, false) }
            break
          case 'orders':
            req = { kind: 'orders', file: o.out, filter: parseFilter(orderFilterSchema, o, false) }
            break
          case 'refunds':
            req = { kind: 'refunds', file: o.out, filter: parseFilter(refundFilterSchema, o, false) }
            break
          case 'repairs':
            req = { kind: 'repairs', file: o.out, filter: parseFilter(repairFilterSchema, o, false) }
            break
          case 'anomalies':
            req = { kind: 'anomalies', file: o.out, filter: parseFilter(anomalyFilterSchema, o, false) }
            break
          case 'batch':
            if (!batchId)
              throw new AppError(
                'invalid_input',
                'export batch needs the batch id: paysync export batch ID --out FILE',
              )
            req = {
              kind: 'batch',
              file: o.out,
              batchId: intOption(batchId, 'batch id', 1),
              problemsOnly: !!o.problems,
            }
            break
        }
        await withContext(cmd, async (ctx, io) => {
          const r = await exportCsv(ctx, req)
          io.out(io.json ? JSON.stringify(r) : `wrote ${r.rows} rows to ${r.file}`)
        })
      },
    )
}
