import type {
  AnswerBase,
  CallContext,
  CloseAnswer,
  GatewayAdapter,
  PayAnswer,
  PayTradeRef,
} from '../../gateways/types'
import type { MerchantVersion } from '../../store/merchants'
import type { PayOrderRow } from '../../store/orders'
import { decidePay, type PayDecision, type PayLocal } from '../decide-pay'
import { anomalyOf, errorFinding, findingOf, type Finding } from './finding'
import type { PayRepair } from './repair'
import type { Attempt } from './types'

// The pay side of one attempt: ask the gateway, apply the table of docs/domain.md section 4, and for
// its two actions that need the gateway again, close it there (pay_close_gateway) or post a paid
// payscore order to it (payscore_sync_gateway). Nothing is written here: the finding carries the repair.

type PayWay = PayRepair['way']

function payRef(o: PayOrderRow): PayTradeRef {
  return {
    orderNo: o.order_no,
    bizOrderNo: o.biz_order_no,
    gatewayTradeNo: o.gateway_trade_no,
    amount: o.amount,
    kind: o.kind,
    createdAt: o.created_at,
    paidAt: o.paid_at,
  }
}

/**
 * The texts one attempt received, in the order received (docs/domain.md 6.1): the record keeps the
 * answer its decision stands on as syncInfo, and every other one (a bound order query, a close and
 * the query confirming it, an earlier query, a payscore sync) as actionInfo.
 */
class Received {
  private readonly texts: Array<string | null> = []
  private answerAt = -1

  answer(a: PayAnswer): void {
    this.answerAt = this.texts.length
    this.call(a)
  }

  call(a: AnswerBase): void {
    this.texts.push(a.rawText, ...(a.followUps ?? []))
  }

  further(): string | null {
    const rest = this.texts.filter((t, i): t is string => i !== this.answerAt && t !== null)
    return rest.length ? rest.join('\n\n') : null
  }
}

function payLocal(o: PayOrderRow): PayLocal {
  return {
    status: o.status,
    refundStatus: o.refund_status,
    amount: o.amount,
    expiredAt: o.expired_at,
    kind: o.kind,
  }
}

export class PayFlow {
  constructor(
    private readonly now: () => number,
    private readonly adapterOf: (merchantId: number, seen?: MerchantVersion) => Promise<GatewayAdapter>,
  ) {}

  async find(order: PayOrderRow, attempt: Attempt): Promise<Finding> {
    const adapter = await this.adapterOf(order.merchant_id, attempt.merchantSeen)
    // One context for every call of this sync: `stop` is asked before the first request only.
    const call: CallContext = {
      gate: attempt.gate,
      slots: attempt.slots,
      stop: attempt.stop,
      waited: attempt.waited,
    }
    const received = new Received()
    let answer = await adapter.queryPay(payRef(order), call)
    received.answer(answer)
    let decision = decidePay(payLocal(order), answer, this.now())
    let actionInfo = received.further()

    if (decision.action === 'close_gateway') {
      // The intent is on disk before the gateway is asked (docs/domain.md section 6.8).
      await attempt.intend('close')
      const close = await adapter.closePay(payRef(order), call)
      received.call(close)
      actionInfo = received.further()
      if (close.result === 'error') return closeFailed(answer, decision, close, actionInfo)
      if (close.result === 'not_closable') {
        // The gateway will not close it: paid meanwhile (ORDER_PAID, ACQ.TRADE_STATUS_ERROR). Ask again
        // and apply the row for what it says now, without a second close.
        answer = await adapter.queryPay(payRef(order), call)
        received.answer(answer)
        actionInfo = received.further()
        decision = decidePay(payLocal(order), answer, this.now())
        if (decision.action === 'close_gateway') {
          return closeFailed(
            answer,
            decision,
            {
              ...close,
              errorCode: close.errorCode ?? 'not_closable',
              errorMsg: `the gateway refused to close an order it still reports as ${answer.rawStatus ?? 'open'}`,
            },
            actionInfo,
          )
        }
      } else {
        // A local order already closed or cancelled keeps its status; a progress one closes now.
        const to = order.status === 'progress' ? 'close' : order.status
        return this.repair(order, answer, decision, 'pay_close_gateway', to, actionInfo)
      }
    }

    if (decision.action === 'payscore_sync') {
      if (!adapter.syncPayscorePaid) {
        return errorFinding(
          findingOf(answer, decision),
          'unsupported',
          'this channel cannot sync payscore orders',
        )
      }
      await attempt.intend('payscore_sync')
      const paid = await adapter.syncPayscorePaid(payRef(order), order.paid_at ?? this.now(), call)
      received.call(paid)
      actionInfo = received.further()
      if (paid.result === 'error')
        return { ...errorFinding(findingOf(answer, decision), paid.errorCode, paid.errorMsg), actionInfo }
      if (paid.result === 'retry_later') {
        return {
          ...findingOf(answer, decision),
          outcome: 'waiting',
          actionInfo,
          errorCode: paid.errorCode,
          errorMsg: paid.errorMsg,
        }
      }
      return this.repair(order, answer, decision, 'payscore_sync_gateway', 'success', actionInfo)
    }

    switch (decision.action) {
      case 'error':
        return {
          ...errorFinding(findingOf(answer, decision), answer.errorCode, answer.errorMsg),
          actionInfo,
        }
      case 'none':
        return { ...findingOf(answer, decision), outcome: decision.outcome, actionInfo }
      case 'anomaly':
        return {
          ...findingOf(answer, decision),
          outcome: 'anomaly',
          actionInfo,
          anomaly: anomalyOf(decision.anomaly, answer.amount, answer.paidAt),
        }
      case 'repair': {
        const finding = this.repair(order, answer, decision, decision.way, decision.to, actionInfo)
        if (decision.then) finding.anomaly = anomalyOf(decision.then, answer.amount, answer.paidAt)
        return finding
      }
      default:
        throw new Error(`unhandled decision ${(decision as PayDecision).action}`)
    }
  }

  /** A repair of the order, applied later in the write transaction under compare-and-set. */
  private repair(
    order: PayOrderRow,
    answer: PayAnswer,
    decision: PayDecision,
    way: PayWay,
    to: PayOrderRow['status'],
    actionInfo: string | null,
  ): Finding {
    const finding: Finding = {
      ...findingOf(answer, decision),
      outcome: 'repaired',
      actionInfo,
      statusAfter: to,
    }
    finding.repair = {
      type: 'pay',
      way,
      to,
      order: {
        id: order.id,
        status: order.status,
        version: order.version,
        orderNo: order.order_no,
        channel: order.channel,
        merchantId: order.merchant_id,
        paidAt: order.paid_at,
        closedAt: order.closed_at,
      },
      paidAt: answer.paidAt,
      gatewayTradeNo: answer.gatewayTradeNo,
    }
    return finding
  }
}

/** The close at the gateway failed: the attempt is an error and the order stays as it is. */
function closeFailed(
  answer: PayAnswer,
  decision: PayDecision,
  close: CloseAnswer,
  actionInfo: string | null,
): Finding {
  const msg = `close at the gateway failed: ${close.errorMsg ?? ''}`.trim()
  return { ...errorFinding(findingOf(answer, decision), close.errorCode, msg), actionInfo }
}
