import type { CallContext, CloseAnswer, PayTradeRef } from '../types'
import { queryPay } from './pay'
import type { UnionpayTransport } from './transport'

/**
 * UnionPay online payments have no close call. The merchant's `payTimeout` (sent with the payment)
 * makes the gateway refuse the payment once it has passed, and past it UnionPay's rule is that any
 * origRespCode other than 00 (or A6) is final: a late bank success is refunded by UnionPay itself.
 * So "closing" is asking once more: still unpaid, failed or unknown means there is nothing to close
 * (`not_found`, which the engine takes as closed); paid means `not_closable`, and the engine queries
 * again and applies the paid row. If a payment does land after all, the next sync sees a paid order
 * that is closed locally and opens `paid_after_close` for a person.
 */
export async function closePay(
  t: UnionpayTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<CloseAnswer> {
  const a = await queryPay(t, trade, ctx)
  const common = {
    rawStatus: a.rawStatus,
    rawText: a.rawText,
    attempts: a.attempts,
    serverTime: a.serverTime,
    latencyMs: a.latencyMs,
  }
  // Every status is named, so that a new one is a compile error here rather than a silent error.
  switch (a.status) {
    case 'pay_progress':
    case 'pay_fail':
    case 'pay_not_found':
      return { result: 'not_found', errorCode: null, errorMsg: null, ...common }
    case 'pay_success':
      return {
        result: 'not_closable',
        errorCode: 'paid',
        errorMsg: 'the order is paid at UnionPay',
        ...common,
      }
    // The query never reads closed or refunded (UnionPay has neither word for a payment); were it
    // to, nothing is assumed, as for an answer that could not be used.
    case 'pay_closed':
    case 'pay_refund':
    case 'sync_error':
      return {
        result: 'error',
        errorCode: a.errorCode ?? 'sync_error',
        errorMsg: a.errorMsg ?? 'the gateway answer could not be used',
        ...common,
      }
  }
}
