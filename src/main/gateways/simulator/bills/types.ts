// The simulator's own words for a statement line, channel-neutral: what `/_sim/statements` will take
// and what simulated orders and refunds become (docs/reconcile.md A14). The writers beside this file
// turn them into each channel's file, byte for byte. Gateways never import the parsers of
// src/main/files/statement: the tests prove that what these write, those read.

export interface BillTrade {
  kind: 'pay' | 'refund' | 'revoke'
  /** Our order number (the refunded payment's on a refund line). */
  orderNo: string
  /** Our refund number, on a refund line. */
  refundNo?: string
  /** Fen: the order amount (pay, revoke) or the requested refund (refund). */
  amount: number
  /** When the channel puts the line in its bill (UTC ms): the payment's success, the refund's acceptance. */
  time: number
  /** Fee in 1e-5 yuan, signed as the channel writes it (WeChat: charged > 0; UnionPay: D < 0). */
  feeE5?: number
  gatewayTradeNo?: string
  gatewayRefundNo?: string
  /** WeChat 退款状态 of a refund row; SUCCESS unless given. */
  status?: string
  subject?: string
  /** On a refund line, the payment's own time (WeChat REFUND bills' 交易时间, Alipay 创建时间). */
  payTime?: number
  /** When a refund finished (WeChat 退款成功时间); three seconds after `time` unless given. */
  finishedAt?: number
}
