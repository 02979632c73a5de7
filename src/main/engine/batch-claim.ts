import type { Actor, BatchStatus, GatewayStatus, SyncSource } from '../../shared/domain'
import { batchCounts, claimBatch, getBatch, releaseBatch } from '../store/batches'
import type { Db } from '../store/connection'
import { BatchTally } from './batch-tally'
import { ownerIsDeadHere } from './owner'

// Taking a stored batch to run it: what it has done so far, and its claim by this runner (one runner
// per batch across processes; a dead runner of this machine gives way at once).

export class BatchBusyError extends Error {
  constructor(id: number) {
    super(
      `batch ${id} is being run by another process; wait for it, or resume it once that process has stopped`,
    )
    this.name = 'BatchBusyError'
  }
}

/** How the batch runs, as it was started: its limits, and who its repairs and records name. */
export interface BatchPlan {
  concurrency: number
  qps: number
  source: SyncSource
  actor: Actor
}

export type Claim =
  | { tally: BatchTally; ended: BatchStatus & ('done' | 'cancelled') }
  | { tally: BatchTally; ended: null; plan: BatchPlan }

/** Reads the batch and claims it; a finished one is read, not claimed. */
export function claimRun(db: Db, batchId: number, owner: string, now: number, started: number): Claim {
  const batch = getBatch(db, batchId)
  if (!batch) throw new Error(`batch ${batchId} does not exist`)
  const counted = batchCounts(db, batchId)
  const tally = new BatchTally(
    batchId,
    batch.total,
    counted.done,
    counted.counts,
    counted.byGatewayStatus as Partial<Record<GatewayStatus, number>>,
    started,
  )
  if (batch.status === 'done' || batch.status === 'cancelled') return { tally, ended: batch.status }
  // A runner that died on this machine (kill -9, a crash) gives way at once.
  if (batch.status === 'running' && ownerIsDeadHere(batch.owner)) releaseBatch(db, batchId)
  if (!claimBatch(db, batchId, owner, now)) throw new BatchBusyError(batchId)
  // Whoever started the batch is who its repairs and records name, also when it is resumed later.
  const plan: BatchPlan = {
    concurrency: batch.concurrency,
    qps: batch.qps,
    source: batch.source,
    actor: { operator: batch.operator, systemUser: batch.system_user, transport: batch.transport },
  }
  return { tally, ended: null, plan }
}
