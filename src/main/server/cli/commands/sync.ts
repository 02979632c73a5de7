import path from 'node:path'
import type { Command } from 'commander'
import type { BatchProgressEvent } from '../../../../shared/contract'
import type { SyncSource } from '../../../../shared/domain'
import type { SyncSummary } from '../../../../shared/views'
import { AppError } from '../../../../shared/errors'
import { batchPaceSchema, importRunSchema } from '../../../../shared/inputs'
import { say } from '../../../../shared/messages'
import type { ServiceContext } from '../../../services/context'
import type { TeamDesk } from '../../../services/team-desk'
import type { TradeRef } from '../../../services/trade-refs'
import { check, numberOption } from '../flags'
import { counted, type Io } from '../output'
import { EXIT, exitState, teamAddressOf, withContext, withTeamDesk } from '../runtime'
import { addImportOptions, IMPORT_FLAGS, printImport, readMapping, type ImportOpts } from './import'

// `paysync sync`: the trades named now, or a batch in the foreground with a progress line. The
// batches are the window's (services/batches.ts, services/imports.ts); only the running differs.

interface SyncOpts extends ImportOpts {
  order: string[]
  refund: string[]
  pending?: boolean
  all?: boolean
  file?: string
  concurrency?: string
  qps?: string
  batchName?: string
}

const collect = (v: string, prev: string[]) => [...prev, v]

const PACE_FLAGS = { concurrency: '--concurrency', qps: '--qps' }

export function printSummary(io: Io, s: SyncSummary): void {
  if (s.pauseReason) {
    // On standard error, also with --json: a cron job's log shows why the run stopped short.
    const why = say(`batch.paused.${s.pauseReason}`)
    io.err(
      `paysync: batch ${s.batchId} ${why.charAt(0).toLowerCase()}${why.slice(1)} ` +
        `Then: paysync batch resume ${s.batchId}`,
    )
    exitState.code = EXIT.cannotRun
  }
  if (io.json) return io.out(JSON.stringify(s))
  io.out(
    `synced ${s.total} trade${s.total === 1 ? '' : 's'}${s.batchId ? ` (batch ${s.batchId})` : ''} in ${(s.durationMs / 1000).toFixed(1)} s: ` +
      `${s.consistent} consistent, ${s.repaired} repaired, ${counted(s.anomalies, 'anomaly', 'anomalies')}, ` +
      `${s.decided} decided before, ${s.waiting} waiting, ${counted(s.errors, 'error')}, ${s.skipped} skipped`,
  )
  const statuses = Object.entries(s.byGatewayStatus)
  if (statuses.length) io.out(`gateway said: ${statuses.map(([k, n]) => `${k} ${n}`).join(', ')}`)
  // docs/domain.md 6.3: the other worker asks the gateway and writes the record; nothing to do here.
  if (s.elsewhere > 0)
    io.out(
      `${s.elsewhere} of the skipped ${s.elsewhere === 1 ? 'was' : 'were'} being synced by another process ` +
        '(10007): its sync records what the gateway answers',
    )
}

/**
 * A progress line on a terminal, rewritten in place; nothing when output goes to a file. Once another
 * process runs the batch too (docs/team-mode.md B8.5), a line on standard error says so in any case:
 * the counts are then the whole batch's, and this process runs only its share.
 */
export function progressPrinter(io: Io): (p: BatchProgressEvent) => void {
  let joined = false
  const tty = !io.json && process.stderr.isTTY
  return (p) => {
    const others = (p.runners ?? 1) - 1
    if (others > 0 && !joined) {
      joined = true
      if (tty) process.stderr.write('\n')
      io.err(
        `batch ${p.batchId}: ${others === 1 ? 'another process runs' : `${others} other processes run`} ` +
          'part of it; this one takes its share of the items and of the QPS',
      )
    }
    if (!tty) return
    const eta = p.etaSeconds === null ? '' : `, ${p.etaSeconds} s left`
    const together = others > 0 ? `, ${others + 1} processes` : ''
    process.stderr.write(
      `\r${p.status}: ${p.done}/${p.total} (${p.counts.repaired} repaired, ${counted(p.counts.anomaly, 'anomaly', 'anomalies')}, ${counted(p.counts.error, 'error')}), ${p.rate}/s${eta}${together}   `,
    )
    if (p.status === 'done' || p.status === 'cancelled') process.stderr.write('\n')
  }
}

export async function runAsBatch(
  ctx: ServiceContext,
  io: Io,
  refs: TradeRef[],
  spec: {
    name?: string
    sourceFile?: string
    importId?: number
    source: SyncSource
    concurrency: number
    qps: number
  },
): Promise<SyncSummary> {
  const { createBatchOf, runBatch, summaryOf } = await import('../../../services/sync')
  const batchId = createBatchOf(ctx, refs, spec)
  const final = await runBatch(ctx, batchId, progressPrinter(io), { endWhenPaused: true })
  return summaryOf(final)
}

