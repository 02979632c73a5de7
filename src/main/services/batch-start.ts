import type { Actor, SyncSource } from '../../shared/domain'
import { formatBeijing } from '../../shared/time'
import { auditOn } from '../store/audit'
import { createBatchOn } from '../store/batch-run'
import { releaseTradesOfBatchOn } from '../store/schedule-holds'
import { both, type Exec, type Q } from '../store/sql/exec'
import type { TradeRef } from './trade-refs'

// A batch started, on either store's books (docs/team-mode.md B8.10): the batch with its items, its
// trades taken back from a stopped batch that held them, and who started it in the audit log, in the
// caller's one transaction.

export interface BatchSpec {
  name?: string
  sourceFile?: string | null
  importId?: number | null
  source?: SyncSource
  concurrency: number
  qps: number
  /** Who starts it, when not the caller's own (the daily reconciliation acts by the schedule). */
  actor?: Actor
}

export const startBatchOn = both(function* (
  x: Exec,
  refs: TradeRef[],
  spec: BatchSpec,
  actor: Actor,
  now: number,
): Q<number> {
  const by = spec.actor ?? actor
  const id = yield* createBatchOn(
    x,
    {
      name: spec.name ?? `同步 ${formatBeijing(now).slice(0, 16)}`,
      sourceFile: spec.sourceFile ?? null,
      importId: spec.importId ?? null,
      source: spec.source ?? 'batch',
      concurrency: spec.concurrency,
      qps: spec.qps,
      ...by,
      items: refs,
    },
    now,
  )
  // A person starting a batch of trades a paused or cancelled one held is taking them back.
  yield* releaseTradesOfBatchOn(x, id)
  yield* auditOn(
    x,
    {
      ...by,
      action: 'batch_started',
      target: `batch:${id}`,
      detail: { items: refs.length, concurrency: spec.concurrency, qps: spec.qps },
    },
    now,
  )
  return id
})
