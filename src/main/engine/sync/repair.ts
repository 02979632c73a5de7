import type {
  Actor,
  AutoRepairWay,
  Channel,
  PayStatus,
  RefundStatus,
  SyncSource,
} from '../../../shared/domain'
import { fenToYuan } from '../../../shared/money'
import { payOrderById } from '../../store/orders/lookups'
import { casPayOrderOn, recomputeRefundStateOn } from '../../store/orders/sync-writes'
import { casRefundOrderOn } from '../../store/refunds'
import { sendRepairRecordOn } from '../../store/repairs'
import type { Exec, Q } from '../../store/sql/exec'
import { newRepairNo } from './repair-no'

// A repair as data: what the attempt saw of the trade (status and version for the compare-and-set of
// docs/domain.md section 6, rule 2) and what the gateway said, applied in the write transaction. Data
// and not a closure, so that an attempt whose write the database refused can be kept in the journal
// as it is and applied when the database takes it again (durable.ts), by this same code.

export interface PayRepair {
  type: 'pay'
  way: Extract<
    AutoRepairWay,
    'pay_success' | 'pay_close_local' | 'pay_fail' | 'pay_close_gateway' | 'payscore_sync_gateway'
  >
  to: PayStatus
  /** The order as the attempt read it under its lease. */
  order: {
    id: number
    status: PayStatus
    version: number
    orderNo: string
    channel: Channel
    merchantId: number
    paidAt: number | null
    closedAt: number | null
  }
  /** The gateway's answer, for a repair to success. */
  paidAt: number | null
  gatewayTradeNo: string | null
}

export interface RefundRepair {
  type: 'refund'
  way: Extract<AutoRepairWay, 'refund_success' | 'refund_close'>
  to: RefundStatus
  refund: {
    id: number
    status: RefundStatus
    version: number
    refundNo: string
    channel: Channel
    merchantId: number
    payOrderId: number
  }
  finishedAt: number | null
  gatewayRefundNo: string | null
}

export type RepairPlan = PayRepair | RefundRepair

/** Who a repair is booked to: the attempt's source, and who asked for it (operator, user, transport). */
export interface RepairBy extends Actor {
  source: SyncSource
}

/**
 * The note on a refund repair's pay order row: how its refundable amount moved, in yuan, as finance
 * staff read it in the repair list and its export. Empty when it did not move.
 */
export function refundableChange(beforeFen: number, afterFen: number): string {
  return beforeFen === afterFen ? '' : `可退金额 ${fenToYuan(beforeFen)} 元 → ${fenToYuan(afterFen)} 元`
}

/** Applies a repair inside the caller's transaction; the repair number, or null when the trade changed. */
export function* applyRepairOn(x: Exec, plan: RepairPlan, by: RepairBy, now: number): Q<string | null> {
  return plan.type === 'pay'
    ? yield* applyPayRepair(x, plan, by, now)
    : yield* applyRefundRepair(x, plan, by, now)
}

function* applyPayRepair(x: Exec, plan: PayRepair, by: RepairBy, now: number): Q<string | null> {
  const { order, to } = plan
  const patch =
    to === 'success'
      ? { status: to, paidAt: order.paidAt ?? plan.paidAt ?? now, gatewayTradeNo: plan.gatewayTradeNo }
      : to === 'close'
        ? { status: to, closedAt: order.closedAt ?? now }
        : { status: to }
  if (!(yield* casPayOrderOn(x, order.id, { status: order.status, version: order.version }, patch, now)))
    return null
  const repairNo = newRepairNo(now)
  yield* sendRepairRecordOn(x, {
    repairNo,
    tradeType: 'pay',
    tradeId: order.id,
    tradeNo: order.orderNo,
    source: by.source,
    way: plan.way,
    channel: order.channel,
    merchantId: order.merchantId,
    beforeStatus: order.status,
    afterStatus: to,
    remark: null,
    operator: by.operator,
    systemUser: by.systemUser ?? null,
    transport: by.transport ?? null,
    syncRecordId: null,
    createdAt: now,
  })
  return repairNo
}

/**
 * Compare-and-set on the refund, then its pay order follows: the pay order's refundable amount and
 * refund status are recomputed from its refunds, so restoring twice is impossible. Two repair rows
 * under one number, the refund's and its pay order's.
 */
function* applyRefundRepair(x: Exec, plan: RefundRepair, by: RepairBy, now: number): Q<string | null> {
  const { refund, to } = plan
  const patch =
    to === 'success'
      ? { status: to, finishedAt: plan.finishedAt ?? now, gatewayRefundNo: plan.gatewayRefundNo }
      : { status: to, finishedAt: now }
  if (
    !(yield* casRefundOrderOn(x, refund.id, { status: refund.status, version: refund.version }, patch, now))
  )
    return null
  const before = (yield* payOrderById(x, refund.payOrderId))!
  yield* recomputeRefundStateOn(x, refund.payOrderId, now)
  const after = (yield* payOrderById(x, refund.payOrderId))!
  const repairNo = newRepairNo(now)
  const common = {
    repairNo,
    source: by.source,
    way: plan.way,
    channel: refund.channel,
    merchantId: refund.merchantId,
    remark: null,
    operator: by.operator,
    systemUser: by.systemUser ?? null,
    transport: by.transport ?? null,
    syncRecordId: null,
    createdAt: now,
  }
  yield* sendRepairRecordOn(x, {
    ...common,
    tradeType: 'refund',
    tradeId: refund.id,
    tradeNo: refund.refundNo,
    beforeStatus: refund.status,
    afterStatus: to,
  })
  yield* sendRepairRecordOn(x, {
    ...common,
    tradeType: 'pay',
    tradeId: before.id,
    tradeNo: before.order_no,
    beforeStatus: before.refund_status,
    afterStatus: after.refund_status,
    remark: refundableChange(before.refundable_amount, after.refundable_amount) || null,
  })
  return repairNo
}
