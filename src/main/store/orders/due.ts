import type { Db } from '../connection'
import { stmt } from '../connection'

// Which pay orders to sync: those the schedules find due, those past their expiry, every one (or
// every pending one) for `sync --all`, and those an import brought in.

/**
 * Pay orders whose next scheduled sync is due, leaving out those a paused or cancelled batch holds
 * (docs/domain.md 6.7): the due index holds neither.
 */
export function duePayOrderIds(db: Db, now: number, limit: number): number[] {
  return stmt<[number, number], { id: number }>(
    db,
    `SELECT id FROM pay_orders WHERE status = 'progress' AND held_by_batch IS NULL AND next_sync_at <= ?
     ORDER BY next_sync_at LIMIT ?`,
  )
    .all(now, limit)
    .map((r) => r.id)
}

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
export function allPayOrderIds(db: Db, pendingOnly: boolean, exceptHeld = false): number[] {
  return stmt<[], { id: number }>(
    db,
    pendingOnly
      ? `SELECT id FROM pay_orders WHERE status = 'progress' ${exceptHeld ? 'AND held_by_batch IS NULL' : ''} ORDER BY id`
      : 'SELECT id FROM pay_orders ORDER BY id',
  )
    .all()
    .map((r) => r.id)
}

/** Trades first brought in by one import run. */
export function payOrderIdsOfImport(db: Db, importId: number): number[] {
  return stmt<[number], { id: number }>(db, 'SELECT id FROM pay_orders WHERE import_id = ? ORDER BY id')
    .all(importId)
    .map((r) => r.id)
}
