import type { Command } from 'commander'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../../shared/errors'
import { EXPORT_KINDS, exportSchema } from '../../../../shared/inputs'
import type { LabelGroup } from '../../../../shared/labels'
import { call, check, numberOption, within } from '../flags'
import type { Io } from '../output'
import { teamAddressOf, withContext, withTeamBooks } from '../runtime'
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

/** The input's fields by the flags that fill them, for a refusal in the command's terms. */
const FLAGS = {
  kind: 'export <what>',
  file: '--out',
  batchId: 'the batch id (paysync export batch ID --out FILE)',
  importId: 'the import id (paysync export rejected ID --out FILE)',
  statementId: '--statement',
  ...within('filter', FILTER_FLAGS),
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
        const out = path.resolve(o.out)
        if (!o.force && fs.lstatSync(out, { throwIfNoEntry: false }))
          throw new AppError('conflict', `${out} exists already: add --force to replace it`)
        // One input for every kind: each kind's schema keeps what is its own (the filter, or the batch).
        const input = (file: string | undefined) => ({
          kind: what,
          file,
          filter: filterInput(o, false, STATUS_OF[what]),
          batchId: what === 'batch' ? numberOption(id) : undefined,
          importId: what === 'rejected' ? numberOption(id) : undefined,
          problemsOnly: !!o.problems,
          total: !!o.total,
          statementId: numberOption(o.statement),
        })
        const said = (io: Io, r: { rows: number; file: string }) =>
          io.out(io.json ? JSON.stringify(r) : `wrote ${r.rows} rows to ${r.file}`)
        const team = teamAddressOf(cmd)
        if (team) {
          // A team database's lists, read through a cursor (docs/team-mode.md B8.6), and an import's
          // refused rows.
          const [{ exportFromTeam, teamExport }, { systemUser }] = await Promise.all([
            import('../../../services/team-export'),
            import('../../../services/context'),
          ])
          const req = check(exportSchema, input(undefined), FLAGS)
          const operator = process.env.PAYSYNC_OPERATOR || systemUser()
          const actor = { operator, systemUser: systemUser(), transport: 'cli' as const }
          if (req.kind === 'rejected' && req.importId !== undefined) {
            // The rows an import kept there, as the window's export writes them (B8.18, B8.21).
            if (path.extname(out).toLowerCase() !== '.csv')
              throw AppError.say('invalid_input', 'export.csvName')
            const { keptRejectedOnTeam } = await import('../../../services/team-import-ops')
            await withTeamBooks(team, cmd, async (books, io) =>
              said(io, await keptRejectedOnTeam(books.exec, actor, req.importId!, out)),
            )
            return
          }
          // Refused before connecting: a kind the team database does not export, a name not .csv.
          const job = teamExport(req, out)
          await withTeamBooks(team, cmd, async (books, io) =>
            said(io, await exportFromTeam(books, job, { replace: !!o.force, actor })),
          )
          return
        }
        await withContext(cmd, async (ctx, io) => {
          const file = ctx.handles.toWrite(out, { replace: !!o.force, source: 'shell' }).file
          said(io, await call(ctx, 'export.run', input(file), FLAGS))
        })
      },
    )
}
