import type { BatchStatus, TradeType } from '../../shared/domain'
import type { ScheduleHold } from '../../shared/entity-views'
import type { Db } from './connection'
import { both, joinInOrder, one, run, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// Which trades the schedules leave alone because a person paused or cancelled their batch
// (docs/domain.md 6.7), and taking them back. The hold is a column of the trade (held_by_batch) so
// that the schedules' due index leaves held trades out; each trade names the batch that holds it.

const TABLE = { pay: 'pay_orders', refund: 'refund_orders' } as const
const TYPES = ['pay', 'refund'] as const

/**
 * Why the schedules skip a trade, from its holding batch and that batch's stored status. Only a
 * pause (stored at once) or a cancel holds; a cancelled batch's row says so once the calls already
 * on the wire are written, so a hold whose batch still reads running is a cancel under way.
 */
export function scheduleHold(
  batchId: number | null,
  status: BatchStatus | null | undefined,
): ScheduleHold | null {
  if (batchId === null || !status) return null
  return { batchId, batchStatus: status === 'running' || status === 'interrupted' ? 'cancelled' : status }
}

/**
 * Keeps the batch's trades that are not yet final out of the schedules: `batchId` holds them now
 * (a hold of an earlier batch gives way to the latest). The number of trades held.
 */
export const holdBatchTradesOn = both(function* (x: Exec, batchId: number): Q<number> {
  let n = 0
  for (const type of TYPES)
    n += yield* run(
      x,
      `UPDATE ${TABLE[type]} SET held_by_batch = ?
       WHERE status = 'progress' AND id IN (SELECT trade_id FROM batch_items WHERE batch_id = ? AND trade_type = ?)`,
      [batchId, batchId, type],
    )
  return n
})

export const holdBatchTrades = (db: Db, batchId: number): number =>
  holdBatchTradesOn.sync(sqliteExec(db), batchId)

/** Every trade `batchId` holds, back in the schedules. */
export const releaseBatchHoldsOn = both(function* (x: Exec, batchId: number): Q<number> {
  let n = 0
  for (const type of TYPES)
    n += yield* run(x, `UPDATE ${TABLE[type]} SET held_by_batch = NULL WHERE held_by_batch = ?`, [batchId])
  return n
})

export const releaseBatchHolds = (db: Db, batchId: number): number =>
  releaseBatchHoldsOn.sync(sqliteExec(db), batchId)

/** The named trades back in the schedules, whichever batch held them. */
export const releaseTradesOn = both(function* (x: Exec, type: TradeType, ids: readonly number[]): Q<number> {
  let n = 0
  for (const id of ids)
    n += yield* run(
      x,
      `UPDATE ${TABLE[type]} SET held_by_batch = NULL WHERE id = ? AND held_by_batch IS NOT NULL`,
      [id],
    )
  return n
})

export const releaseTrades = (db: Db, type: TradeType, ids: readonly number[]): number =>
  releaseTradesOn.sync(sqliteExec(db), type, ids)

/**
 * The trades of a new batch a person started, taken back from whatever batch held them: starting
 * it is saying otherwise. Reads the held trades (few) through their index, not the batch's items.
 */
export const releaseTradesOfBatchOn = both(function* (x: Exec, batchId: number): Q<number> {
  let n = 0
  for (const type of TYPES)
    n += yield* run(
      x,
      `UPDATE ${TABLE[type]} SET held_by_batch = NULL WHERE held_by_batch IS NOT NULL
         AND id IN (SELECT trade_id FROM batch_items WHERE batch_id = ? AND trade_type = ?)`,
      [batchId, type],
    )
  return n
})

/** How many trades `batchId` keeps out of the schedules. */
export const heldByBatchOn = both(function* (x: Exec, batchId: number): Q<number> {
  let n = 0
  for (const type of TYPES) {
    const row = yield* one<{ n: number }>(
      x,
      `SELECT count(*) AS n FROM ${TABLE[type]} WHERE held_by_batch = ?`,
      [batchId],
    )
    n += Number(row!.n)
  }
  return n
})

export const heldByBatch = (db: Db, batchId: number): number => heldByBatchOn.sync(sqliteExec(db), batchId)

/** How many of the batch's trades are not yet final: what a hold would keep out of the schedules. */
export const openTradesOfBatchOn = both(function* (x: Exec, batchId: number): Q<number> {
  let n = 0
  for (const type of TYPES)
    n += (yield* one<{ n: number }>(
      x,
      `SELECT count(*) AS n FROM batch_items i ${joinInOrder(x)} ${TABLE[type]} t ON t.id = i.trade_id
       WHERE i.batch_id = ? AND i.trade_type = ? AND t.status = 'progress'`,
      [batchId, type],
    ))!.n
  return n
})

export const openTradesOfBatch = (db: Db, batchId: number): number =>
  openTradesOfBatchOn.sync(sqliteExec(db), batchId)
