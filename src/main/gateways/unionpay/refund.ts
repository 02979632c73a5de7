import { parseFen } from '../../../shared/money'
import { callMeta, refundFailure, refundNotFound, unusable } from '../kit'
import type { CallContext, RefundAnswer, RefundTradeRef } from '../types'
import { IN_PROGRESS, processedAt, queryFailed, whyUnreadable } from './answers'
import type { UnionpayTransport } from './transport'

// A refund's query (`queryTrans.do`, docs/protocols.md section 3): a refund is a UnionPay transaction
// of its own, found by its queryId when we know it, else by our refund number and its txnTime.

export async function queryRefund(
  t: UnionpayTransport,
  refund: RefundTradeRef,
  ctx?: CallContext,
): Promise<RefundAnswer> {
  // A refund (txnType 04) is its own transaction, with its own orderId (our refund number).
  const { ex, reading } = await t.call(
    t.key(refund.refundNo, refund.gatewayRefundNo, refund.createdAt),
    `refund ${refund.refundNo}`,
    ctx,
  )
  const meta = callMeta(ex)
  if (reading.kind === 'error') return refundFailure(meta, reading)
  const f = reading.fields
  if (f.respCode === '34') return refundNotFound(meta, 'respCode 34', reading.raw)
  if (f.respCode !== '00') return refundFailure(meta, queryFailed(f, reading.raw))
  const orig = f.origRespCode ?? ''
  const amount = f.txnAmt === undefined ? null : parseFen(f.txnAmt)
  const answer = {
    rawStatus: `origRespCode ${orig}`,
    rawText: reading.raw,
    errorCode: null,
    errorMsg: null,
    amount,
    gatewayRefundNo: f.queryId || null,
    finishedAt: null as number | null,
    ...meta,
  }
  const unreadable = whyUnreadable(f, orig, amount)
  if (unreadable) return unusable(answer, unreadable.code, unreadable.msg)
  if (orig === '00') {
    if (amount === null) return unusable(answer, 'malformed', 'a successful refund without txnAmt')
    return { ...answer, status: 'refund_success', finishedAt: processedAt(f) }
  }
  if (IN_PROGRESS.has(orig)) return { ...answer, status: 'refund_progress' }
  return { ...answer, status: 'refund_closed', errorMsg: f.origRespMsg || null }
}
