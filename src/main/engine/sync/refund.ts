import { fenToYuan } from '../../../shared/money'
import type { GatewayAdapter, RefundAnswer } from '../../gateways/types'
import type { Db } from '../../store/connection'
import { getPayOrder, recomputeRefundState } from '../../store/orders'
import { casRefundOrder, type RefundOrderRow } from '../../store/refunds'
import { insertRepairRecord } from '../../store/repairs'
import { decideRefund } from '../decide-refund'
import { anomalyOf, errorFinding, findingOf, type Finding, type RepairBy } from './finding'
import { newRepairNo } from './repair-no'
import type { Attempt } from './types'

// The refund side of one attempt: ask the gateway and apply the table of docs/domain.md section 5.
// A refund repair writes two repair rows under one number: the refund's, and its pay order's, whose
// refundable amount and refund status follow from its refunds.

/**
 * The note on a refund repair's pay order row: how its refundable amount moved, in yuan, as finance
 * staff read it in the repair list and its export. Empty when it did not move.
 */
export function refundableChange(beforeFen: number, afterFen: number): string {
  return beforeFen === afterFen ? '' : `可退金额 ${fenToYuan(beforeFen)} 元 → ${fenToYuan(afterFen)} 元`
}

export class RefundFlow {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly adapterOf: (merchantId: number) => Promise<GatewayAdapter>,
    private readonly graceMs: number,
  ) {}

  async find(refund: RefundOrderRow, attempt: Attempt): Promise<Finding> {
    const adapter = await this.adapterOf(refund.merchant_id)
    const pay = getPayOrder(this.db, refund.pay_order_id)!
    const answer = await adapter.queryRefund(
      {
        refundNo: refund.refund_no,
        bizRefundNo: refund.biz_refund_no,
        gatewayRefundNo: refund.gateway_refund_no,
        orderNo: pay.order_no,
        gatewayTradeNo: pay.gateway_trade_no,
        amount: refund.amount,
        createdAt: refund.created_at,
      },
      { gate: attempt.gate, slots: attempt.slots, stop: attempt.stop, waited: attempt.waited },
    )
    const decision = decideRefund(
      { status: refund.status, amount: refund.amount, createdAt: refund.created_at },
      { status: answer.status, amount: answer.amount },
      this.now(),
      this.graceMs,
    )
    const found = findingOf(answer, decision)
    switch (decision.action) {
      case 'error':
        return errorFinding(found, answer.errorCode, answer.errorMsg)
      case 'none':
        return { ...found, outcome: decision.outcome }
      case 'anomaly':
        return {
          ...found,
          outcome: 'anomaly',
          anomaly: anomalyOf(decision.anomaly, answer.amount, answer.finishedAt),
        }
      case 'repair':
        return {
          ...found,
          outcome: 'repaired',
          statusAfter: decision.to,
          repair: (by) => this.repair(refund, decision.way, decision.to, answer, by),
        }
    }
  }

  /** Applied in the write transaction: compare-and-set on the refund, then its pay order follows. */
  private repair(
    refund: RefundOrderRow,
    way: 'refund_success' | 'refund_close',
    to: RefundOrderRow['status'],
    answer: RefundAnswer,
    by: RepairBy,
  ): string | null {
    const now = this.now()
    const patch =
      to === 'success'
        ? { status: to, finishedAt: answer.finishedAt ?? now, gatewayRefundNo: answer.gatewayRefundNo }
        : { status: to, finishedAt: now }
    if (!casRefundOrder(this.db, refund.id, { status: refund.status, version: refund.version }, patch, now))
      return null
    const before = getPayOrder(this.db, refund.pay_order_id)!
    // The pay order's refundable amount and refund status follow from its refunds: restoring twice is impossible.
    recomputeRefundState(this.db, refund.pay_order_id, now)
    const after = getPayOrder(this.db, refund.pay_order_id)!
    const repairNo = newRepairNo(now)
    const common = {
      repairNo,
      source: by.source,
      way,
      channel: refund.channel,
      merchantId: refund.merchant_id,
      remark: null,
      operator: by.operator,
      systemUser: by.systemUser ?? null,
      transport: by.transport ?? null,
      syncRecordId: null,
      createdAt: now,
    }
    insertRepairRecord(this.db, {
      ...common,
      tradeType: 'refund',
      tradeId: refund.id,
      tradeNo: refund.refund_no,
      beforeStatus: refund.status,
      afterStatus: to,
    })
    insertRepairRecord(this.db, {
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
}
