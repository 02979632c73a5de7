import type { GatewayAdapter, RefundAnswer } from '../../gateways/types'
import type { MerchantVersion } from '../../store/merchants'
import type { PayOrderRow } from '../../store/orders'
import type { RefundOrderRow } from '../../store/refunds'
import { decideRefund } from '../decide-refund'
import { anomalyOf, errorFinding, findingOf, type Finding } from './finding'
import type { RefundRepair } from './repair'
import type { Attempt } from './types'

// The refund side of one attempt: ask the gateway and apply the table of docs/domain.md section 5.
// A refund repair writes two repair rows under one number: the refund's, and its pay order's, whose
// refundable amount and refund status follow from its refunds.

export class RefundFlow {
  constructor(
    private readonly payOrderOf: (id: number) => Promise<PayOrderRow | undefined>,
    private readonly now: () => number,
    private readonly adapterOf: (merchantId: number, seen?: MerchantVersion) => Promise<GatewayAdapter>,
    private readonly graceMs: number,
  ) {}

  async find(refund: RefundOrderRow, attempt: Attempt): Promise<Finding> {
    const adapter = await this.adapterOf(refund.merchant_id, attempt.merchantSeen)
    const pay = (await this.payOrderOf(refund.pay_order_id))!
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
          repair: this.repair(refund, decision.way, decision.to, answer),
        }
    }
  }

  /** A repair of the refund, applied in the write transaction: compare-and-set, then its pay order. */
  private repair(
    refund: RefundOrderRow,
    way: RefundRepair['way'],
    to: RefundOrderRow['status'],
    answer: RefundAnswer,
  ): RefundRepair {
    return {
      type: 'refund',
      way,
      to,
      refund: {
        id: refund.id,
        status: refund.status,
        version: refund.version,
        refundNo: refund.refund_no,
        channel: refund.channel,
        merchantId: refund.merchant_id,
        payOrderId: refund.pay_order_id,
      },
      finishedAt: answer.finishedAt,
      gatewayRefundNo: answer.gatewayRefundNo,
    }
  }
}
