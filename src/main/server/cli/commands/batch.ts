import type { Command } from 'commander'
import { idSchema, pageOnly } from '../../../../shared/inputs'
import { runBatch, summaryOf } from '../../../services/sync'
import { call, check, numberOption } from '../flags'
import { table } from '../output'
import { EXIT, exitState, withContext } from '../runtime'
import { printSummary, progressPrinter } from './sync'

const BATCH_ID = { id: 'the batch id' }
const PAGE = pageOnly.parse({})

export function registerBatchCommands(program: Command): void {
  const batch = program.command('batch').description('batches survive a crash: list, show, resume')

  batch
    .command('list')
    .option('--limit <n>', `rows (default ${PAGE.limit})`)
    .option('--offset <n>', 'rows to skip')
    .action(async (opts: { limit?: string; offset?: string }, cmd: Command) => {
      await withContext(cmd, async (ctx, io) => {
        const page = await call(
          ctx,
          'batches.list',
          { limit: numberOption(opts.limit), offset: numberOption(opts.offset) },
          {
            limit: {
              name: '--limit',
              above: (max) => `--limit is at most ${max} batches a page: page on with --offset`,
            },
            offset: '--offset',
          },
        )
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
    await withContext(cmd, async (ctx, io) => {
      const b = await call(ctx, 'batches.get', { id: numberOption(id) }, BATCH_ID)
      if (io.json) return io.out(JSON.stringify(b))
      io.out(
        `batch ${b.id} "${b.name}": ${b.status}, ${b.done}/${b.total} done ` +
          `(concurrency ${b.concurrency}, ${b.qps} qps)\n` +
          Object.entries(b.counts)
            .map(([k, n]) => `  ${k}: ${n}`)
            .join('\n'),
      )
    })
  })

  batch
    .command('resume <id>')
    .description('continue an interrupted batch; finished items are not synced again')
    .action(async (id: string, _opts, cmd: Command) => {
      const request = check(idSchema, { id: numberOption(id) }, BATCH_ID)
      await withContext(cmd, async (ctx, io) => {
        // An ended batch has nothing left to ask the gateway: said, rather than a summary of nothing.
        const stored = await call(ctx, 'batches.get', request, BATCH_ID)
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
        const final = await runBatch(ctx, request.id, progressPrinter(io))
        const summary = summaryOf(final)
        printSummary(io, summary)
        if (summary.errors > 0) exitState.code = EXIT.syncErrors
      })
    })
}