/** `--file`'s import as the import service takes it; the window names a file by its handle instead. */
function importRequest(opts: SyncOpts, pace?: { concurrency: number; qps: number }) {
  return check(
    importRunSchema.omit({ file: true }),
    {
      type: opts.type,
      merchant: opts.merchant,
      mapping: readMapping(opts.mapping),
      amountUnit: opts.amountUnit,
      sync: pace && { ...pace, name: opts.batchName },
    },
    { ...IMPORT_FLAGS, 'sync.name': '--batch-name' },
  )
}

async function syncFile(
  ctx: ServiceContext,
  io: Io,
  file: string,
  opts: SyncOpts,
  pace: { concurrency: number; qps: number },
): Promise<SyncSummary> {
  const request = importRequest(opts, pace)
  const [{ importAndSync }, { runBatch, summaryOf }] = await Promise.all([
    import('../../../services/imports'),
    import('../../../services/sync'),
  ])
  const imported = await importAndSync(ctx, { ...request, file }, 'caller', { rejectedOut: opts.rejectedOut })
  if (!io.json) printImport(io, imported, opts.rejectedOut)
  if (!imported.batchId) throw new AppError('invalid_input', `${file} names no trade that could be imported`)
  return summaryOf(await runBatch(ctx, imported.batchId, progressPrinter(io), { endWhenPaused: true }))
}

/**
 * `sync` on a team database (docs/team-mode.md B8.9, B8.10): the named trades, every trade as a stored
 * batch (`--all`), or the nightly pass over every pending one (one per team at a time, a stored batch
 * too), the engine writing there, each trade under its lease on the database's clock. `--file` imports
 * the list into the team database first, then syncs it as a stored batch (B8.11).
 */
async function syncOnTeam(
  address: string,
  cmd: Command,
  opts: SyncOpts,
  given: { concurrency?: number; qps?: number },
): Promise<void> {
  const named = opts.order.length > 0 || opts.refund.length > 0
  if (!named && !opts.pending && !opts.all && !opts.file)
    throw new AppError(
      'invalid_input',
      'say what to sync: --order NO, --refund NO, --pending, --all or --file FILE',
    )
  // The flags checked before the database is opened; the pace is the team's unless given.
  const request = opts.file ? importRequest(opts) : null
  await withTeamDesk(address, cmd, async (desk, io) => {
    // The team key first: without it every trade would be one more recorded error, and nothing asked.
    await desk.merchants.secretBox()
    const settings = await desk.settings()
    const pace = {
      concurrency: given.concurrency ?? settings.defaultConcurrency,
      qps: given.qps ?? settings.defaultQps,
    }
    const { summaryOf } = await import('../../../services/sync')
    let summary: SyncSummary
    if (named) {
      summary = await syncNamedOnTeam(desk, opts)
    } else if (opts.file && request) {
      summary = await syncFileOnTeam(desk, io, opts.file, request, { ...pace, name: opts.batchName }, opts)
    } else if (opts.all) {
      const { createTeamBatch, runTeamBatch, teamTrades } = await import('../../../services/team-batches')
      const refs = await teamTrades(desk, false, false)
      summary = refs.length
        ? summaryOf(
            await runTeamBatch(
              desk,
              await createTeamBatch(desk, refs, {
                name: opts.batchName ?? 'sync --all',
                source: 'batch',
                ...pace,
              }),
              progressPrinter(io),
              { endWhenPaused: true },
            ),
          )
        : summaryOf(null)
    } else {
      const { teamNightlyPass } = await import('../../../services/team-nightly')
      const pass = await teamNightlyPass(desk, { ...pace, name: opts.batchName }, progressPrinter(io))
      if (!pass.ran) io.err(`paysync: ${say('sync.nightlyRunning', { owner: pass.leader ?? '?' })}`)
      summary = pass.ran ? pass.value : summaryOf(null)
    }
    if (summary.errors > 0 && exitState.code === 0) exitState.code = EXIT.syncErrors
    printSummary(io, summary)
  })
}

