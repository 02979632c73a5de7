import type { GatewayStatus, Outcome, TradeType } from '../../shared/domain'
import type { Db } from './connection'
import { all, both, run, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// What the schedules and the sync keep on both trade tables alike: the last sync's bookkeeping, and
// which trades are pending or brought in by an import (what is due: schedule-due.ts). The public names
// (allPayOrderIds, markRefundOrderSynced...) stay in store/orders/ and store/refunds.ts, one line each over these.

const TABLE = { pay: 'pay_orders', refund: 'refund_orders' } as const satisfies Record<TradeType, string>

/** What a sync attempt leaves on its trade for the list and the schedules (docs/domain.md section 7). */
export interface SyncMark {
  at: number
  outcome: Outcome
  gatewayStatus: GatewayStatus | null
  errorCount: number
  nextSyncAt: number | null
  /**
   * The gateway's number for a trade that had none: filled in the same update, never overwritten nor
   * emptied (on a refund with its updated_at), where a second update of the row did it before.
   */
  fillNo?: string | null
}

/** The gateway's number of each trade table, and what else a fill of it changes. */
const FILL = {
  pay: 'gateway_trade_no = COALESCE(gateway_trade_no, ?)',
  refund:
    'updated_at = CASE WHEN gateway_refund_no IS NULL THEN ? ELSE updated_at END, gateway_refund_no = COALESCE(gateway_refund_no, ?)',
} as const satisfies Record<TradeType, string>

/** The bookkeeping's columns as a SET list and its values, the gateway's number aside. */
function syncMarkSet(s: SyncMark): { set: string; params: unknown[] } {
  return {
    set: 'last_sync_at = ?, last_sync_outcome = ?, last_gateway_status = ?, sync_error_count = ?, next_sync_at = ?',
    params: [s.at, s.outcome, s.gatewayStatus, s.errorCount, s.nextSyncAt],
  }
}

/**
 * The same, to follow another SET list (its leading comma included), or nothing without a mark: a
 * repair's compare-and-set carries the bookkeeping when it applies (engine/sync/write.ts).
 */
export function alsoSyncMark(s: SyncMark | undefined): { set: string; params: unknown[] } {
  if (!s) return { set: '', params: [] }
  const mark = syncMarkSet(s)
  return { set: `, ${mark.set}`, params: mark.params }
}

export const markTradeSyncedOn = both(function* (x: Exec, type: TradeType, id: number, s: SyncMark): Q<void> {
  // Every expression of a SET reads the row as it was: the fill's CASE sees the number still empty.
  const fill = s.fillNo ? `, ${FILL[type]}` : ''
  const fillParams = !s.fillNo ? [] : type === 'pay' ? [s.fillNo] : [s.at, s.fillNo]
  const mark = syncMarkSet(s)
  yield* send(x, `UPDATE ${TABLE[type]} SET ${mark.set}${fill} WHERE id = ?`, [
    ...mark.params,
    ...fillParams,
    id,
  ])
})

/** Every trade, or those not final; `exceptHeld`: not those a paused or cancelled batch holds. */
export const allTradeIdsOn = both(function* (
  x: Exec,
  type: TradeType,
  pendingOnly: boolean,
  exceptHeld: boolean,
): Q<number[]> {
  const table = TABLE[type]
  const rows = yield* all<{ id: number }>(
    x,
    pendingOnly
      ? `SELECT id FROM ${table} WHERE status = 'progress' ${exceptHeld ? 'AND held_by_batch IS NULL' : ''} ORDER BY id`
      : `SELECT id FROM ${table} ORDER BY id`,
  )
  return rows.map((r) => r.id)
})

export const allTradeIds = (db: Db, type: TradeType, pendingOnly: boolean, exceptHeld: boolean): number[] =>
  allTradeIdsOn.sync(sqliteExec(db), type, pendingOnly, exceptHeld)

/**
 * The trades first brought in by one import run, pay orders then refunds, each in id order: what
 * `batches.start` with an import syncs, on the file and on a team database alike.
 */
export const tradesOfImportOn = both(function* (
  x: Exec,
  importId: number,
): Q<Array<{ type: TradeType; id: number }>> {
  const trades: Array<{ type: TradeType; id: number }> = []
  for (const type of ['pay', 'refund'] as const) {
    const rows = yield* all<{ id: number }>(
      x,
      `SELECT id FROM ${TABLE[type]} WHERE import_id = ? ORDER BY id`,
      [importId],
    )
    for (const r of rows) trades.push({ type, id: Number(r.id) })
  }
  return trades
})

/** After a person looked at a trade that kept failing: back to the normal schedule. */
export const resetTradeErrorsOn = both(function* (
  x: Exec,
  type: TradeType,
  id: number,
  now: number,
): Q<void> {
  yield* run(
    x,
    `UPDATE ${TABLE[type]} SET sync_error_count = 0, next_sync_at = ? WHERE id = ? AND status = 'progress'`,
    [now, id],
  )
})
