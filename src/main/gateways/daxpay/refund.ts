import { aboutAnotherTrade, callMeta, refundFailure, refundNotFound } from '../kit'
import type { CallContext, RefundAnswer, RefundTradeRef } from '../types'
import { NOT_FOUND, REFUND_WORDS_2, REFUND_WORDS_3 } from './states'
import type { DaxpayTransport } from './transport'

// The refund sync (3.x `/unipay/sync/refund`, 2.x `/unipay/syncRefund`, docs/domain.md section 8 and
// A.1): DaxPay syncs its refund with the channel and answers its word for it, without an amount.

export async function queryRefund(
  t: DaxpayTransport,
  refund: RefundTradeRef,
  ctx?: CallContext,
): Promise<RefundAnswer> {
  const { ex, reading } = await t.call('refund', t.refundNumbers(refund), `refund ${refund.refundNo}`, ctx)
  const meta = callMeta(ex)
  const error = (code: string, msg: string, rawStatus: string | null = code) =>
    refundFailure(meta, { code, msg, raw: reading.raw }, rawStatus)
  if (reading.kind === 'error') return refundFailure(meta, reading)
  if (reading.code === NOT_FOUND)
    return refundNotFound(meta, `${NOT_FOUND} ${reading.msg}`.trim(), reading.raw)
  if (reading.code !== 0) return error(String(reading.code), reading.msg || 'DaxPay refused the sync')
  const d = reading.data ?? {}
  // An answer that names a refund must name ours. 3.x answers name none; only their signed time
  // bounds such a replay.
  const other = aboutAnotherTrade(d, { bizRefundNo: refund.refundNo, refundNo: refund.gatewayRefundNo })
  if (other) return error(other.code, other.msg)
  const word = String((t.version === '3' ? (d.orderStatus ?? d.status) : d.status) ?? '')
  const status = (t.version === '3' ? REFUND_WORDS_3 : REFUND_WORDS_2)[word]
  if (!status) return error('malformed', `unknown DaxPay refund status "${word}"`, word || null)
  return {
    status,
    rawStatus: word,
    rawText: reading.raw,
    errorCode: null,
    errorMsg: null,
    amount: null,
    gatewayRefundNo: null,
    finishedAt: null,
    ...meta,
  }
}
