import { toRfc3339Beijing } from '../../../../shared/time'
import type { SimMerchant, SimOrder, SimState } from '../state'
import type { SimOptions, SimRequest } from '../types'
import { NOT_FOUND_ORDER, PAID, type Json, type Reply, type WechatRoute } from './replies'

// The simulated WeChat Pay's pay orders, direct and partner (docs/protocols.md section 2): the query
// by out_trade_no or by transaction_id, and the close.

/** The routes of the pay order API. */
export function payRoutes(state: SimState, options: SimOptions): WechatRoute[] {
  function transaction(m: SimMerchant, o: SimOrder, partner: boolean): Json {
    const paid = PAID.has(o.state)
    const t: Json = partner
      ? { sp_appid: m.ids.appId, sp_mchid: m.ids.mchid, sub_mchid: m.ids.subMchid }
      : { appid: m.ids.appId, mchid: m.ids.mchid }
    Object.assign(t, {
      out_trade_no: o.orderNo,
      trade_type: 'NATIVE',
      trade_state: o.state,
      trade_state_desc:
        {
          SUCCESS: '支付成功',
          NOTPAY: '未支付',
          CLOSED: '已关闭',
          REFUND: '转入退款',
          USERPAYING: '用户支付中',
          PAYERROR: '支付失败',
          REVOKED: '已撤销',
        }[o.state] ?? o.state,
      amount: paid
        ? { total: o.amount, payer_total: o.amount, currency: 'CNY', payer_currency: 'CNY' }
        : { total: o.amount, currency: 'CNY' },
    })
    if (paid) {
      t.transaction_id = o.gatewayTradeNo
      t.bank_type = 'OTHERS'
      t.success_time = toRfc3339Beijing(o.paidAt ?? options.now())
      t.payer = partner
        ? { sp_openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }
        : { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }
    }
    return t
  }

  function scopeError(m: SimMerchant, q: URLSearchParams, partner: boolean): Reply | null {
    if (partner) {
      if (!q.get('sub_mchid') && !q.get('sub_mch_id'))
        return {
          status: 400,
          body: { code: 'PARAM_ERROR', message: '受理机构必须传入sub_mch_id' },
          code: 268443704,
        }
      if (q.get('sub_mchid') !== m.ids.subMchid) return NOT_FOUND_ORDER
      if (q.get('sp_mchid') !== null && q.get('sp_mchid') !== m.ids.mchid)
        return { status: 400, body: { code: 'PARAM_ERROR', message: 'sp_mchid与请求头中的商户号不一致' } }
      return null
    }
    if (q.get('mchid') !== m.ids.mchid) return NOT_FOUND_ORDER
    return null
  }

  function queryOrder(
    m: SimMerchant,
    req: SimRequest,
    partner: boolean,
    by: 'out-trade-no' | 'id',
    no: string,
  ): Reply {
    const bad = scopeError(m, req.url.searchParams, partner)
    if (bad) return bad
    const o = by === 'id' ? state.findOrderByTradeNo(m.name, no) : state.getOrder(m.name, no)
    if (!o || o.state === 'NOT_CREATED' || o.kind !== 'pay' || (by === 'id' && !PAID.has(o.state))) {
      if (o) state.queried(o, options.now())
      return NOT_FOUND_ORDER
    }
    const body = transaction(m, o, partner)
    // A paid answer without its amount: the engine must not repair from it (docs/domain.md 4, note 1).
    if (req.fault === 'no_amount') delete body.amount
    state.queried(o, options.now())
    return { status: 200, body }
  }

  function closeOrder(m: SimMerchant, body: Json, partner: boolean, no: string): Reply {
    const owner = partner
      ? body.sp_mchid === m.ids.mchid && body.sub_mchid === m.ids.subMchid
      : body.mchid === m.ids.mchid
    if (!owner)
      return { status: 400, body: { code: 'PARAM_ERROR', message: '商户号和订单不匹配' }, code: 268447843 }
    const o = state.getOrder(m.name, no)
    if (!o || o.state === 'NOT_CREATED') return NOT_FOUND_ORDER
    if (PAID.has(o.state))
      return { status: 400, body: { code: 'ORDER_PAID', message: '订单已支付' }, code: 268449538 }
    if (o.state === 'NOTPAY' || o.state === 'USERPAYING') {
      o.state = 'CLOSED'
      state.stats.closes += 1
    }
    // Closing a closed order again is accepted: close may be repeated.
    return { status: 204 }
  }

  return [
    {
      method: 'GET',
      re: /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/,
      name: 'wechat.query',
      run: (m, r, g) => queryOrder(m, r, false, 'out-trade-no', g[0]!),
    },
    {
      method: 'GET',
      re: /^\/v3\/pay\/transactions\/id\/([^/]+)$/,
      name: 'wechat.query',
      run: (m, r, g) => queryOrder(m, r, false, 'id', g[0]!),
    },
    {
      method: 'GET',
      re: /^\/v3\/pay\/partner\/transactions\/out-trade-no\/([^/]+)$/,
      name: 'wechat.partner.query',
      run: (m, r, g) => queryOrder(m, r, true, 'out-trade-no', g[0]!),
    },
    {
      method: 'GET',
      re: /^\/v3\/pay\/partner\/transactions\/id\/([^/]+)$/,
      name: 'wechat.partner.query',
      run: (m, r, g) => queryOrder(m, r, true, 'id', g[0]!),
    },
    {
      method: 'POST',
      re: /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/,
      name: 'wechat.close',
      run: (m, _r, g, b) => closeOrder(m, b, false, g[0]!),
    },
    {
      method: 'POST',
      re: /^\/v3\/pay\/partner\/transactions\/out-trade-no\/([^/]+)\/close$/,
      name: 'wechat.partner.close',
      run: (m, _r, g, b) => closeOrder(m, b, true, g[0]!),
    },
  ]
}
