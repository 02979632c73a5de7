import { aboutAnotherTrade, callMeta, payFailure, payNotFound, type CallMeta } from '../kit'
import type { CallContext, PayAnswer, PayTradeRef } from '../types'
import { parseDaxTime } from './sign'
import { amountOf, NOT_FOUND, PAID_ORDER, PAY_WORDS_2, PAY_WORDS_3, plainNumber } from './states'
import type { DaxpayTransport } from './transport'

// The pay sync (3.x `/unipay/sync/pay`, 2.x `/unipay/syncPay`) and, after a paid one, DaxPay's own
// order (docs/domain.md section 8): the sync says what became of the order, the order says how much
// was paid, under which number and when.

export async function queryPay(
  t: DaxpayTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<PayAnswer> {
  const { ex, reading } = await t.call('pay', t.payNumbers(trade), `pay ${trade.orderNo}`, ctx)
  const meta = callMeta(ex)
  const error = (code: string, msg: string, rawStatus: string | null = code) =>
    payFailure(meta, { code, msg, raw: reading.raw }, rawStatus)
  if (reading.kind === 'error') return payFailure(meta, reading)
  if (reading.code === NOT_FOUND) return payNotFound(meta, `${NOT_FOUND} ${reading.msg}`.trim(), reading.raw)
  if (reading.code !== 0) return error(String(reading.code), reading.msg || 'DaxPay refused the sync')
  const d = reading.data ?? {}
  if (t.version === '2' && d.success === false) {
    // The 2.0.0 answer says so itself when its query of the channel failed.
    return error(
      'pay_fail',
      String(d.errorMsg || 'DaxPay could not query the channel'),
      String(d.gatewayStatus ?? ''),
    )
  }
  const word = String((t.version === '3' ? d.orderStatus : (d.gatewayStatus ?? d.status)) ?? '')
  if (t.version === '2' && word === 'pay_fail')
    return error('pay_fail', String(d.errorMsg || 'DaxPay could not query the channel'), word)
  const status = (t.version === '3' ? PAY_WORDS_3 : PAY_WORDS_2)[word]
  if (!status) return error('malformed', `unknown DaxPay pay status "${word}"`, word || null)
  const answer: PayAnswer = {
    status,
    rawStatus: word,
    rawText: reading.raw,
    errorCode: null,
    errorMsg: null,
    amount: null,
    gatewayTradeNo: null,
    paidAt: null,
    ...meta,
  }
  // The sync answers carry neither the amount nor DaxPay's order number; a paid one is read from
  // DaxPay's own order before the engine may repair to success (docs/domain.md section 8).
  return status === 'pay_success' || status === 'pay_refund' ? withOrder(t, trade, answer, ctx) : answer
}

/**
 * A paid sync answer completed from DaxPay's own order (3.x `/unipay/query/payOrder`, 2.x
 * `/uni/query/payOrder`): its amount, its order number and the payment time, from an answer that
 * names our order and says it was paid. Any doubt is an error; a paid order without an amount keeps
 * none, and the engine repairs nothing.
 */
async function withOrder(
  t: DaxpayTransport,
  trade: PayTradeRef,
  paid: PayAnswer,
  ctx?: CallContext,
): Promise<PayAnswer> {
  const numbers = t.payNumbers(trade)
  const { ex, reading } = await t.call('order', numbers, `order ${trade.orderNo}`, ctx)
  const meta: CallMeta = {
    attempts: paid.attempts + ex.attempts,
    latencyMs: ex.latencyMs ?? paid.latencyMs,
    serverTime: (ex.ok ? ex.serverTime : null) ?? paid.serverTime,
  }
  const followUps = reading.raw === null ? [] : [reading.raw]
  const error = (code: string, msg: string): PayAnswer => ({
    ...payFailure(meta, { code, msg: `DaxPay's order, read after its sync: ${msg}`, raw: paid.rawText }),
    rawStatus: paid.rawStatus,
    followUps,
  })
  if (reading.kind === 'error') return error(reading.code, reading.msg)
  if (reading.code !== 0) return error(String(reading.code), reading.msg || 'DaxPay refused the query')
  const d = reading.data ?? {}
  // Bound to our order: the number we asked by must be named, and every other one we know must agree.
  const [key, value] = Object.entries(numbers)[0]!
  if (String(d[key] ?? '') !== value)
    return error('mismatch', `the answer does not name ${key} ${value}, which was asked about`)
  const mine =
    t.version === '3'
      ? { bizOrderNo: trade.orderNo, orderNo: trade.gatewayTradeNo }
      : { businessNo: trade.orderNo, paymentId: trade.gatewayTradeNo }
  const other = aboutAnotherTrade(d, mine)
  if (other) return error(other.code, other.msg)
  const status = typeof d.status === 'string' ? d.status : ''
  if (!PAID_ORDER.has(status))
    return error('inconsistent', `the sync says ${paid.rawStatus ?? 'paid'}, the order says "${status}"`)
  const amount = amountOf(d.amount, t.version)
  if (amount === 'unreadable') return error('malformed', `amount "${String(d.amount)}" is not an amount`)
  const own = t.version === '3' ? d.orderNo : d.paymentId
  // A number with a quote, a backslash or a control character hashes as the same number without it.
  if (typeof own === 'string' && !plainNumber(own))
    return error('malformed', `DaxPay's order number "${own}" is not a number DaxPay gives`)
  const payTime = d.payTime === undefined || d.payTime === null ? null : parseDaxTime(d.payTime, t.version)
  return {
    ...paid,
    ...meta,
    amount,
    gatewayTradeNo: typeof own === 'string' || typeof own === 'number' ? String(own) || null : null,
    paidAt: payTime,
    followUps,
  }
}
