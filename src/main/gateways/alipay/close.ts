import { callMeta, closeFailure } from '../kit'
import type { CallContext, CloseAnswer, PayTradeRef } from '../types'
import { refusalCode, refusalMessage } from './answers'
import { tradeKey, type AlipayTransport } from './transport'

// `alipay.trade.close` (docs/protocols.md section 1): closed, not found, or refused because the trade
// is no longer open.

export async function closePay(
  t: AlipayTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<CloseAnswer> {
  const { ex, reading } = await t.call('alipay.trade.close', tradeKey(trade), ctx)
  const meta = callMeta(ex)
  if (reading.kind === 'error') return closeFailure(meta, reading)
  const n = reading.node
  const word = refusalCode(n, 'no_code')
  const common = { rawStatus: word, rawText: reading.raw, ...meta }
  if (n.code === '10000') return { result: 'closed', errorCode: null, errorMsg: null, ...common }
  switch (n.sub_code) {
    case 'ACQ.TRADE_NOT_EXIST':
      return { result: 'not_found', errorCode: null, errorMsg: null, ...common }
    case 'ACQ.TRADE_STATUS_ERROR':
    case 'ACQ.REASON_TRADE_STATUS_INVALID':
    case 'ACQ.REASON_ILLEGAL_STATUS':
      return {
        result: 'not_closable',
        errorCode: word,
        errorMsg: refusalMessage(n, 'the order is no longer open'),
        ...common,
      }
    default:
      return {
        result: 'error',
        errorCode: word,
        errorMsg: refusalMessage(n, 'the gateway refused the close without a message'),
        ...common,
      }
  }
}
