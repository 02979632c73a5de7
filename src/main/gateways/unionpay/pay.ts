import { parseFen } from '../../../shared/money'
import { callMeta, payFailure, payNotFound, unusable } from '../kit'
import type { CallContext, PayAnswer, PayTradeRef } from '../types'
import { IN_PROGRESS, processedAt, queryFailed, whyUnreadable } from './answers'
import type { UnionpayTransport } from './transport'

// A pay order's query (`queryTrans.do`, docs/protocols.md section 3): found by queryId when we know
// it, else by our order number and its txnTime.

export async function queryPay(
  t: UnionpayTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<PayAnswer> {
  const { ex, reading } = await t.call(
    t.key(trade.orderNo, trade.gatewayTradeNo, trade.createdAt),
    `pay ${trade.orderNo}`,
    ctx,
  )
  const meta = callMeta(ex)
  if (reading.kind === 'error') return payFailure(meta, reading)
  const f = reading.fields
  // 查无此交易: for a redirect payment also "not submitted yet" (section 5, item 16); the engine's
  // table treats not found before expiry as waiting, so it is safe to report as such.
  if (f.respCode === '34') return payNotFound(meta, 'respCode 34', reading.raw)
  if (f.respCode !== '00') return payFailure(meta, queryFailed(f, reading.raw))
  const orig = f.origRespCode ?? ''
  const amount = f.txnAmt === undefined ? null : parseFen(f.txnAmt)
  const answer = {
    rawStatus: `origRespCode ${orig}`,
    rawText: reading.raw,
    errorCode: null,
    errorMsg: null,
    amount,
    gatewayTradeNo: f.queryId || null,
    paidAt: null as number | null,
    ...meta,
  }
  const unreadable = whyUnreadable(f, orig, amount)
  if (unreadable) return unusable(answer, unreadable.code, unreadable.msg)
  if (orig === '00') {
    if (amount === null) return unusable(answer, 'malformed', 'a successful transaction without txnAmt')
    return { ...answer, status: 'pay_success', paidAt: processedAt(f) }
  }
  if (IN_PROGRESS.has(orig)) return { ...answer, status: 'pay_progress' }
  // Any other original response code: the payment itself failed. Its reason is kept for people.
  return { ...answer, status: 'pay_fail', errorMsg: f.origRespMsg || null }
}
