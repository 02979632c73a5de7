import { parseBeijing, toRfc3339Beijing } from '../../../../shared/time'
import type { SimMerchant, SimOrder, SimState } from '../state'
import type { SimOptions, SimRequest } from '../types'
import { NOT_FOUND_ORDER, type Json, type Reply, type WechatRoute } from './replies'

// WeChat Pay payscore (微信支付分) service orders as the simulated gateway keeps them: the query, the
// sync that records an offline payment, and the cancel, direct and partner (docs/protocols.md section
// 2.9). Routed by handler.ts, which authenticates the request and signs the reply.

/** The routes of the payscore API. */
export function payscoreRoutes(state: SimState, options: SimOptions): WechatRoute[] {
  /** Payscore order states come as `DOING/MCH_COMPLETE`; a third part `/DEDUCTING` means money is being taken. */
  function payscoreParts(o: SimOrder): { state: string; description: string | null; deducting: boolean } {
    const [s, d, flag] = o.state.split('/')
    return { state: s!, description: d ?? null, deducting: flag === 'DEDUCTING' }
  }

  function payscoreOrder(m: SimMerchant, req: SimRequest, partner: boolean): Reply {
    const q = req.url.searchParams
    if (q.get('service_id') !== m.ids.payscoreServiceId)
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'service_id 不正确' } }
    if (partner && q.get('sub_mchid') !== m.ids.subMchid) return NOT_FOUND_ORDER
    const o = state.getOrder(m.name, q.get('out_order_no') ?? '')
    if (!o || o.kind !== 'payscore' || o.state === 'NOT_CREATED') return NOT_FOUND_ORDER
    const p = payscoreParts(o)
    const done = p.state === 'DONE'
    const body: Json = {
      out_order_no: o.orderNo,
      service_id: m.ids.payscoreServiceId,
      ...(partner ? { sub_mchid: m.ids.subMchid } : { appid: m.ids.appId, mchid: m.ids.mchid }),
      state: p.state,
      ...(p.description ? { state_description: p.description } : {}),
      total_amount: o.amount,
      order_id: o.gatewayTradeNo,
      collection: {
        state: done ? 'USER_PAID' : 'USER_PAYING',
        total_amount: o.amount,
        paying_amount: done ? 0 : o.amount,
        paid_amount: done ? o.amount : 0,
        ...(done
          ? {
              details: [
                {
                  seq: 1,
                  amount: o.amount,
                  paid_type: 'NEWTON',
                  paid_time: toRfc3339Beijing(o.paidAt ?? options.now()),
                },
              ],
            }
          : {}),
      },
    }
    // A DONE order without its amount: the engine must not repair from it (docs/domain.md 4, note 1).
    if (req.fault === 'no_amount') delete body.total_amount
    state.queried(o, options.now())
    return { status: 200, body }
  }

  function payscoreSync(m: SimMerchant, body: Json, partner: boolean, no: string, oversea: boolean): Reply {
    state.stats.payscoreSyncs += 1
    if (body.service_id !== m.ids.payscoreServiceId || (partner && body.sub_mchid !== m.ids.subMchid)) {
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'service_id 或 sub_mchid 不正确' } }
    }
    if (body.type !== 'Order_Paid')
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'type 只能为 Order_Paid' } }
    const detail = (body.detail ?? {}) as Json
    // Both shapes of docs/protocols.md section 14: domestic {paid_time: yyyyMMddHHmmss}, global {seq,
    // paid_time RFC 3339, paid_amount}.
    const paidTime = typeof detail.paid_time === 'string' ? detail.paid_time : ''
    const domestic = /^\d{14}$|^\d{8}$/.test(paidTime)
    const global =
      parseBeijing(paidTime) !== null &&
      /T/.test(paidTime) &&
      typeof detail.seq === 'number' &&
      typeof detail.paid_amount === 'number'
    if (!(domestic || global) || (oversea && !global))
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'detail.paid_time 格式不正确' } }
    const o = state.getOrder(m.name, no)
    if (!o || o.kind !== 'payscore') return NOT_FOUND_ORDER
    const p = payscoreParts(o)
    if (p.state === 'DONE') return { status: 400, body: { code: 'ORDER_DONE', message: '订单已完成' } }
    if (p.state === 'REVOKED' || p.state === 'EXPIRED')
      return { status: 400, body: { code: 'ORDER_CANCELED', message: '订单已取消' } }
    if (p.state !== 'DOING' || p.description !== 'MCH_COMPLETE')
      return { status: 400, body: { code: 'INVALID_ORDER_STATE', message: '订单状态不正确' } }
    if (p.deducting)
      return { status: 400, body: { code: 'INVALID_ORDER_STATE', message: '单据正在扣款中，请稍后再试' } }
    o.state = 'DONE'
    o.paidAt = parseBeijing(paidTime)
    return { status: 204 }
  }

  function payscoreCancel(m: SimMerchant, body: Json, partner: boolean, no: string): Reply {
    if (body.service_id !== m.ids.payscoreServiceId || (partner && body.sub_mchid !== m.ids.subMchid)) {
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'service_id 或 sub_mchid 不正确' } }
    }
    const o = state.getOrder(m.name, no)
    if (!o || o.kind !== 'payscore') return NOT_FOUND_ORDER
    const p = payscoreParts(o)
    if (p.state === 'DONE') return { status: 400, body: { code: 'ORDER_DONE', message: '订单已完成' } }
    if (p.state === 'REVOKED' || p.state === 'EXPIRED')
      return { status: 400, body: { code: 'ORDER_CANCELED', message: '订单已取消' } }
    if (p.state === 'DOING' && p.description === 'MCH_COMPLETE')
      return { status: 400, body: { code: 'INVALID_ORDER_STATE', message: '订单已完结，不能取消' } }
    o.state = 'REVOKED'
    state.stats.closes += 1
    return {
      status: 200,
      body: { out_order_no: o.orderNo, service_id: m.ids.payscoreServiceId, order_id: o.gatewayTradeNo },
    }
  }

  return [
    {
      method: 'GET',
      re: /^\/v3\/payscore\/serviceorder$/,
      name: 'wechat.payscore.query',
      run: (m, r) => payscoreOrder(m, r, false),
    },
    {
      method: 'GET',
      re: /^\/v3\/payscore\/partner\/serviceorder$/,
      name: 'wechat.payscore.partner.query',
      run: (m, r) => payscoreOrder(m, r, true),
    },
    {
      method: 'POST',
      re: /^\/v3\/payscore\/serviceorder\/([^/]+)\/sync$/,
      name: 'wechat.payscore.sync',
      run: (m, _r, g, b) => payscoreSync(m, b, false, g[0]!, false),
    },
    {
      method: 'POST',
      re: /^\/v3\/payscore\/partner\/serviceorder\/([^/]+)\/sync$/,
      name: 'wechat.payscore.partner.sync',
      run: (m, _r, g, b) => payscoreSync(m, b, true, g[0]!, false),
    },
    {
      method: 'POST',
      re: /^\/v3\/payscore\/oversea\/partner\/serviceorder\/([^/]+)\/sync$/,
      name: 'wechat.payscore.oversea.sync',
      run: (m, _r, g, b) => payscoreSync(m, b, true, g[0]!, true),
    },
    {
      method: 'POST',
      re: /^\/v3\/payscore\/serviceorder\/([^/]+)\/cancel$/,
      name: 'wechat.payscore.cancel',
      run: (m, _r, g, b) => payscoreCancel(m, b, false, g[0]!),
    },
    {
      method: 'POST',
      re: /^\/v3\/payscore\/partner\/serviceorder\/([^/]+)\/cancel$/,
      name: 'wechat.payscore.partner.cancel',
      run: (m, _r, g, b) => payscoreCancel(m, b, true, g[0]!),
    },
  ]
}
