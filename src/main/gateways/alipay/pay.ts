import { yuanToFen } from '../../../shared/money'
import { parseBeijing } from '../../../shared/time'
import { callMeta, malformed, payFailure, payNotFound } from '../kit'
import type { CallContext, PayAnswer, PayTradeRef } from '../types'
import { refusalCode, refusalMessage } from './answers'
import { tradeKey, type AlipayTransport } from './transport'

// `alipay.trade.query` (docs/protocols.md section 1): trade_status in our terms.

export async function queryPay(
  t: AlipayTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<PayAnswer> {
  const { ex, reading } = await t.call('alipay.trade.query', tradeKey(trade), ctx)
  const meta = callMeta(ex)
  if (reading.kind === 'error') return payFailure(meta, reading)
  const n = reading.node
  const code = String(n.code ?? '')
  if (code === '40004' && n.sub_code === 'ACQ.TRADE_NOT_EXIST')
    return payNotFound(meta, '40004 ACQ.TRADE_NOT_EXIST', reading.raw)
  if (code !== '10000') {
    const msg = refusalMessage(n, 'the gateway refused the query without a message')
    return payFailure(meta, { code: refusalCode(n, 'no_code'), msg, raw: reading.raw })
  }
  const state = String(n.trade_status ?? '')
  const amount = typeof n.total_amount === 'string' ? yuanToFen(n.total_amount) : null
  const gatewayTradeNo = typeof n.trade_no === 'string' && n.trade_no !== '' ? n.trade_no : null
  const paidAt = typeof n.send_pay_date === 'string' ? parseBeijing(n.send_pay_date) : null
  const answer = {
    rawStatus: state,
    rawText: reading.raw,
    errorCode: null,
    errorMsg: null,
    amount,
    gatewayTradeNo,
    paidAt,
    ...meta,
  }
  switch (state) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED':
      return amount === null
        ? malformed(answer, `total_amount "${String(n.total_amount)}" is not an amount`)
        : { ...answer, status: 'pay_success' }
    case 'WAIT_BUYER_PAY':
      return { ...answer, status: 'pay_progress' }
    case 'TRADE_CLOSED':
      // Closed after a payment date means the paid trade was refunded in full (section 5, pitfall 2).
      return { ...answer, status: n.send_pay_date ? 'pay_refund' : 'pay_closed' }
    default:
      return malformed(answer, `unknown trade_status "${state}"`)
  }
}
