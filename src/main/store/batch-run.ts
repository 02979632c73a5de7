import type { Actor, BatchStatus, Outcome, StorageFault, SyncSource, TradeType } from '../../shared/domain'
import type { BatchAmounts, OutcomeCounts } from '../../shared/entity-views'
import type { BatchRow } from './batches'
import { both, all, one, run, type Exec, type Q } from './sql/exec'

// What running a stored batch reads and writes, written once for both stores (docs/team-mode.md
// B8.10): the desktop's file runs these synchronously (store/batches.ts keeps the old names), a team
// database asynchronously, each statement one round trip. Times are the runner's clock, as they
// decide nothing but what a window shows (a batch nobody beats for reads as interrupted); who holds
// an item is decided by the claims (store/coordination/), on the database's clock.

export interface NewBatch extends Actor {
  name: string
  sourceFile: string | null
  importId: number | null
  source?: SyncSource
  concurrency: number
  qps: number
  items: Array<{ type: TradeType; id: number }>
}

/**
 * The batch and its items, in the caller's transaction. Each item keeps its trade's amount: the
 * batch's sums then need no join (batchCounts). A trade named twice is one item.
 */
export const createBatchOn = both(function* (x: Exec, b: NewBatch, now: number): Q<number> {
  const row = yield* one<{ id: number }>(
    x,
    `INSERT INTO batches (name, source_file, import_id, source, concurrency, qps, status, total, operator,
       system_user, transport, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) RETURNING id`,
    [
      b.name,
      b.sourceFile,
      b.importId,
      b.source ?? 'batch',
      b.concurrency,
      b.qps,
      b.items.length,
      b.operator,
      b.systemUser ?? null,
      b.transport ?? null,
      now,
    ],
  )
  const id = Number(row!.id)
  const total = yield* x.dialect === 'pg' ? addItemsPg(x, id, b.items) : addItemsSqlite(x, id, b.items)
  if (total !== b.items.length) yield* run(x, 'UPDATE batches SET total = ? WHERE id = ?', [total, id])
  return id
})

const AMOUNT_OF = (type: string, id: string) => `CASE ${type} WHEN 'pay' THEN (SELECT amount FROM pay_orders
  WHERE id = ${id}) ELSE (SELECT amount FROM refund_orders WHERE id = ${id}) END`

/** On the file a prepared insert per item is as fast as anything (no round trips). */
function* addItemsSqlite(x: Exec, batchId: number, items: NewBatch['items']): Q<number> {
  let total = 0
  for (const item of items)
    total += yield* run(
      x,
      `INSERT INTO batch_items (batch_id, trade_type, trade_id, amount) VALUES (?, ?, ?, ${AMOUNT_OF('?', '?')})
       ON CONFLICT DO NOTHING`,
      [batchId, item.type, item.id, item.type, item.id, item.id],
    )
  return total
}

/** On a team database one statement per 10,000 items: a round trip each would make a big batch slow. */
function* addItemsPg(x: Exec, batchId: number, items: NewBatch['items']): Q<number> {
  let total = 0
  for (let at = 0; at < items.length; at += 10_000) {
    const page = items.slice(at, at + 10_000)
    total += yield* run(
      x,
      `INSERT INTO batch_items (batch_id, trade_type, trade_id, amount)
       SELECT ?::bigint, t.type, t.id, ${AMOUNT_OF('t.type', 't.id')}
         FROM unnest(?::text[], ?::bigint[]) WITH ORDINALITY AS t(type, id, n) ORDER BY t.n
       ON CONFLICT DO NOTHING`,
      [batchId, page.map((i) => i.type), page.map((i) => i.id)],
    )
  }
  return total
}

export const getBatchOn = both(function* (x: Exec, id: number): Q<BatchRow | undefined> {
  return yield* one<BatchRow>(x, 'SELECT * FROM batches WHERE id = ?', [id])
})

/** See batches.ts `startBatchRun`. */
export const startBatchRunOn = both(function* (x: Exec, id: number, owner: string, now: number): Q<boolean> {
  const changed = yield* run(
    x,
    `UPDATE batches SET status = 'running', pause_reason = NULL, owner = ?, heartbeat_at = ?,
       started_at = COALESCE(started_at, ?)
     WHERE id = ? AND status IN ('pending', 'running', 'paused', 'interrupted')`,
    [owner, now, now, id],
  )
  return changed === 1
})

/** A runner's heartbeat: the batch runs, and this runner is one of its runners. */
export const heartbeatBatchOn = both(function* (x: Exec, id: number, owner: string, now: number): Q<void> {
  yield* run(x, "UPDATE batches SET heartbeat_at = ?, owner = ? WHERE id = ? AND status = 'running'", [
    now,
    owner,
    id,
  ])
})

