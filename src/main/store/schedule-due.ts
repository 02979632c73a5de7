import type { SyncSource, TradeType } from '../../shared/domain'
import type { Db } from './connection'
import { all, both, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// What one tick of the schedules syncs (docs/domain.md section 7), on the desktop's file or a team
// database alike: the progress orders past their expiry (the timeout close), then the pay orders and
// refunds whose ladder says they are due, each with its merchant, whose lane paces it. None that a
// paused or cancelled batch holds (6.7): the due index holds none of them.

export interface DueTrade {
  type: TradeType
  id: number
  merchantId: number
  source: Extract<SyncSource, 'timeout' | 'schedule'>
}

interface Row {
  id: number
  merchant_id: number
}

/**
 * Progress orders past their expiry by more than `graceMs`. An order whose syncs fail, or that a sync
 * left with an anomaly (open or decided), follows its own ladder instead: the close cannot happen
 * without a person there (docs/domain.md 6.6), asking every minute only adds records, and for a
 * decided difference it would undo the decision's back-off.
 */
export function* expiredOrdersOn(x: Exec, now: number, graceMs: number, limit: number): Q<Row[]> {
  return yield* all<Row>(
    x,
    `SELECT id, merchant_id FROM pay_orders WHERE status = 'progress' AND held_by_batch IS NULL
       AND expired_at IS NOT NULL AND expired_at < ?
       AND (next_sync_at <= ? OR (sync_error_count = 0 AND COALESCE(last_sync_outcome, '') NOT IN ('anomaly', 'decided')))
     ORDER BY expired_at LIMIT ?`,
    [now - graceMs, now, limit],
  )
}

const TABLE = { pay: 'pay_orders', refund: 'refund_orders' } as const satisfies Record<TradeType, string>

/** Trades whose next scheduled sync is due, soonest first. */
export function* dueOfTableOn(x: Exec, type: TradeType, now: number, limit: number): Q<Row[]> {
  return yield* all<Row>(
    x,
    `SELECT id, merchant_id FROM ${TABLE[type]} WHERE status = 'progress' AND held_by_batch IS NULL AND next_sync_at <= ?
     ORDER BY next_sync_at LIMIT ?`,
    [now, limit],
  )
}

/** One tick's trades: at most `limit` of each kind, an expired order once (as a timeout close). */
export const scheduleDueOn = both(function* (
  x: Exec,
  now: number,
  graceMs: number,
  limit: number,
): Q<DueTrade[]> {
  const expired = yield* expiredOrdersOn(x, now, graceMs, limit)
  const pay = yield* dueOfTableOn(x, 'pay', now, limit)
  const refund = yield* dueOfTableOn(x, 'refund', now, limit)
  const closing = new Set(expired.map((r) => Number(r.id)))
  const of = (type: TradeType, source: DueTrade['source']) => (r: Row) => ({
    type,
    id: Number(r.id),
    merchantId: Number(r.merchant_id),
    source,
  })
  return [
    ...expired.map(of('pay', 'timeout')),
    ...pay.filter((r) => !closing.has(Number(r.id))).map(of('pay', 'schedule')),
    ...refund.map(of('refund', 'schedule')),
  ]
})

/** The desktop file's reader of what is due, for a Scheduler (engine/scheduler.ts). */
export function fileDue(db: Db): (now: number, graceMs: number, limit: number) => Promise<DueTrade[]> {
  const x = sqliteExec(db)
  return async (now, graceMs, limit) => scheduleDueOn.sync(x, now, graceMs, limit)
}
