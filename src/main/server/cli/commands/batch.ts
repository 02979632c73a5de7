import type { Command } from 'commander'
import type { BatchProgressEvent } from '../../../../shared/contract'
import { idSchema, pageOnly } from '../../../../shared/inputs'
import { label } from '../../../../shared/labels'
import { say } from '../../../../shared/messages'
import type { ServiceContext } from '../../../services/context'
import type { TeamDesk } from '../../../services/team-desk'
import { call, check, numberOption } from '../flags'
import { table, type Io } from '../output'
import { EXIT, exitState, teamAddressOf, withContext, withTeamDesk } from '../runtime'
import { printSummary, progressPrinter } from './sync'

const BATCH_ID = { id: 'the batch id' }
const PAGE = pageOnly.parse({})

export function registerBatchCommands(program: Command): void {
  const batch = program
    .command('batch')
    .description('batches survive a crash: list, show, resume, pause, cancel, release')

  batch
    .command('list')
    .option('--limit <n>', `rows (default ${PAGE.limit})`)
    .option('--offset <n>', 'rows to skip')
    .action(async (opts: { limit?: string; offset?: string }, cmd: Command) => {
      await onBooks(cmd, async (books, io) => {
        const request = check(
          pageOnly,
          { limit: numberOption(opts.limit), offset: numberOption(opts.offset) },
          {
            limit: {
              name: '--limit',
              above: (max) => `--limit is at most ${max} batches a page: page on with --offset`,
            },
            offset: '--offset',
          },
        )
        const page = books.team
          ? await (await teamBatches()).teamBatches(books.team, request.limit, request.offset)
          : await call(books.ctx, 'batches.list', request, {})
        if (io.json) return io.out(JSON.stringify(page))
        if (page.total === 0) return io.out('no batches yet')
        io.out(
          table(
            page.items.map((b) => ({
              ...b,
              progress: `${b.done}/${b.total}`,
              // Codes, as every other list prints them; times as Beijing wall clock, as they do too.
              createdAt: b.createdAt.slice(0, 19).replace('T', ' '),
              errors: b.counts.error,
              repaired: b.counts.repaired,
            })),
            [
              ['id', 'ID'],
              ['name', 'NAME'],
              ['status', 'STATUS'],
              ['progress', 'DONE'],
              ['repaired', 'REPAIRED'],
              ['errors', 'ERRORS'],
              ['createdAt', 'CREATED'],
            ],
          ),
        )
      })
    })

  batch.command('show <id>').action(async (id: string, _opts, cmd: Command) => {
    const request = check(idSchema, { id: numberOption(id) }, BATCH_ID)
    await onBooks(cmd, async (books, io) => {
      const b = books.team
        ? await (await teamBatches()).teamBatchView(books.team, request.id)
        : await call(books.ctx, 'batches.get', request, BATCH_ID)
      if (io.json) return io.out(JSON.stringify(b))
      io.out(
        `batch ${b.id} "${b.name}": ${b.status}, ${b.done}/${b.total} done ` +
          `(concurrency ${b.concurrency}, ${b.qps} qps)\n` +
          (b.pauseReason ? `  ${say(`batch.paused.${b.pauseReason}`)}\n` : '') +
          Object.entries(b.counts)
            .map(([k, n]) => `  ${k}: ${n}`)
            .join('\n') +
          (b.held ? `\n${heldLine(b.id, b.held)}` : ''),
      )
    })
  })

  batch
    .command('pause <id>')
    .description(
      'pause a batch that is not running in another process; its trades stay out of the schedules until it resumes',
    )
    .action(async (id: string, _opts, cmd: Command) => {
      const request = check(idSchema, { id: numberOption(id) }, BATCH_ID)
      await onBooks(cmd, async (books, io) => {
        const b = books.team
          ? await (await teamBatches()).stopTeamBatch(books.team, request.id, 'paused')
          : await call(books.ctx, 'batches.pause', request, BATCH_ID)
        if (io.json) return io.out(JSON.stringify(b))
        io.out(`batch ${b.id}: ${label('batchStatus', b.status, 'en-US')}, ${b.done}/${b.total} done`)
        if (b.held) io.out(heldLine(b.id, b.held))
      })
    })

  batch
    .command('cancel <id>')
    .description(
      'cancel a batch: nothing more of it is synced, by the batch or, unless told, by the schedules',
    )
    .option('--no-stop-schedule', "leave the batch's trades to the schedules (by default they stay out)")
    .action(async (id: string, opts: { stopSchedule: boolean }, cmd: Command) => {
      const request = check(idSchema, { id: numberOption(id) }, BATCH_ID)
      await onBooks(cmd, async (books, io) => {
        const b = books.team
          ? await (await teamBatches()).stopTeamBatch(books.team, request.id, 'cancelled', opts.stopSchedule)
          : await call(books.ctx, 'batches.cancel', { ...request, holdSchedule: opts.stopSchedule }, BATCH_ID)
        if (io.json) return io.out(JSON.stringify(b))
        io.out(`batch ${b.id}: ${label('batchStatus', b.status, 'en-US')}, ${b.done}/${b.total} done`)
        io.out(b.held ? heldLine(b.id, b.held) : 'its trades are left to the schedules')
      })
    })

  batch
    .command('release <id>')
    .description('put the trades a paused or cancelled batch keeps out of the schedules back in them')
    .action(async (id: string, _opts, cmd: Command) => {
      const request = check(idSchema, { id: numberOption(id) }, BATCH_ID)
      await onBooks(cmd, async (books, io) => {
        const r = books.team
          ? await (await teamBatches()).releaseTeamBatch(books.team, request.id)
          : await call(books.ctx, 'schedule.release', { batchId: request.id }, { batchId: BATCH_ID.id })
        if (io.json) return io.out(JSON.stringify(r))
        io.out(`${r.released} trades of batch ${numberOption(id)} are back in the schedules`)
      })
    })

  batch
    .command('resume <id>')
    .description('continue an interrupted batch; finished items are not synced again')
    .action(async (id: string, _opts, cmd: Command) => {
      const request = check(idSchema, { id: numberOption(id) }, BATCH_ID)
      await onBooks(cmd, async (books, io) => {
        // An ended batch has nothing left to ask the gateway: said, rather than a summary of nothing.
        const stored = books.team
          ? await (await teamBatches()).teamBatchView(books.team, request.id)
          : await call(books.ctx, 'batches.get', request, BATCH_ID)
        if (stored.status === 'done' || stored.status === 'cancelled') {
          const left = stored.total - stored.done
          return io.out(
            io.json
              ? JSON.stringify({ batchId: stored.id, status: stored.status, resumed: false })
              : stored.status === 'done'
                ? `batch ${stored.id} is done (${stored.done}/${stored.total}): nothing to resume`
                : `batch ${stored.id} was cancelled; its ${left} unsynced trade${left === 1 ? '' : 's'} stay unsynced: nothing to resume`,
          )
        }
        // In the foreground, with the progress line: the window's resume starts it in the background.
        // On a team database this desktop joins whichever others run it (docs/team-mode.md B8.10),
        // once the team key opens the merchants' secrets.
        const { runBatch, summaryOf } = await import('../../../services/sync')
        let final: BatchProgressEvent
        if (books.team) {
          await books.team.merchants.secretBox()
          final = await (
            await teamBatches()
          ).runTeamBatch(books.team, request.id, progressPrinter(io), {
            endWhenPaused: true,
          })
        } else final = await runBatch(books.ctx, request.id, progressPrinter(io), { endWhenPaused: true })
        const summary = summaryOf(final)
        if (summary.errors > 0) exitState.code = EXIT.syncErrors
        printSummary(io, summary)
      })
    })
}

type Books = { team: TeamDesk; ctx?: undefined } | { team?: undefined; ctx: ServiceContext }

const teamBatches = () => import('../../../services/team-batches')

/**
 * The books a batch command works: the database file, or a team database when --db or PAYSYNC_DB gives
 * a postgres:// address (docs/team-mode.md B8.10), where the batches of every desktop are.
 */
function onBooks(cmd: Command, fn: (books: Books, io: Io) => Promise<void>): Promise<void> {
  const address = teamAddressOf(cmd)
  if (address) return withTeamDesk(address, cmd, (team, io) => fn({ team }, io))
  return withContext(cmd, (ctx, io) => fn({ ctx }, io))
}

/** What a batch's hold means, said once for `show`, `pause` and `cancel`. */
function heldLine(id: number, held: number): string {
  return (
    `${held} of its trades stay out of the schedules until they are synced by hand, ` +
    `the batch resumes, or \`paysync batch release ${id}\``
  )
}