/**
 * Marks the batch done once no item is pending: true for the one runner whose update did it (the
 * others find it done). Items a crashed runner held are pending still, so a batch is never done early.
 */
export const finishBatchOn = both(function* (x: Exec, id: number, now: number): Q<boolean> {
  const changed = yield* run(
    x,
    `UPDATE batches SET status = 'done', pause_reason = NULL, finished_at = ?
      WHERE id = ? AND status = 'running'
        AND NOT EXISTS (SELECT 1 FROM batch_items WHERE batch_id = ? AND state = 'pending')`,
    [now, id, id],
  )
  return changed === 1
})

/** See batches.ts `setBatchStatus`; two statements, in the caller's transaction. */
export const setBatchStatusOn = both(function* (
  x: Exec,
  id: number,
  status: BatchStatus,
  now: number,
  pauseReason: StorageFault | null,
): Q<void> {
  const final = status === 'done' || status === 'cancelled'
  yield* run(
    x,
    `UPDATE batches SET status = ?, pause_reason = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END
     WHERE id = ?`,
    [status, status === 'paused' ? pauseReason : null, final ? 1 : 0, now, id],
  )
  if (status === 'cancelled') {
    // Not the items another runner holds a live claim on: it may have asked the gateway already, and
    // finishes them with their records; it leaves the rest of its own cancelled when it ends.
    yield* run(
      x,
      `UPDATE batch_items SET state = 'cancelled'
        WHERE batch_id = ? AND state = 'pending' AND (claimed_by IS NULL OR claim_expires_at < ?)`,
      [id, now],
    )
  }
})

export interface BatchCounts {
  done: number
  counts: OutcomeCounts
  byGatewayStatus: Record<string, number>
  amounts: BatchAmounts
}

export function emptyCounts(): OutcomeCounts {
  return { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 }
}

export const batchCountsOn = both(function* (x: Exec, batchId: number): Q<BatchCounts> {
  const counts = emptyCounts()
  const amounts: BatchAmounts = { total: 0, paid: 0, refunded: 0, repaired: 0, anomaly: 0 }
  let done = 0
  // The items' own amounts (kept with them since migration 005), in the same pass as the counts.
  const rows = yield* all<{
    state: string
    outcome: Outcome | null
    gateway_status: string | null
    n: number
    amount: number
  }>(
    x,
    `SELECT state, outcome, gateway_status, count(*) AS n, COALESCE(sum(amount), 0) AS amount
     FROM batch_items WHERE batch_id = ? GROUP BY state, outcome, gateway_status`,
    [batchId],
  )
  const byGatewayStatus: Record<string, number> = {}
  for (const r of rows) {
    const n = Number(r.n)
    const amount = Number(r.amount)
    amounts.total += amount
    if (r.state !== 'done') continue
    done += n
    if (r.outcome) counts[r.outcome] += n
    if (r.outcome === 'repaired') amounts.repaired += amount
    if (r.outcome === 'anomaly') amounts.anomaly += amount
    if (r.gateway_status === 'pay_success') amounts.paid += amount
    if (r.gateway_status === 'refund_success') amounts.refunded += amount
    if (r.gateway_status) byGatewayStatus[r.gateway_status] = (byGatewayStatus[r.gateway_status] ?? 0) + n
  }
  return { done, counts, byGatewayStatus, amounts }
})

/**
 * The merchant each of a page of claimed items belongs to (a runner's pool is per merchant): one
 * query per page, each item found by its key (a JSON list on SQLite, an array on PostgreSQL).
 */
export const merchantsOfItemsOn = both(function* (x: Exec, itemIds: number[]): Q<Map<number, number | null>> {
  const among = x.dialect === 'pg' ? 'i.id = ANY (?::bigint[])' : 'i.id IN (SELECT value FROM json_each(?))'
  const rows = yield* all<{ id: number; merchant_id: number | null }>(
    x,
    `SELECT i.id, COALESCE(p.merchant_id, r.merchant_id) AS merchant_id FROM batch_items i
       LEFT JOIN pay_orders p ON i.trade_type = 'pay' AND p.id = i.trade_id
       LEFT JOIN refund_orders r ON i.trade_type = 'refund' AND r.id = i.trade_id
     WHERE ${among}`,
    [x.dialect === 'pg' ? itemIds : JSON.stringify(itemIds)],
  )
  return new Map(rows.map((r) => [Number(r.id), r.merchant_id === null ? null : Number(r.merchant_id)]))
})

/** A lock conflict: the item waits and is tried again, never counted against the order. */
export const deferBatchItemOn = both(function* (
  x: Exec,
  itemId: number,
  notBefore: number,
  reason: string,
): Q<void> {
  yield* run(
    x,
    "UPDATE batch_items SET attempts = attempts + 1, last_error = ?, not_before = ? WHERE id = ? AND state = 'pending'",
    [reason, notBefore, itemId],
  )
})
