import type { SimMerchant, SimOrder, SimRefund, SimState } from '../state'

// How the simulated DaxPay finds the trade a request names: by its own number first, else by the
// merchant's.

export function findOrder(
  state: SimState,
  m: SimMerchant,
  platformNo: unknown,
  merchantNo: unknown,
): SimOrder | undefined {
  // DaxPay's own number wins when both are given (docs/protocols.md section 11, docs/protocols.md section
  // 12).
  const order =
    typeof platformNo === 'string' && platformNo
      ? state.findOrderByTradeNo(m.name, platformNo)
      : typeof merchantNo === 'string' && merchantNo
        ? state.getOrder(m.name, merchantNo)
        : undefined
  return order && order.state !== 'NOT_CREATED' ? order : undefined
}

export function findRefund(
  state: SimState,
  m: SimMerchant,
  platformNo: unknown,
  merchantNo: unknown,
): SimRefund | undefined {
  if (typeof platformNo === 'string' && platformNo)
    return state.allRefunds().find((r) => r.merchant === m.name && r.gatewayRefundNo === platformNo)
  if (typeof merchantNo === 'string' && merchantNo) return state.getRefund(m.name, merchantNo)
  return undefined
}
