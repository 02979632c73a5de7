import type { Command } from 'commander'
import { label } from '../../../../shared/labels'
import { getBatchView, listBatchViews, runBatch, summaryOf } from '../../../services/sync'
import { table } from '../output'
import { EXIT, exitState, intOption, withContext } from '../runtime'
import { printSummary, progressPrinter } from './sync'

export function registerBatchCommands(program: Command): void {
  const batch = program.command('batch').description('batches survive a crash: list, show, resume')

  batch
    .command('list')
    .option('--limit <n>', 'rows', '50')
    .option('--offset <n>', 'rows to skip', '0')
    .action(async (opts: { limit: string; offset: string }, cmd: Command) => {
      await withContext(cmd, (ctx, io) => {
        const page = listBatchViews(
          ctx,
          intOption(opts.limit, '--limit', 1, 1000),
          intOption(opts.offset, '--offset'),
        )
        if (io.json) return io.out(JSON.stringify(page))
        if (page.total === 0) return io.out('no batches yet')
        io.out(
          table(
            page.items.map((b) => ({
              ...b,
              progress: `${b.done}/${b.total}`,
              status: label('batchStatus', b.status, 'en-US'),
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
    await withContext(cmd, (ctx, io) => {
      const b = getBatchView(ctx, intOption(id, 'batch id', 1))
      if (io.json) return io.out(JSON.stringify(b))
      io.out(
        `batch ${b.id} "${b.name}": ${label('batchStatus', b.status, 'en-US')}, ${b.done}/${b.total} done ` +
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
      await withContext(cmd, async (ctx, io) => {
        const final = await runBatch(ctx, intOption(id, 'batch id', 1), progressPrinter(io))
        const summary = summaryOf(final)
        printSummary(io, summary)
        if (summary.errors > 0) exitState.code = EXIT.syncErrors
      })
    })
}
