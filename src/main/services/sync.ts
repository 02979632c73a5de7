import type { BatchItemView, BatchProgressEvent } from '../../shared/contract'
import type { SyncSource } from '../../shared/domain'
import type { BatchView, Page } from '../../shared/entity-views'
import type { SyncSummary } from '../../shared/views'
import { AppError } from '../../shared/errors'
import { fileBatchRun } from '../engine/batch-on-file'
import { storedProgress } from '../engine/batch-progress'
import { ownerIsDeadHere } from '../engine/owner'
import { BUSY_CODE, type SyncContext, type SyncResult } from '../engine/sync'
import type { AttemptRunner } from '../engine/sync/attempts'
import { audit } from '../store/audit'
import { StorageFaultError } from '../store/faults'
import { batchView, effectiveStatus, getBatch, listBatches, mayStop, setBatchStatus } from '../store/batches'
import { getPayOrder } from '../store/orders'
import { getRefundOrder } from '../store/refunds'
import { holdBatchTrades, releaseBatchHolds, releaseTrades } from '../store/schedule-holds'
import { startBatchOn, type BatchSpec } from './batch-start'
import type { ServiceContext } from './context'
import { batchItemPage } from './batch-items'
import { storageError } from './storage-error'
import type { TradeRef } from './trade-refs'

// Syncing trades: a few at once while a person waits, or a stored batch that runs in the background
// (or in the foreground of the command line) and survives a crash.

export function summaryOf(
  p: BatchProgressEvent | null,
  results: SyncResult[] = [],
  durationMs = 0,
): SyncSummary {
  if (p) {
    return {
      batchId: p.batchId,
      total: p.total,
      consistent: p.counts.consistent,
      repaired: p.counts.repaired,
      anomalies: p.counts.anomaly,
      decided: p.counts.decided,
      waiting: p.counts.waiting,
      errors: p.counts.error,
      skipped: p.counts.skipped + Math.max(0, p.total - p.done),
      elsewhere: 0,
      durationMs: p.elapsedMs,
      byGatewayStatus: p.byGatewayStatus,
      ...(p.pauseReason ? { pauseReason: p.pauseReason } : {}),
    }
  }
  const s: SyncSummary = {
    batchId: null,
    total: results.length,
    consistent: 0,
    repaired: 0,
    anomalies: 0,
    decided: 0,
    waiting: 0,
    errors: 0,
    skipped: 0,
    elsewhere: 0,
    durationMs,
    byGatewayStatus: {},
  }
  for (const r of results) {
    if (r.outcome === 'anomaly') s.anomalies++
    else if (r.outcome === 'error') s.errors++
    else s[r.outcome]++
    // Told apart from other skips: the person who clicked learns the trade is being synced elsewhere.
    if (r.outcome === 'skipped' && r.errorCode === BUSY_CODE) s.elsewhere++
    if (r.gatewayStatus) s.byGatewayStatus[r.gatewayStatus] = (s.byGatewayStatus[r.gatewayStatus] ?? 0) + 1
  }
  return s
}

/**
 * Syncs named trades now, a few at a time, and waits for every answer. A trade a person syncs by
 * hand is back in the schedules, whatever paused or cancelled batch held it (docs/domain.md 6.7).
 */
export async function syncTradesNow(
  ctx: ServiceContext,
  refs: TradeRef[],
  source: SyncSource = 'manual',
): Promise<SyncSummary> {
  if (source === 'manual')
    for (const type of ['pay', 'refund'] as const)
      releaseTrades(
        ctx.db,
        type,
        refs.filter((r) => r.type === type).map((r) => r.id),
      )
  return syncEach(ctx.engine, refs, { source, ...ctx.actor }, async (ref) =>
    ref.type === 'pay' ? !!getPayOrder(ctx.db, ref.id) : !!getRefundOrder(ctx.db, ref.id),
  )
}

/** The trades, four at a time, on whichever books the engine works; a trade that is not there is refused. */
export async function syncEach(
  engine: Pick<AttemptRunner, 'sync'>,
  refs: TradeRef[],
  context: SyncContext,
  exists: (ref: TradeRef) => Promise<boolean>,
): Promise<SyncSummary> {
  const started = performance.now()
  const results: SyncResult[] = []
  const queue = [...refs]
  const workers = Array.from({ length: Math.min(4, queue.length) }, async () => {
    for (let ref = queue.shift(); ref; ref = queue.shift()) {
      if (!(await exists(ref)))
        throw AppError.say('not_found', ref.type === 'pay' ? 'order.notFound' : 'refund.notFound', {
          id: ref.id,
        })
      results.push(await engine.sync(ref.type, ref.id, context))
    }
  })
  await Promise.all(workers)
  return summaryOf(null, results, Math.round(performance.now() - started))
}

