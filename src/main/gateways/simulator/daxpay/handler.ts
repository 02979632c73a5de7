import { parseDaxTime, signFields, type DaxpayVersion } from '../../daxpay/sign'
import type { SimMerchant, SimState } from '../state'
import type { ChannelHandler, SimOptions, SimRequest, SimResponse } from '../types'
import { daxpayAnswers, secretOf, signTypeOf, versionOf, type Fields } from './answers'
import { orderCalls } from './order'
import { ROUTES } from './routes'
import { syncCalls } from './sync'
import { CODES, VERIFY_SIGN_FAILED } from './words'

// A DaxPay server's sync, close and order-query endpoints, 3.x (`/unipay/sync/pay`, `/unipay/sync/refund`,
// `/unipay/query/payOrder`) and 2.x (`/unipay/syncPay`, `/unipay/syncRefund`, `/uni/query/payOrder`), both
// closing through `/unipay/close`, as docs/domain.md section 8, A.4 and A.5 and docs/protocols.md sections 9
// and 11 to 13 describe them. Gateway-side orders hold DaxPay's own word for its order: `success`, `progress`,
// `wait`, `close`, `cancel`, `timeout`, `fail`, or `busy` (its sync lock is held). A 2.x order may also hold
// the 2.x answer word itself (`pay_refund`, `pay_not_found_unknown`, ...). Merchant ids: `mchNo`, `appId`,
// `signSecret`, and optionally `version` ('2' | '3', default '3') and `signType` ('md5' | 'hmac_sha256',
// default 'hmac_sha256').
//
// Here the request is read and checked (its generation, fields, merchant, signature and time) and
// routed; routes.ts lists the paths, answers.ts signs the answers, sync.ts, order.ts the calls.

/**
 * DaxPay checks reqTime within five minutes either way (docs/protocols.md section 12) with these two
 * messages (docs/domain.md A.5).
 */
const REQ_WINDOW_MS = 300_000
const TOO_EARLY = '请求时间晚于服务器接收到的时间，请检查'
const EXPIRED = '请求已过期，请重新发送！'

export function daxpayHandler(state: SimState, options: SimOptions): ChannelHandler {
  const merchants = (version: DaxpayVersion) =>
    [...state.merchants.values()].filter((m) => m.channel === 'daxpay' && versionOf(m) === version)
  const answers = daxpayAnswers(options)
  const sync = syncCalls(state, options, answers)
  const order = orderCalls(state, options, answers)

  /** The merchant whose secret verifies the request (3.x: the one named by mchNo and appId). */
  function verifiedMerchant(v: DaxpayVersion, p: Fields): SimMerchant | 'unknown' | 'bad_signature' {
    const candidates =
      v === '3'
        ? merchants('3').filter((m) => m.ids.mchNo === p.mchNo && m.ids.appId === p.appId)
        : merchants('2')
    if (candidates.length === 0) return 'unknown'
    const { sign, ...rest } = p
    // Compared exactly, as DaxPay does (Objects.equals / String.equals on the hex).
    const ok = candidates.find((m) => signFields(rest, secretOf(m), signTypeOf(m), v) === sign)
    return ok ?? 'bad_signature'
  }

  function handle(req: SimRequest): SimResponse {
    const route = ROUTES[req.url.pathname]!
    let body: unknown = null
    try {
      body = JSON.parse(req.body)
    } catch {
      // Answered below, in the words of the generation the path serves.
    }
    const named = typeof body === 'object' && body !== null && 'mchNo' in body
    const v: DaxpayVersion = route.versions.length === 1 || named ? route.versions[0]! : route.versions[1]!
    if (req.method !== 'POST')
      return answers.unsigned(req, v, CODES[v].parse, `不支持的请求方式: ${req.method}`)
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return answers.unsigned(req, v, CODES[v].parse, '参数处理失败')
    const p: Fields = { ...route.defaults?.[v] }
    for (const f of route.fields[v] ?? []) {
      const value = (body as Fields)[f]
      if (value !== null && value !== undefined) p[f] = value
    }
    if (p.reqTime === undefined)
      return answers.unsigned(req, v, CODES[v].validation, 'reqTime: 请求时间不可为空')
    if (v === '3' && (!p.mchNo || !p.appId))
      return answers.unsigned(req, v, CODES[v].validation, 'mchNo/appId: 商户号和应用号不可为空')
    const reqTime = parseDaxTime(p.reqTime, v)
    if (reqTime === null) return answers.unsigned(req, v, CODES[v].parse, '参数处理失败: reqTime')

    const merchant = verifiedMerchant(v, p)
    if (merchant === 'unknown')
      return answers.unsigned(req, v, CODES[v].noData, '未获取到商户和应用信息，请检查')
    if (merchant === 'bad_signature') {
      state.stats.rejectedSignatures += 1
      return answers.unsigned(req, v, VERIFY_SIGN_FAILED, '验签失败')
    }
    const now = options.now()
    if (reqTime - now > REQ_WINDOW_MS) return answers.unsigned(req, v, CODES[v].validation, TOO_EARLY)
    if (now - reqTime > REQ_WINDOW_MS) return answers.unsigned(req, v, CODES[v].validation, EXPIRED)

    if (req.fault === 'system_error') return answers.unsigned(req, v, CODES[v].system, '系统错误')
    if (req.fault === 'rate_limit') return rateLimited()

    const numbers =
      route.call === 'refund'
        ? ['refundNo', 'bizRefundNo']
        : ['orderNo', 'bizOrderNo', 'outOrderNo', 'paymentId', 'businessNo']
    if (!numbers.some((f) => typeof p[f] === 'string' && p[f] !== '')) {
      const msg =
        route.call === 'refund'
          ? '退款号与商户退款号不可以同时为空'
          : route.call === 'pay'
            ? '订单号与商户订单号不可以同时为空'
            : '支付订单号不能都为空'
      return v === '3'
        ? answers.answer3(req, merchant, CODES[v].validation, msg, null)
        : answers.unsigned(req, v, CODES[v].validation, msg)
    }
    switch (route.call) {
      case 'pay':
        return v === '3' ? sync.syncPay3(req, merchant, p) : sync.syncPay2(req, merchant, p)
      case 'refund':
        return v === '3' ? sync.syncRefund3(req, merchant, p) : sync.syncRefund2(req, merchant, p)
      case 'close':
        return order.close(req, merchant, v, p)
      case 'order':
        return order.queryOrder(req, merchant, v, p)
    }
  }

  /** DaxPay has no rate limit of its own; the reverse proxy in front of it answers 429. */
  function rateLimited(): SimResponse {
    return {
      status: 429,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center></body></html>',
    }
  }

  return {
    name: 'daxpay',
    faults: [
      'system_error',
      'rate_limit',
      'timeout',
      'reset',
      'bad_signature',
      'malformed',
      'clock_skew',
      'oversized',
      'no_amount',
      'unstamped',
    ],
    matches: (req) => Object.hasOwn(ROUTES, req.url.pathname),
    endpoint: (req) => ROUTES[req.url.pathname]!.endpoint,
    rateLimited,
    handle,
  }
}
