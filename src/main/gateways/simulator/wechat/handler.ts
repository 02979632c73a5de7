import { parseAuthorization } from '../../wechat/sign'
import type { SimState } from '../state'
import type { ChannelHandler, SimOptions, SimRequest } from '../types'
import { BILL_DOWNLOAD_PATH, wechatBills } from './bills'
import { certificateRoutes } from './certificates'
import { payRoutes } from './pay'
import { payscoreRoutes } from './payscore'
import { refundRoutes } from './refund'
import type { Json, Reply, WechatRoute } from './replies'
import { wechatSigning } from './signing'

// WeChat Pay APIv3 as docs/protocols.md sections 2 and 6 describe it: direct and partner paths,
// /v3/certificates, payscore query, cancel and sync, both key modes. The request signature is checked
// over the raw request target and body (401 SIGN_ERROR, with no Wechatpay-* headers, when it fails);
// every other answer is signed, 204s over an empty body.
//
// Key modes per merchant (ids.keyMode): `publicKey` (new merchants: answers signed with the
// PUB_KEY_ID key), `certificate` (platform certificates from /v3/certificates), `migrating` (both:
// answers alternate between the two keys, as during WeChat's gradual switch).
//
// Here a request is authenticated, routed and its reply signed (signing.ts); the routes are pay.ts,
// refund.ts, certificates.ts, bills.ts (with the bill's download) and payscore.ts.

export function wechatHandler(state: SimState, options: SimOptions): ChannelHandler {
  const signing = wechatSigning(state, options)
  const bills = wechatBills(state, options, signing)

  const ROUTES: WechatRoute[] = [
    ...payRoutes(state, options),
    ...refundRoutes(state),
    ...certificateRoutes(options),
    ...bills.routes,
    ...payscoreRoutes(state, options),
  ]

  function route(req: SimRequest) {
    for (const r of ROUTES) {
      if (r.method !== req.method) continue
      const m = r.re.exec(req.url.pathname)
      if (m) return { route: r, groups: m.slice(1).map((g) => decodeURIComponent(g)) }
    }
    return null
  }

  return {
    name: 'wechat',
    faults: [
      'system_error',
      'rate_limit',
      'timeout',
      'reset',
      'bad_signature',
      'probe_signature',
      'malformed',
      'clock_skew',
      'oversized',
      'no_amount',
      'bill_not_ready',
      'bill_hash_mismatch',
      'bill_truncated',
    ],
    matches: (req) => req.url.pathname.startsWith('/v3/'),
    endpoint: (req) =>
      req.url.pathname === BILL_DOWNLOAD_PATH
        ? 'wechat.bill.download'
        : (route(req)?.route.name ?? 'wechat.other'),
    rateLimited: (req) => {
      const auth = parseAuthorization(req.headers.authorization)
      const m = auth ? signing.merchantOf(auth.mchid!) : undefined
      const reply: Reply = {
        status: 429,
        body: { code: 'FREQUENCY_LIMITED', message: '请求频率超过限制' },
        code: 268447840,
      }
      return m ? signing.respond(req, m, reply) : signing.plain(429, reply.body!)
    },
    handle(req) {
      const who = signing.authenticate(req)
      if (!('channel' in who)) return who
      const m = who
      const download = req.method === 'GET' && req.url.pathname === BILL_DOWNLOAD_PATH
      const found = download ? null : route(req)
      if (!download && !found)
        return signing.respond(req, m, {
          status: 404,
          body: { code: 'NOT_FOUND', message: '请求的资源不存在' },
        })
      if (req.fault === 'system_error')
        return signing.plain(500, { code: 'SYSTEM_ERROR', message: '系统异常，请稍后重试' })
      if (req.fault === 'rate_limit')
        return signing.respond(req, m, {
          status: 429,
          body: { code: 'FREQUENCY_LIMITED', message: '请求频率超过限制' },
          code: 268447840,
        })
      if (download || !found) return bills.billDownload(m, req)
      let body: Json = {}
      if (req.method === 'POST') {
        try {
          body = JSON.parse(req.body || '{}') as Json
        } catch {
          return signing.respond(req, m, {
            status: 400,
            body: { code: 'PARAM_ERROR', message: '请求体不是合法的JSON' },
          })
        }
      }
      return signing.respond(req, m, found.route.run(m, req, found.groups, body))
    },
  }
}
