import { toRfc3339Beijing } from '../../../../shared/time'
import type { SimMerchant, SimState } from '../state'
import type { SimRequest } from '../types'
import type { Json, Reply, WechatRoute } from './replies'

// The simulated WeChat Pay's refund query (docs/protocols.md section 2), direct and partner.

const NOT_FOUND_REFUND: Reply = { status: 404, body: { code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' } }

/** The route of the refund query. */
export function refundRoutes(state: SimState): WechatRoute[] {
  function queryRefund(m: SimMerchant, req: SimRequest, partner: boolean, no: string): Reply {
    if (partner && req.url.searchParams.get('sub_mchid') !== m.ids.subMchid) return NOT_FOUND_REFUND
    const r = state.getRefund(m.name, no)
    if (!r) return NOT_FOUND_REFUND
    const o = state.getOrder(m.name, r.orderNo)
    const body: Json = {
      refund_id: r.gatewayRefundNo,
      out_refund_no: r.refundNo,
      transaction_id: o?.gatewayTradeNo ?? '',
      out_trade_no: r.orderNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      create_time: toRfc3339Beijing(r.createdAt),
      status: r.state,
      funds_account: 'AVAILABLE',
      amount: {
        total: o?.amount ?? r.amount,
        refund: r.amount,
        payer_total: o?.amount ?? r.amount,
        payer_refund: r.amount,
        settlement_refund: r.amount,
        settlement_total: o?.amount ?? r.amount,
        discount_refund: 0,
        currency: 'CNY',
      },
    }
    if (r.state === 'SUCCESS') body.success_time = toRfc3339Beijing(r.createdAt + 60_000)
    return { status: 200, body }
  }

  return [
    {
      method: 'GET',
      re: /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/,
      name: 'wechat.refund.query',
      run: (m, r, g) => queryRefund(m, r, r.url.searchParams.has('sub_mchid') || m.mode === 'partner', g[0]!),
    },
  ]
}
