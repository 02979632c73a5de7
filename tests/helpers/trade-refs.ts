import type { PayTradeRef } from '../../src/main/gateways/types'

/** A pay order as an adapter is asked about it: 10.00 yuan, made a minute ago, not paid here yet. */
export function payRef(orderNo: string, extra: Partial<PayTradeRef> = {}): PayTradeRef {
  return {
    orderNo,
    bizOrderNo: orderNo,
    gatewayTradeNo: null,
    amount: 1000,
    kind: 'pay',
    createdAt: Date.now() - 60_000,
    paidAt: null,
    ...extra,
  }
}
