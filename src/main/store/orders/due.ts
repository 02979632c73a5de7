import type { Db } from '../connection'
import { stmt } from '../connection'
import { allTradeIds, dueTradeIds, tradeIdsOfImport } from '../trade-schedule'

// Which pay orders to sync: those the schedules find due, those past their expiry, every one (or
// every pending one) for `sync --all`, and those an import brought in.

/** Pay orders whose next scheduled sync is due, except those a paused or cancelled batch holds. */
export const duePayOrderIds = (db: Db, now: number, limit: number): number[] =>
  dueTradeIds(db, 'pay', now, limit)

/**
 * Progress orders past their expiry by more than `graceMs`: the timeout-close schedule. An order
 * whose syncs fail, or that a sync left with an anomaly (open or decided), follows its own ladder
 * instead: the close cannot happen without a person there (docs/domain.md 6.6), asking every minute
 * only adds records, and for a decided difference it would undo the decision's back-off.
 */
export function expiredProgressOrderIds(db: Db, now: number, graceMs: number, limit: number): number[] {
  return stmt<[number, number, number], { id: number }>(
    db,
    `SELECT id FROM pay_orders WHERE status = 'progress' AND held_by_batch IS NULL
       AND expired_at IS NOT NULL AND expired_at < ?
       AND (next_sync_at <= ? OR (sync_error_count = 0 AND ifnull(last_sync_outcome, '') NOT IN ('anomaly', 'decided')))
     ORDER BY expired_at LIMIT ?`,
  )
    .all(now - graceMs, now, limit)
    .map((r) => r.id)
}

/** Every order, or those not final; `exceptHeld`: not those a paused or cancelled batch holds. */
export const allPayOrderIds = (db: Db, pendingOnly: boolean, exceptHeld = false): number[] =>
  allTradeIds(db, 'pay', pendingOnly, exceptHeld)

/** Trades first brought in by one import run. */
export const payOrderIdsOfImport = (db: Db, importId: number): number[] =>
  tradeIdsOfImport(db, 'pay', importId)
