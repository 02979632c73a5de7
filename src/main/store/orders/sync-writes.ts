import type { PayStatus } from '../../../shared/domain'
import type { Db } from '../connection'
import { both, run, send, type Exec, type Q } from '../sql/exec'
import { sqliteExec } from '../sql/sqlite-exec'
import { markTradeSyncedOn, alsoSyncMark, type SyncMark } from '../trade-schedule'

// What a sync, or a person's decision, writes to a pay order: the state under compare-and-set, the
// refund state its refunds add up to, and the schedule's bookkeeping.

export interface PayOrderPatch {
  status: PayStatus
  paidAt?: number | null
  closedAt?: number | null
  gatewayTradeNo?: string | null
}

/**
 * The compare-and-set of docs/domain.md 6.2: applies only when the order still has the status and version
 * the decision was made on. Returns false when someone else changed it first.
 */
export const casPayOrderOn = both(function* (
  x: Exec,
  id: number,
  expect: { status: PayStatus; version: number },
  patch: PayOrderPatch,
  now: number,
  mark?: SyncMark,
): Q<boolean> {
  // A sync's bookkeeping rides along when given: one update of the row where there were two.
  const kept = alsoSyncMark(mark)
  const changed = yield* run(
    x,
    `UPDATE pay_orders SET status = ?,
       paid_at = CASE WHEN ? THEN ? ELSE paid_at END,
       closed_at = CASE WHEN ? THEN ? ELSE closed_at END,
       gateway_trade_no = COALESCE(gateway_trade_no, ?),
       refundable_amount = CASE WHEN ? = 'success' AND status <> 'success' THEN amount - (
         SELECT COALESCE(sum(amount), 0) FROM refund_orders WHERE pay_order_id = pay_orders.id AND status IN ('progress', 'success'))
         ELSE refundable_amount END,
       held_by_batch = CASE WHEN ? = 'progress' THEN held_by_batch END,
       version = version + 1, updated_at = ?${kept.set}
     WHERE id = ? AND status = ? AND version = ?`,
    [
      patch.status,
      patch.paidAt !== undefined ? 1 : 0,
      patch.paidAt ?? null,
      patch.closedAt !== undefined ? 1 : 0,
      patch.closedAt ?? null,
      patch.gatewayTradeNo ?? mark?.fillNo ?? null,
      patch.status,
      // A final order is in no schedule: nothing is left to hold (docs/domain.md 6.7).
      patch.status,
      now,
      ...kept.params,
      id,
      expect.status,
      expect.version,
    ],
  )
  return changed === 1
})

export const casPayOrder = (
  db: Db,
  id: number,
  expect: { status: PayStatus; version: number },
  patch: PayOrderPatch,
  now = Date.now(),
): boolean => casPayOrderOn.sync(sqliteExec(db), id, expect, patch, now)

/**
 * The refund state of a pay order from its refunds themselves, so restoring twice is impossible: the
 * SET of its refundable amount and refund status, for the order `payOrder` names (a bound `?`, or a
 * column of a statement over many orders). Counted with CASE rather than summing a comparison, which
 * PostgreSQL's booleans refuse.
 */
export const refundStateSet = (payOrder: string): string =>
  `refundable_amount = CASE WHEN status = 'success' THEN amount - (
         SELECT COALESCE(sum(amount), 0) FROM refund_orders WHERE pay_order_id = ${payOrder} AND status IN ('progress', 'success'))
         ELSE refundable_amount END,
       refund_status = (
         SELECT CASE
           WHEN sum(CASE WHEN status = 'progress' THEN 1 ELSE 0 END) > 0 THEN 'refunding'
           WHEN COALESCE(sum(CASE WHEN status = 'success' THEN amount END), 0) >= pay_orders.amount
             AND sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) > 0 THEN 'refunded'
           WHEN sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) > 0 THEN 'partial_refund'
           ELSE 'no_refund' END
         FROM refund_orders WHERE pay_order_id = ${payOrder})`

/** Recomputes one pay order's refund state (refundStateSet) and moves its version on. */
export const recomputeRefundStateOn = both(function* (x: Exec, payOrderId: number, now: number): Q<void> {
  yield* run(
    x,
    `UPDATE pay_orders SET
       ${refundStateSet('?')},
       version = version + 1, updated_at = ?
     WHERE id = ?`,
    [payOrderId, payOrderId, now, payOrderId],
  )
})

export const recomputeRefundState = (db: Db, payOrderId: number, now = Date.now()): void =>
  recomputeRefundStateOn.sync(sqliteExec(db), payOrderId, now)

/** Fills a gateway trade number the order did not have. A known one is never overwritten, nor emptied. */
export const fillGatewayTradeNoOn = both(function* (
  x: Exec,
  id: number,
  gatewayTradeNo: string | null | undefined,
): Q<void> {
  if (!gatewayTradeNo) return
  yield* send(x, 'UPDATE pay_orders SET gateway_trade_no = ? WHERE id = ? AND gateway_trade_no IS NULL', [
    gatewayTradeNo,
    id,
  ])
})

export const fillGatewayTradeNo = (db: Db, id: number, gatewayTradeNo: string | null | undefined): void =>
  fillGatewayTradeNoOn.sync(sqliteExec(db), id, gatewayTradeNo)

export const markPayOrderSynced = (db: Db, id: number, s: SyncMark): void =>
  markTradeSyncedOn.sync(sqliteExec(db), 'pay', id, s)
