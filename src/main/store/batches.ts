import type {
  BatchItemState,
  BatchStatus,
  GatewayStatus,
  Outcome,
  StorageFault,
  SyncSource,
  TradeType,
  Transport,
} from '../../shared/domain'
import type { BatchView } from '../../shared/entity-views'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { heldByBatchOn } from './schedule-holds'
import {
  batchCountsOn,
  createBatchOn,
  getBatchOn,
  merchantsOfItemsOn,
  setBatchStatusOn,
  startBatchRunOn,
  type BatchCounts,
  type NewBatch,
} from './batch-run'
import { all, both, one, run, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

/** A running batch whose owner has not beaten its heart for this long is taken as interrupted. */
export const HEARTBEAT_STALE_MS = 30_000

export interface BatchRow {
  id: number
  name: string
  source_file: string | null
  import_id: number | null
  source: SyncSource
  concurrency: number
  qps: number
  status: BatchStatus
  owner: string | null
  heartbeat_at: number | null
  total: number
  /** Who started it: the repairs and records of its items name them (shared/domain.ts, Actor). */
  operator: string | null
  system_user: string | null
  transport: Transport | null
  created_at: number
  started_at: number | null
  finished_at: number | null
  /** Why the batch paused on its own (the storage refused a write); null when a person paused it. */
  pause_reason: StorageFault | null
}

export interface BatchItemRow {
  id: number
  batch_id: number
  trade_type: TradeType
  trade_id: number
  state: BatchItemState
  outcome: Outcome | null
  gateway_status: GatewayStatus | null
  attempts: number
  last_error: string | null
  sync_record_id: number | null
  not_before: number | null
  amount: number | null
  /** Which desktop holds the item and until when (store/coordination/); null while unclaimed. */
  claimed_by: string | null
  claim_expires_at: number | null
}

export { emptyCounts } from './batch-run'

export const batchCounts = (db: Db, batchId: number): BatchCounts =>
  batchCountsOn.sync(sqliteExec(db), batchId)

/** The status people should see: a `running` batch with a dead owner is `interrupted`. */
export function effectiveStatus(row: BatchRow, now = Date.now()): BatchStatus {
  if (row.status === 'running' && (row.heartbeat_at ?? 0) < now - HEARTBEAT_STALE_MS) return 'interrupted'
  return row.status
}

/**
 * Whether a batch seen in `status` may still be paused (one pending, running or cut short) or
 * cancelled (one not over): one rule for the file and a team database (docs/domain.md 6.7).
 */
export function mayStop(status: BatchStatus, to: 'paused' | 'cancelled'): boolean {
  return to === 'paused'
    ? status === 'pending' || status === 'interrupted' || status === 'running'
    : status !== 'done' && status !== 'cancelled'
}

export const batchViewOn = both(function* (x: Exec, row: BatchRow, now: number): Q<BatchView> {
  const { done, counts, amounts } = yield* batchCountsOn(x, row.id)
  const status = effectiveStatus(row, now)
  const rejected =
    row.import_id === null
      ? undefined
      : yield* one<{ rejected: number }>(x, 'SELECT rejected FROM import_runs WHERE id = ?', [row.import_id])
  return {
    id: Number(row.id),
    name: row.name,
    sourceFile: row.source_file,
    source: row.source,
    concurrency: row.concurrency,
    qps: row.qps,
    status,
    total: Number(row.total),
    done,
    counts,
    held: yield* heldByBatchOn(x, row.id),
    amounts,
    createdAt: toIsoBeijing(Number(row.created_at)),
    startedAt: isoOrNull(row.started_at === null ? null : Number(row.started_at)),
    finishedAt: isoOrNull(row.finished_at === null ? null : Number(row.finished_at)),
    operator: row.operator,
    ...(status === 'paused' && row.pause_reason ? { pauseReason: row.pause_reason } : {}),
    importId: row.import_id === null ? null : Number(row.import_id),
    importRejected: Number(rejected?.rejected ?? 0),
  }
})

export const batchView = (db: Db, row: BatchRow, now = Date.now()): BatchView =>
  batchViewOn.sync(sqliteExec(db), row, now)

export function createBatch(db: Db, b: NewBatch, now = Date.now()): number {
  return db.transaction(() => createBatchOn.sync(sqliteExec(db), b, now)).immediate()
}

export const getBatch = (db: Db, id: number): BatchRow | undefined => getBatchOn.sync(sqliteExec(db), id)

export const listBatchesOn = both(function* (
  x: Exec,
  limit: number,
  offset: number,
): Q<{ total: number; rows: BatchRow[] }> {
  const total = Number((yield* one<{ n: number }>(x, 'SELECT count(*) AS n FROM batches'))!.n)
  const rows = yield* all<BatchRow>(x, 'SELECT * FROM batches ORDER BY id DESC LIMIT ? OFFSET ?', [
    limit,
    offset,
  ])
  return { total, rows }
})

export const listBatches = (db: Db, limit: number, offset: number): { total: number; rows: BatchRow[] } =>
  listBatchesOn.sync(sqliteExec(db), limit, offset)

/**
 * Marks the batch running for a runner that starts, resumes or joins it: several processes may run one
 * batch together, each on the items it claims (store/coordination/), so nothing here refuses a second
 * runner. `owner` and `heartbeat_at` say which runner beat last and when: a running batch nobody beats
 * for is interrupted (effectiveStatus). False when the batch has ended meanwhile.
 */
export const startBatchRun = (db: Db, id: number, owner: string, now = Date.now()): boolean =>
  startBatchRunOn.sync(sqliteExec(db), id, owner, now)

/** Sets a batch's status; `pauseReason` says why it paused on its own (none: a person paused it). */
export function setBatchStatus(
  db: Db,
  id: number,
  status: BatchStatus,
  now = Date.now(),
  pauseReason: StorageFault | null = null,
): void {
  db.transaction(() => setBatchStatusOn.sync(sqliteExec(db), id, status, now, pauseReason)).immediate()
}

/**
 * At a process's close. A run that halted on a storage fault could not say so at the time: said now,
 * unless another runner has beaten the batch's heart since. And the process's registrations as a
 * runner (`batch:<id>:runner:<owner>`, engine/batch-peers.ts) go: it runs no batch any more. What
 * the storage still refuses is left: the batch reads as interrupted and resumes all the same, and a
 * registration lapses.
 */
export function leaveBatches(db: Db, owner: string, halted: Map<number, StorageFault>): void {
  for (const [id, reason] of halted) {
    try {
      stmt(
        db,
        "UPDATE batches SET status = 'paused', pause_reason = ? WHERE id = ? AND status = 'running' AND owner = ?",
      ).run(reason, id, owner)
    } catch {
      // Refused still: see above.
    }
  }
  try {
    stmt(db, "DELETE FROM trade_leases WHERE owner = ? AND substr(trade_key, 1, 6) = 'batch:'").run(owner)
  } catch {
    // Refused still: see above.
  }
}

export const merchantsOfItems = (db: Db, itemIds: number[]): Map<number, number | null> =>
  merchantsOfItemsOn.sync(sqliteExec(db), itemIds)

/** Whether the item is still to do and held by `owner`'s claim (store/coordination/). */
export const itemHeldByOn = both(function* (x: Exec, itemId: number, owner: string): Q<boolean> {
  const row = yield* one(
    x,
    "SELECT id FROM batch_items WHERE id = ? AND claimed_by = ? AND state = 'pending'",
    [itemId, owner],
  )
  return row !== undefined
})

export const itemHeldBy = (db: Db, itemId: number, owner: string): boolean =>
  itemHeldByOn.sync(sqliteExec(db), itemId, owner)

/** Finishes an item once; the engine calls this inside the transaction that writes the sync record. */
export interface ItemDone {
  outcome: Outcome
  gatewayStatus: GatewayStatus | null
  syncRecordId: number | null
  error: string | null
}

const ITEM_DONE = `UPDATE batch_items SET state = 'done', outcome = ?, gateway_status = ?, sync_record_id = ?,
  last_error = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'`
const itemDone = (itemId: number, r: ItemDone) => [
  r.outcome,
  r.gatewayStatus,
  r.syncRecordId,
  r.error,
  itemId,
]

export const completeBatchItemOn = both(function* (x: Exec, itemId: number, r: ItemDone): Q<boolean> {
  return (yield* run(x, ITEM_DONE, itemDone(itemId, r))) === 1
})

/** The same inside a sync's final write, which does not ask whether it was still pending (Exec.send). */
export function* sendBatchItemDoneOn(x: Exec, itemId: number, r: ItemDone): Q<void> {
  yield* send(x, ITEM_DONE, itemDone(itemId, r))
}

export const completeBatchItem = (db: Db, itemId: number, r: ItemDone): boolean =>
  completeBatchItemOn.sync(sqliteExec(db), itemId, r)

/**
 * A batch's problem rows, on the screen and in its export alike: the items whose sync left a person
 * something to decide (anomaly) or failed (error) — what the batch history counts as problems.
 * Waiting (the gateway has not settled the trade yet) is the next sync's business, and items never
 * synced (cancelled) are the batch's, shown by its status.
 */
const problemItems = (alias = '') => `${alias}outcome IN ('anomaly', 'error')`

export const batchItemsOn = both(function* (
  x: Exec,
  batchId: number,
  filter: { problemsOnly?: boolean; limit: number; offset: number },
): Q<{ total: number; amount: number; rows: BatchItemRow[] }> {
  const where = filter.problemsOnly ? `WHERE batch_id = ? AND ${problemItems()}` : 'WHERE batch_id = ?'
  // PostgreSQL's sum of a bigint is numeric, which pg reads as text.
  const sums = (yield* one<{ total: number; amount: number | string }>(
    x,
    `SELECT count(*) AS total, coalesce(sum(amount), 0) AS amount FROM batch_items ${where}`,
    [batchId],
  ))!
  const rows = yield* all<BatchItemRow>(
    x,
    `SELECT * FROM batch_items ${where} ORDER BY id LIMIT ? OFFSET ?`,
    [batchId, filter.limit, filter.offset],
  )
  return { total: sums.total, amount: Number(sums.amount), rows }
})

export const batchItems = (
  db: Db,
  batchId: number,
  filter: { problemsOnly?: boolean; limit: number; offset: number },
) => batchItemsOn.sync(sqliteExec(db), batchId, filter)

/** Batch items with their trade's number, merchant and amount, as arrays of the given columns. */
export function batchItemsExportQuery(
  batchId: number,
  problemsOnly: boolean,
  columns: readonly string[],
): RowQuery {
  const problems = problemsOnly ? `AND ${problemItems('i.')}` : ''
  return {
    sql: `SELECT ${columns.join(', ')} FROM batch_items i
       LEFT JOIN pay_orders p ON i.trade_type = 'pay' AND p.id = i.trade_id
       LEFT JOIN refund_orders r ON i.trade_type = 'refund' AND r.id = i.trade_id
       LEFT JOIN merchants m ON m.id = COALESCE(p.merchant_id, r.merchant_id)
       WHERE i.batch_id = ? ${problems} ORDER BY i.id`,
    params: [batchId],
  }
}
