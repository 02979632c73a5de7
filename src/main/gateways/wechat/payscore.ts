import { parseFen } from '../../../shared/money'
import { formatBeijingCompact, parseBeijing, toRfc3339Beijing } from '../../../shared/time'
import { aboutAnotherTrade, closeFailure, malformed, payFailure, payNotFound } from '../kit'
import type { CallContext, PayAnswer, PayscoreSyncAnswer, PayTradeRef } from '../types'
import { acknowledged, PAYSCORE_STATES, type Json } from './states'
import { enc, errorMessage, unexpected, type Exchanged, type WechatTransport } from './transport'

// WeChat Pay payscore (微信支付分) service orders, direct and partner: the query, the cancel that
// closes an expired order, and the sync that tells WeChat an order was paid offline (docs/protocols.md
// section 2.9). Their answers are read like any other, through the transport.

/** The service order's state, `DOING/MCH_COMPLETE` style, with its amount and payment time. */
export async function queryPayscore(
  t: WechatTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<PayAnswer> {
  const { profile, partner } = t
  const serviceId = profile.payscoreServiceId
  if (!serviceId) {
    // Nothing was sent.
    const meta = { attempts: 0, latencyMs: 0, serverTime: null }
    return payFailure(meta, { code: 'config', msg: 'this profile has no payscoreServiceId', raw: null }, null)
  }
  const path = partner
    ? `/v3/payscore/partner/serviceorder?service_id=${enc(serviceId)}&sub_mchid=${enc(profile.subMchid ?? '')}&out_order_no=${enc(trade.orderNo)}`
    : `/v3/payscore/serviceorder?service_id=${enc(serviceId)}&appid=${enc(profile.appId ?? '')}&out_order_no=${enc(trade.orderNo)}`
  const { reading: r, meta } = await t.send('GET', path, undefined, ctx)
  if (r.kind === 'error') return payFailure(meta, r)
  if (r.status === 404 && r.json?.code === 'ORDER_NOT_EXIST')
    return payNotFound(meta, '404 ORDER_NOT_EXIST', r.body)
  if (r.status !== 200 || !r.json) {
    const u = unexpected(r)
    return payFailure(meta, u, u.rawStatus)
  }
  const other = aboutAnotherTrade(r.json, { out_order_no: trade.orderNo, ...t.merchantIds() })
  if (other) return payFailure(meta, { ...other, raw: r.body })
  const state = String(r.json.state ?? '')
  const description = typeof r.json.state_description === 'string' ? r.json.state_description : null
  const status = PAYSCORE_STATES[state]
  const collection = (r.json.collection ?? {}) as Json
  const details = Array.isArray(collection.details) ? (collection.details as Json[]) : []
  const paidTime = details.find((d) => typeof d.paid_time === 'string')?.paid_time as string | undefined
  const answer = {
    ...meta,
    rawStatus: description ? `${state}/${description}` : state,
    rawText: r.body,
    errorCode: null,
    errorMsg: null,
    amount: parseFen(r.json.total_amount),
    gatewayTradeNo: typeof r.json.order_id === 'string' ? r.json.order_id : null,
    paidAt: paidTime ? parseBeijing(paidTime) : null,
    payscore: { state, stateDescription: description },
  }
  if (!status) return malformed(answer, `unknown payscore state "${state}"`)
  return { ...answer, status }
}

/** Cancels an expired service order: a payscore order's close. Read by the adapter like a close. */
export function cancelPayscore(
  t: WechatTransport,
  trade: PayTradeRef,
  ctx?: CallContext,
): Promise<Exchanged> {
  const { profile, partner } = t
  const serviceId = profile.payscoreServiceId ?? ''
  return partner
    ? t.send(
        'POST',
        `/v3/payscore/partner/serviceorder/${enc(trade.orderNo)}/cancel`,
        { service_id: serviceId, sub_mchid: profile.subMchid ?? '', reason: '订单已超时' },
        ctx,
      )
    : t.send(
        'POST',
        `/v3/payscore/serviceorder/${enc(trade.orderNo)}/cancel`,
        { appid: profile.appId ?? '', service_id: serviceId, reason: '订单已超时' },
        ctx,
      )
}

/** Tells WeChat that a payscore order was paid offline (payscore_sync_gateway). */
export async function syncPayscorePaid(
  t: WechatTransport,
  trade: PayTradeRef,
  paidAt: number,
  ctx?: CallContext,
): Promise<PayscoreSyncAnswer> {
  const { profile, partner } = t
  const serviceId = profile.payscoreServiceId ?? ''
  const detail =
    profile.region === 'global'
      ? { seq: 1, paid_time: toRfc3339Beijing(paidAt), paid_amount: trade.amount }
      : { paid_time: formatBeijingCompact(paidAt) }
  const { reading: r, meta } = partner
    ? await t.send(
        'POST',
        `/v3/payscore/partner/serviceorder/${enc(trade.orderNo)}/sync`,
        { service_id: serviceId, sub_mchid: profile.subMchid ?? '', type: 'Order_Paid', detail },
        ctx,
      )
    : await t.send(
        'POST',
        `/v3/payscore/serviceorder/${enc(trade.orderNo)}/sync`,
        { appid: profile.appId ?? '', service_id: serviceId, type: 'Order_Paid', detail },
        ctx,
      )
  if (r.kind === 'error') return closeFailure(meta, r)
  const code = typeof r.json?.code === 'string' ? r.json.code : null
  const message = errorMessage(r.body)
  const common = { rawStatus: code ? `${r.status} ${code}` : String(r.status), rawText: r.body, ...meta }
  if (acknowledged(r, trade, code) || code === 'ORDER_DONE')
    return { result: 'done', errorCode: null, errorMsg: null, ...common }
  // While WeChat is still deducting it asks to come back in about three minutes.
  if (message && /扣款中|收款结果不明/.test(message))
    return { result: 'retry_later', errorCode: code, errorMsg: message, ...common }
  return {
    result: 'error',
    errorCode: code ?? `HTTP_${r.status}`,
    errorMsg: message ?? `HTTP ${r.status}`,
    ...common,
  }
}