/** `--file` on a team database (docs/team-mode.md B8.11): the list imported there, then its batch run. */
async function syncFileOnTeam(
  desk: TeamDesk,
  io: Io,
  file: string,
  request: ReturnType<typeof importRequest>,
  pace: { concurrency: number; qps: number; name?: string },
  opts: SyncOpts,
): Promise<SyncSummary> {
  const [{ teamImportAndSync }, { runTeamBatch }, { summaryOf }] = await Promise.all([
    import('../../../services/team-imports'),
    import('../../../services/team-batches'),
    import('../../../services/sync'),
  ])
  const imported = await teamImportAndSync(
    desk,
    { ...request, file: path.resolve(file), rejectedOut: opts.rejectedOut },
    pace,
  )
  if (!io.json) printImport(io, imported, opts.rejectedOut)
  if (!imported.batchId) throw new AppError('invalid_input', `${file} names no trade that could be imported`)
  return summaryOf(await runTeamBatch(desk, imported.batchId, progressPrinter(io), { endWhenPaused: true }))
}

/** The named trades, now, each back in the schedules whatever batch held it (docs/domain.md 6.7). */
async function syncNamedOnTeam(desk: TeamDesk, opts: SyncOpts): Promise<SyncSummary> {
  const [{ syncEach }, { tradesNumbered, tradeExists }, { releaseTradesOn }] = await Promise.all([
    import('../../../services/sync'),
    import('../../../services/trade-refs'),
    import('../../../store/schedule-holds'),
  ])
  const x = desk.reads.exec
  const refs = await tradesNumbered.async(x, opts.order, opts.refund)
  for (const type of ['pay', 'refund'] as const)
    await releaseTradesOn.async(
      x,
      type,
      refs.filter((r) => r.type === type).map((r) => r.id),
    )
  return syncEach(desk.engine, refs, { source: 'manual', ...desk.actor }, (ref) => tradeExists.async(x, ref))
}

export function registerSyncCommand(program: Command): void {
  const command = program
    .command('sync')
    .description('ask the gateways for the truth and repair what may be repaired safely')
    .option('--order <no>', 'a pay order by local, business or gateway number (repeatable)', collect, [])
    .option('--refund <no>', 'a refund by its number (repeatable)', collect, [])
    .option('--pending', 'every local trade not in a final state (the nightly cron pass)')
    .option('--all', 'every trade')
    .option('--file <file>', 'the trades listed in an import file (imported first)')
  addImportOptions(command, 'with --file: ')
    .option('--concurrency <n>', 'calls at once per merchant')
    .option('--qps <n>', 'calls per second per merchant at most')
    .option('--batch-name <name>', 'name of the batch')
    .action(async (opts: SyncOpts, cmd: Command) => {
      const given = check(
        batchPaceSchema.partial(),
        { concurrency: numberOption(opts.concurrency), qps: numberOption(opts.qps) },
        PACE_FLAGS,
      )
      const address = teamAddressOf(cmd)
      if (address) return syncOnTeam(address, cmd, opts, given)
      await withContext(cmd, async (ctx, io) => {
        const [{ refsFor }, { summaryOf, syncTradesNow }, { tradesByNumbers }, { asNightlyPass }] =
          await Promise.all([
            import('../../../services/batches'),
            import('../../../services/sync'),
            import('../../../services/trade-refs'),
            import('../../../services/nightly'),
          ])
        const settings = ctx.settings()
        const pace = {
          concurrency: given.concurrency ?? settings.defaultConcurrency,
          qps: given.qps ?? settings.defaultQps,
        }
        let summary: SyncSummary
        if (opts.order.length || opts.refund.length) {
          summary = await syncTradesNow(ctx, tradesByNumbers(ctx, opts.order, opts.refund), 'manual')
        } else if (opts.file) {
          summary = await syncFile(ctx, io, opts.file, opts, pace)
        } else if (opts.all) {
          const refs = refsFor(ctx, { pending: false, exceptHeld: false })
          summary = refs.length
            ? await runAsBatch(ctx, io, refs, {
                name: opts.batchName ?? 'sync --all',
                source: 'batch',
                ...pace,
              })
            : summaryOf(null)
        } else if (opts.pending) {
          // The nightly pass is a schedule: it leaves alone what a paused or cancelled batch holds, and
          // runs once at a time per database (services/nightly.ts); the trades are read once it leads.
          const pass = await asNightlyPass(ctx, async () => {
            const refs = refsFor(ctx, { pending: true, exceptHeld: true })
            return refs.length
              ? await runAsBatch(ctx, io, refs, {
                  name: opts.batchName ?? 'sync --pending',
                  source: 'schedule',
                  ...pace,
                })
              : summaryOf(null)
          })
          if (!pass.ran) io.err(`paysync: ${say('sync.nightlyRunning', { owner: pass.leader ?? '?' })}`)
          summary = pass.ran ? pass.value : summaryOf(null)
        } else {
          throw new AppError(
            'invalid_input',
            'say what to sync: --order NO, --refund NO, --pending, --all or --file FILE',
          )
        }
        if (summary.errors > 0) exitState.code = EXIT.syncErrors
        printSummary(io, summary)
      })
    })
}