export function createBatchOf(ctx: ServiceContext, refs: TradeRef[], spec: BatchSpec): number {
  return ctx.db.transaction(() => startBatchOn.sync(ctx.exec, refs, spec, ctx.actor, ctx.now())).immediate()
}

/**
 * Runs a batch in this process until it ends, reporting progress as events (and to `onProgress`).
 * It ends paused, with a `pauseReason`, when the storage refuses a write (docs/domain.md section 6.8).
 * Attempts the database refused before are written first; while any still cannot be, the batch
 * does not run, or it would ask the gateway again about trades whose answers wait to be written.
 */
export async function runBatch(
  ctx: ServiceContext,
  batchId: number,
  onProgress?: (p: BatchProgressEvent) => void,
  /** A command's foreground run ends when the batch pauses: nobody resumes it in that process. */
  options: { endWhenPaused?: boolean } = {},
): Promise<BatchProgressEvent> {
  if (ctx.runs.has(batchId)) throw AppError.say('busy', 'batch.runningHere', { id: batchId })
  if (ctx.engine.keepsAttempts()) {
    const r = ctx.recover()
    if (!r || r.waiting > 0) throw storageError(r?.fault ?? 'io_error')
  }
  ctx.pauseReasons.delete(batchId)
  // A batch that runs again (resumed here or from `batch resume`) holds nothing from the schedules.
  const stored = getBatch(ctx.db, batchId)
  if (stored && stored.status !== 'done' && stored.status !== 'cancelled') releaseBatchHolds(ctx.db, batchId)
  // Another process running the batch is joined, not refused: each runs the items it claims.
  const run = fileBatchRun(ctx.db, ctx.engine, batchId, {
    coordination: ctx.coordination,
    endWhenPaused: options.endWhenPaused,
    now: ctx.now,
    onProgress: (p) => {
      ctx.emit('batch.progress', p)
      onProgress?.(p)
    },
  })
  ctx.runs.set(batchId, run)
  try {
    const last = await run.run()
    // Kept here too: the store may not have taken the reason (a lock, an I/O error).
    if (last.pauseReason) ctx.pauseReasons.set(batchId, last.pauseReason)
    return last
  } catch (err) {
    if (err instanceof StorageFaultError) throw storageError(err.fault)
    throw err
  } finally {
    ctx.runs.delete(batchId)
  }
}

/** Starts a batch in the background (the window's way); progress arrives as events. */
export function startBatchInBackground(ctx: ServiceContext, batchId: number): void {
  runBatch(ctx, batchId)
    .then(() => closeReconcileBatch(ctx, batchId))
    .catch((err: Error) => {
      console.error(`batch ${batchId} stopped: ${err.message}`)
      try {
        ctx.emit('batch.progress', { ...progressFromStore(ctx, batchId), status: 'interrupted' })
      } catch {
        // The store cannot even be read now: the window asks again when it is shown.
      }
    })
}

/**
 * A reconciliation's syncs (source `reconcile`) resumed here after the run that queued them ended (a
 * restart, say): what each came to goes on its difference and the statements are summed again, as
 * that run would have done once they ended (docs/reconcile.md A4 "close").
 */
async function closeReconcileBatch(ctx: ServiceContext, batchId: number): Promise<void> {
  if (getBatch(ctx.db, batchId)?.source !== 'reconcile') return
  // Loaded only for such a batch: the statements' engine is no part of a plain batch.
  const { recordSyncOutcomes, summarize } = await import('../engine/reconcile/close')
  for (const id of recordSyncOutcomes(ctx.db, batchId, ctx.now())) summarize(ctx.db, id, ctx.now())
}

/** The last progress a batch's stored rows tell, for a run that stopped without saying so itself. */
function progressFromStore(ctx: ServiceContext, batchId: number): BatchProgressEvent {
  return storedProgress(getBatchView(ctx, batchId))
}

