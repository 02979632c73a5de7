import type { BatchProgressEvent } from '../../shared/contract'
import type { BatchView, Page } from '../../shared/entity-views'
import { AppError } from '../../shared/errors'
import { BatchRun } from '../engine/batch-runner'
import { getBatchOn, setBatchStatusOn } from '../store/batch-run'
import { batchViewOn, effectiveStatus, listBatchesOn, mayStop } from '../store/batches'
import { auditOn } from '../store/audit'
import { StorageFaultError, storageFaultOf } from '../store/faults'
import { holdBatchTradesOn, releaseBatchHoldsOn } from '../store/schedule-holds'
import { teamCalls } from '../store/sql/calls'
import { storageError } from './storage-error'
import { startBatchOn, type BatchSpec } from './batch-start'
import type { TeamDesk } from './team-desk'
import { everyTradeOn, type TradeRef } from './trade-refs'

// Stored batches on a team database (docs/team-mode.md B8.10): made, listed, run, paused, resumed and
// cancelled as on the desktop's file (services/sync.ts), by the same store functions and the same
// runner. Several desktops run one batch together: each claims its items a page at a time on the
// team database (FOR UPDATE SKIP LOCKED, with an expiry on the database's clock), takes its share of
// the merchants' QPS, and takes over the items of a desktop that died.

/** Every trade of the team's books, or those not final (`exceptHeld`: none a stopped batch holds). */
export const teamTrades = (desk: TeamDesk, pendingOnly: boolean, exceptHeld: boolean): Promise<TradeRef[]> =>
  everyTradeOn.async(desk.reads.exec, pendingOnly, exceptHeld)

/** The batch and its items in one transaction; its trades taken back from a stopped batch, as on the file. */
export async function createTeamBatch(desk: TeamDesk, refs: TradeRef[], spec: BatchSpec): Promise<number> {
  const id = await teamCalls(desk.reads.pool).inTransaction(startBatchOn, refs, spec, desk.actor, Date.now())
  desk.changed()
  return id
}

/**
 * Runs the batch from this desktop until it ends, with whichever other desktops run it too. A
 * storage fault before the first call says so and asks nothing; one during the run ends it paused
 * with the reason, and the answers the database refused wait in this computer's journal.
 */
export async function runTeamBatch(
  desk: TeamDesk,
  batchId: number,
  onProgress?: (p: BatchProgressEvent) => void,
  options: {
    endWhenPaused?: boolean
    claimTtlMs?: number
    heartbeatMs?: number
    /** The runner, once made: a host that closes tells it to leave the batch (BatchRun.stop). */
    started?: (run: BatchRun) => void
  } = {},
): Promise<BatchProgressEvent> {
  // As on the file (services/sync.ts runBatch): answers kept on this computer are written first.
  if (desk.engine.keepsAttempts()) {
    const kept = await desk.writeKept().catch((err: unknown) => {
      const fault = storageFaultOf(err)
      if (fault) throw storageError(fault)
      throw err
    })
    if (kept.waiting > 0) throw storageError(kept.fault ?? 'db_unreachable')
  }
  const calls = teamCalls(desk.reads.pool)
  const stored = await calls.run(getBatchOn, batchId)
  if (!stored) throw AppError.say('not_found', 'batch.notFound', { id: batchId })
  if (stored.status !== 'done' && stored.status !== 'cancelled') await calls.run(releaseBatchHoldsOn, batchId)
  const { started, ...runOptions } = options
  const run = new BatchRun(calls, desk.engine, batchId, {
    ...runOptions,
    coordination: desk.coordination(),
    onProgress: (p) => {
      desk.changed()
      onProgress?.(p)
    },
  })
  started?.(run)
  try {
    return await run.run()
  } catch (err) {
    if (err instanceof StorageFaultError) throw storageError(err.fault)
    throw err
  }
}

export async function teamBatchView(desk: TeamDesk, id: number): Promise<BatchView> {
  const row = await getBatchOn.async(desk.reads.exec, id)
  if (!row) throw AppError.say('not_found', 'batch.notFound', { id })
  return batchViewOn.async(desk.reads.exec, row, Date.now())
}

export async function teamBatches(desk: TeamDesk, limit: number, offset: number): Promise<Page<BatchView>> {
  const { total, rows } = await listBatchesOn.async(desk.reads.exec, limit, offset)
  const items: BatchView[] = []
  for (const row of rows) items.push(await batchViewOn.async(desk.reads.exec, row, Date.now()))
  return { total, items }
}

/**
 * Pauses or cancels a batch for every desktop that runs it: said in the store, where each runner reads
 * it on its heartbeat, stops claiming, and finishes the calls it has on the wire. Its trades not yet
 * final stay out of the schedules (a cancel's, unless `holdSchedule` is false), as on the file.
 */
export async function stopTeamBatch(
  desk: TeamDesk,
  id: number,
  to: 'paused' | 'cancelled',
  holdSchedule = true,
): Promise<BatchView> {
  const calls = teamCalls(desk.reads.pool)
  const row = await calls.run(getBatchOn, id)
  if (!row) throw AppError.say('not_found', 'batch.notFound', { id })
  const now = Date.now()
  if (mayStop(effectiveStatus(row, now), to)) await calls.inTransaction(setBatchStatusOn, id, to, now, null)
  const after = (await calls.run(getBatchOn, id))!.status
  if (to === 'cancelled' && !holdSchedule) await calls.run(releaseBatchHoldsOn, id)
  else if (after === to) await calls.run(holdBatchTradesOn, id)
  const view = await teamBatchView(desk, id)
  await calls.run(
    auditOn,
    {
      ...desk.actor,
      action: to === 'paused' ? 'batch_paused' : 'batch_cancelled',
      target: `batch:${id}`,
      detail: { done: view.done, held: view.held, ...(to === 'cancelled' ? { holdSchedule } : {}) },
    },
    now,
  )
  desk.changed()
  return view
}

/** The trades a stopped batch keeps out of the schedules, back in them (`paysync batch release`). */
export async function releaseTeamBatch(desk: TeamDesk, id: number): Promise<{ released: number }> {
  const calls = teamCalls(desk.reads.pool)
  if (!(await calls.run(getBatchOn, id))) throw AppError.say('not_found', 'batch.notFound', { id })
  const released = await calls.run(releaseBatchHoldsOn, id)
  await calls.run(
    auditOn,
    { ...desk.actor, action: 'schedule_released', target: `batch:${id}`, detail: { released } },
    Date.now(),
  )
  desk.changed()
  return { released }
}
