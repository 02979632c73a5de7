import { yuanToFen } from '../../../shared/money'
import { parseBeijing } from '../../../shared/time'
import { callMeta, malformed, refundFailure, refundNotFound } from '../kit'
import type { CallContext, RefundAnswer, RefundTradeRef } from '../types'
import { refusalCode, refusalMessage } from './answers'
import type { AlipayTransport } from './transport'

// `alipay.trade.fastpay.refund.query` (docs/protocols.md section 1.6): refund_status in our terms.

export async function queryRefund(
  t: AlipayTransport,
  refund: RefundTradeRef,
  ctx?: CallContext,
): Promise<RefundAnswer> {
  const { ex, reading } = await t.call(
    'alipay.trade.fastpay.refund.query',
    { out_trade_no: refund.orderNo, out_request_no: refund.refundNo },
    ctx,
  )
  const meta = callMeta(ex)
  if (reading.kind === 'error') return refundFailure(meta, reading)
  const n = reading.node
  const code = String(n.code ?? '')
  if (code === '40004' && n.sub_code === 'ACQ.TRADE_NOT_EXIST')
    return refundNotFound(meta, '40004 ACQ.TRADE_NOT_EXIST', reading.raw)
  if (code !== '10000') {
    const msg = refusalMessage(n, 'the gateway refused the query without a message')
    return refundFailure(meta, { code: refusalCode(n, 'no_code'), msg, raw: reading.raw })
  }
  const refundStatus = typeof n.refund_status === 'string' ? n.refund_status : null
  const amount = typeof n.refund_amount === 'string' ? yuanToFen(n.refund_amount) : null
  const answer = {
    rawText: reading.raw,
    errorCode: null,
    errorMsg: null,
    amount,
    gatewayRefundNo: null,
    finishedAt: typeof n.gmt_refund_pay === 'string' ? parseBeijing(n.gmt_refund_pay) : null,
    ...meta,
  }
  // code 10000 only says the query worked (docs/protocols.md 1.6): the refund exists when it carries data.
  if (refundStatus === null && n.refund_amount === undefined && n.out_request_no === undefined) {
    return { ...answer, status: 'refund_not_found', rawStatus: '10000 (no refund data)' }
  }
  if (typeof n.refund_amount === 'string' && amount === null)
    return malformed(
      { ...answer, rawStatus: refundStatus },
      `refund_amount "${n.refund_amount}" is not an amount`,
    )
  switch (refundStatus) {
    case 'REFUND_SUCCESS':
      return { ...answer, status: 'refund_success', rawStatus: refundStatus }
    case 'REFUND_PROCESSING':
      return { ...answer, status: 'refund_progress', rawStatus: refundStatus }
    case 'REFUND_FAIL':
      return { ...answer, status: 'refund_closed', rawStatus: refundStatus }
    case null:
      // Older synchronous refunds answer with the data and no status: data means refunded.
      return {
        ...answer,
        status: amount !== null ? 'refund_success' : 'refund_not_found',
        rawStatus: '10000 (no refund_status)',
      }
    default:
      return malformed({ ...answer, rawStatus: refundStatus }, `unknown refund_status "${refundStatus}"`)
  }
}