export function getBatchView(ctx: ServiceContext, id: number): BatchView {
  const row = getBatch(ctx.db, id)
  if (!row) throw AppError.say('not_found', 'batch.notFound', { id })
  const view = batchView(ctx.db, row, ctx.now())
  // A batch this process runs is alive whatever its heartbeat says; one whose process died is not.
  // One being cancelled here is cancelled now, while the calls already on the wire are written.
  const run = ctx.runs.get(id)
  if (run?.cancelling) view.status = 'cancelled'
  else if (run?.haltedBy) return { ...view, status: 'paused', pauseReason: run.haltedBy }
  else if (run && view.status === 'interrupted') view.status = 'running'
  else if (view.status === 'running' && !run && ownerIsDeadHere(row.owner)) view.status = 'interrupted'
  // A run of this process that halted on a storage fault the store could not take.
  const halted = ctx.pauseReasons.get(id)
  if (halted && !run && (view.status === 'interrupted' || view.status === 'running'))
    return { ...view, status: 'paused', pauseReason: halted }
  return view
}

export function listBatchViews(ctx: ServiceContext, limit: number, offset: number): Page<BatchView> {
  const { total, rows } = listBatches(ctx.db, limit, offset)
  return { total, items: rows.map((r) => getBatchView(ctx, r.id)) }
}

/**
 * Pauses a batch. Its trades not yet final stay out of the schedules too, until it resumes or a
 * person takes them back (docs/domain.md 6.7): a pause asks the gateway nothing more about them.
 * Said in the store, it pauses the batch's runners in other processes too (docs/team-mode.md B8.5):
 * they stop claiming at their next heartbeat, and their calls in flight finish and are recorded.
 */
export function pauseBatch(ctx: ServiceContext, id: number): BatchView {
  const run = ctx.runs.get(id)
  if (run) run.pause()
  else {
    const row = getBatch(ctx.db, id)
    if (!row) throw AppError.say('not_found', 'batch.notFound', { id })
    if (mayStop(effectiveStatus(row, ctx.now()), 'paused')) setBatchStatus(ctx.db, id, 'paused', ctx.now())
  }
  if (getBatch(ctx.db, id)?.status === 'paused') holdBatchTrades(ctx.db, id)
  return audited(ctx, id, 'batch_paused')
}

/** Who stopped, resumed or cancelled a batch is kept, as who started it is. */
function audited(
  ctx: ServiceContext,
  id: number,
  action: 'batch_paused' | 'batch_resumed' | 'batch_cancelled',
  detail: Record<string, unknown> = {},
): BatchView {
  const view = getBatchView(ctx, id)
  audit(ctx.db, {
    ...ctx.actor,
    action,
    target: `batch:${id}`,
    detail: { done: view.done, ...detail, held: view.held },
  })
  return view
}

export function resumeBatch(ctx: ServiceContext, id: number): BatchView {
  const run = ctx.runs.get(id)
  if (run) {
    run.resume()
    releaseBatchHolds(ctx.db, id)
    return audited(ctx, id, 'batch_resumed')
  }
  const view = getBatchView(ctx, id)
  if (view.status === 'done' || view.status === 'cancelled')
    throw AppError.say('conflict', 'batch.nothingToResume', { id, status: view.status })
  // Running in another process: this one joins it, taking a share of its items and of its limits.
  startBatchInBackground(ctx, id)
  return audited(ctx, id, 'batch_resumed')
}

/**
 * Cancels a batch. `holdSchedule` (the default, asked of the person cancelling): its trades not yet
 * final also stay out of the schedules until a person takes them back; without it they go back to
 * the schedules, a pause's hold included (docs/domain.md 6.7). Runners in other processes stop at
 * their next heartbeat and leave the items they held cancelled once their calls in flight are written.
 */
export function cancelBatch(ctx: ServiceContext, id: number, holdSchedule = true): BatchView {
  const run = ctx.runs.get(id)
  if (run) run.cancel()
  else {
    const view = getBatchView(ctx, id)
    if (mayStop(view.status, 'cancelled')) setBatchStatus(ctx.db, id, 'cancelled', ctx.now())
  }
  if (!holdSchedule) releaseBatchHolds(ctx.db, id)
  else if (getBatchView(ctx, id).status === 'cancelled') holdBatchTrades(ctx.db, id)
  return audited(ctx, id, 'batch_cancelled', { holdSchedule })
}

export function batchItemViews(
  ctx: ServiceContext,
  id: number,
  problemsOnly: boolean,
  limit: number,
  offset: number,
): Page<BatchItemView> {
  return batchItemPage.sync(ctx.exec, id, { problemsOnly, limit, offset })
}
