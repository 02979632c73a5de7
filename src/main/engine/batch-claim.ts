import type { Actor, BatchStatus, GatewayStatus, SyncSource } from '../../shared/domain'
import { batchCountsOn, getBatchOn, startBatchRunOn } from '../store/batch-run'
import type { StoreCalls } from '../store/sql/calls'
import { BatchTally } from './batch-tally'

// Taking a stored batch to run it: what it has done so far, and how it runs. Several processes may
// run one batch together (docs/team-mode.md B8.5): each claims its items a page at a time
// (store/coordination/), so a second runner joins the batch instead of being refused.

/** How the batch runs, as it was started: its limits, and who its repairs and records name. */
export interface BatchPlan {
  concurrency: number
  qps: number
  source: SyncSource
  actor: Actor
}

export type Opened =
  | { tally: BatchTally; ended: BatchStatus & ('done' | 'cancelled') }
  | { tally: BatchTally; ended: null; plan: BatchPlan }

/** The whole batch's progress as the store has it, into `tally` (or a new one). */
export async function tallyOf(
  store: StoreCalls,
  batchId: number,
  total: number,
  started: number,
  tally?: BatchTally,
): Promise<BatchTally> {
  const counted = await store.run(batchCountsOn, batchId)
  const byStatus = counted.byGatewayStatus as Partial<Record<GatewayStatus, number>>
  if (tally) {
    tally.load(counted.done, counted.counts, byStatus)
    return tally
  }
  return new BatchTally(batchId, total, counted.done, counted.counts, byStatus, started)
}

/** Reads the batch and marks it running for `owner`; a finished one is read, not started. */
export async function openRun(
  store: StoreCalls,
  batchId: number,
  owner: string,
  now: number,
  started: number,
): Promise<Opened> {
  const batch = await store.run(getBatchOn, batchId)
  if (!batch) throw new Error(`batch ${batchId} does not exist`)
  const tally = await tallyOf(store, batchId, batch.total, started)
  if (batch.status === 'done' || batch.status === 'cancelled') return { tally, ended: batch.status }
  if (!(await store.run(startBatchRunOn, batchId, owner, now))) {
    // Ended between the two statements, by another runner.
    const ended = (await store.run(getBatchOn, batchId))!.status as BatchStatus & ('done' | 'cancelled')
    return { tally: await tallyOf(store, batchId, batch.total, started), ended }
  }
  // Whoever started the batch is who its repairs and records name, also when it is resumed later.
  const plan: BatchPlan = {
    concurrency: batch.concurrency,
    qps: batch.qps,
    source: batch.source,
    actor: { operator: batch.operator, systemUser: batch.system_user, transport: batch.transport },
  }
  return { tally, ended: null, plan }
}
