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
import { sendRepairRecordOn, type NewRepairRecord } from '../../store/repairs'
import type { Exec, Q } from '../../store/sql/exec'
import type { SyncMark } from '../../store/trade-schedule'
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

/**
 * A repair applied: its number, and its rows for the repair list, written once the attempt's sync record
 * is, so that they carry its id from the start instead of an update after (`writeRepairRowsOn`).
 */
export interface AppliedRepair {
  repairNo: string
  rows: Array<Omit<NewRepairRecord, 'syncRecordId'>>
}

/**
 * Applies a repair inside the caller's transaction; null when the trade changed. `mark`, the sync's
 * bookkeeping of the trade as it stands once repaired, goes in the same compare-and-set.
 */
export function* applyRepairOn(
  x: Exec,
  plan: RepairPlan,
  by: RepairBy,
  now: number,
  mark?: SyncMark,
): Q<AppliedRepair | null> {
  return plan.type === 'pay'
    ? yield* applyPayRepair(x, plan, by, now, mark)
    : yield* applyRefundRepair(x, plan, by, now, mark)
}

/** A repair's rows, naming the sync record that made it. */
export function* writeRepairRowsOn(x: Exec, repair: AppliedRepair, syncRecordId: number): Q<void> {
  for (const row of repair.rows) yield* sendRepairRecordOn(x, { ...row, syncRecordId })
}

function* applyPayRepair(
  x: Exec,
  plan: PayRepair,
  by: RepairBy,
  now: number,
  mark: SyncMark | undefined,
): Q<AppliedRepair | null> {
  const { order, to } = plan
  const patch =
    to === 'success'
      ? { status: to, paidAt: order.paidAt ?? plan.paidAt ?? now, gatewayTradeNo: plan.gatewayTradeNo }
      : to === 'close'
        ? { status: to, closedAt: order.closedAt ?? now }
        : { status: to }
  const expect = { status: order.status, version: order.version }
  if (!(yield* casPayOrderOn(x, order.id, expect, patch, now, mark))) return null
  const repairNo = newRepairNo(now)
  const row = {
    repairNo,
    tradeType: 'pay' as const,
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
    createdAt: now,
  }
  return { repairNo, rows: [row] }
}

/**
 * Compare-and-set on the refund, then its pay order follows: the pay order's refundable amount and
 * refund status are recomputed from its refunds, so restoring twice is impossible. Two repair rows
 * under one number, the refund's and its pay order's.
 */
function* applyRefundRepair(
  x: Exec,
  plan: RefundRepair,
  by: RepairBy,
  now: number,
  mark: SyncMark | undefined,
): Q<AppliedRepair | null> {
  const { refund, to } = plan
  const patch =
    to === 'success'
      ? { status: to, finishedAt: plan.finishedAt ?? now, gatewayRefundNo: plan.gatewayRefundNo }
      : { status: to, finishedAt: now }
  const expect = { status: refund.status, version: refund.version }
  if (!(yield* casRefundOrderOn(x, refund.id, expect, patch, now, mark))) return null
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
    createdAt: now,
  }
  return {
    repairNo,
    rows: [
      {
        ...common,
        tradeType: 'refund',
        tradeId: refund.id,
        tradeNo: refund.refundNo,
        beforeStatus: refund.status,
        afterStatus: to,
      },
      {
        ...common,
        tradeType: 'pay',
        tradeId: before.id,
        tradeNo: before.order_no,
        beforeStatus: before.refund_status,
        afterStatus: after.refund_status,
        remark: refundableChange(before.refundable_amount, after.refundable_amount) || null,
      },
    ],
  }
}
