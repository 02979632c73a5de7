import { parseBeijing } from '../../../../shared/time'
import { requestSignContent, rsa2Verify } from '../../alipay/sign'
import type { SimMerchant, SimState } from '../state'
import type { ChannelHandler, SimOptions, SimRequest } from '../types'
import { alipayBills, DOWNLOAD_PATH } from './bills'
import { BILL_METHOD, fail, METHODS, type Method, type Node } from './replies'
import { alipaySigning } from './signing'
import { tradeCalls } from './trades'

// The Alipay OpenAPI gateway (`POST /gateway.do`) as docs/protocols.md sections 1 and 6 describe
// it: parameters merged from the URL and the form body, the request signature verified with the
// merchant's application public key, every answer signed with the gateway's private key. The bill
// application (`alipay.data.dataservice.bill.downloadurl.query`, docs/reconcile.md A1.1 and A14)
// answers a link to `GET /downloadBillFile.resource`, unsigned, valid 30 s, serving the zip.
//
// Here a request's parameters are read and checked (app, signature type, time, signature, method,
// biz_content) and routed; signing.ts signs the answers, trades.ts and bills.ts are the methods.

export function alipayHandler(state: SimState, options: SimOptions): ChannelHandler {
  const { respond, respondAsync } = alipaySigning(options)
  const trades = tradeCalls(state, options)
  const bills = alipayBills(state, options)

  function merchantByAppId(appId: string): SimMerchant | undefined {
    for (const m of state.merchants.values()) if (m.channel === 'alipay' && m.ids.appId === appId) return m
    return undefined
  }

  function params(req: SimRequest): Record<string, string> {
    const p: Record<string, string> = {}
    for (const [k, v] of req.url.searchParams) p[k] = v
    const type = String(req.headers['content-type'] ?? '')
    if (req.body && (type.includes('x-www-form-urlencoded') || !type)) {
      for (const [k, v] of new URLSearchParams(req.body)) p[k] = v
    }
    return p
  }

  return {
    name: 'alipay',
    faults: [
      'system_error',
      'rate_limit',
      'timeout',
      'reset',
      'bad_signature',
      'malformed',
      'clock_skew',
      'oversized',
      'bill_not_ready',
      'bill_truncated',
      'bill_gbk_name_utf8flag',
    ],
    matches: (req) => req.url.pathname === '/gateway.do' || req.url.pathname === DOWNLOAD_PATH,
    endpoint(req) {
      if (req.url.pathname === DOWNLOAD_PATH) return 'alipay.bill.download'
      const m = params(req).method
      return METHODS.includes(m as Method) ? m! : 'alipay.other'
    },
    rateLimited(req) {
      const p = params(req)
      return respond(
        req,
        p.method ?? '',
        fail('20000', 'Service Currently Unavailable', 'aop.call-limited', '调用频率超限，请降低调用频率'),
        merchantByAppId(p.app_id ?? ''),
      )
    },
    handle(req) {
      if (req.url.pathname === DOWNLOAD_PATH) return bills.billDownload(req)
      const p = params(req)
      const method = p.method ?? ''
      for (const [k, sub] of [
        ['method', 'isv.missing-method'],
        ['app_id', 'isv.missing-app-id'],
        ['sign_type', 'isv.missing-signature-type'],
        ['sign', 'isv.missing-signature'],
        ['timestamp', 'isv.missing-timestamp'],
        ['version', 'isv.missing-version'],
      ] as const) {
        if (!p[k])
          return respond(
            req,
            method,
            fail('40001', 'Missing Required Arguments', sub, `缺少参数 ${k}`),
            undefined,
          )
      }
      const merchant = merchantByAppId(p.app_id!)
      if (!merchant)
        return respond(
          req,
          method,
          fail('40002', 'Invalid Arguments', 'isv.invalid-app-id', '无效的AppID参数'),
          undefined,
        )
      if (p.sign_type !== 'RSA2') {
        return respond(
          req,
          method,
          fail('40002', 'Invalid Arguments', 'isv.invalid-signature-type', '无效的签名类型'),
          merchant,
        )
      }
      const ts = parseBeijing(p.timestamp!)
      if (ts === null || Math.abs(ts - options.now()) > options.timestampToleranceSec * 1000) {
        return respond(
          req,
          method,
          fail('40002', 'Invalid Arguments', 'isv.invalid-timestamp', '非法的时间戳参数'),
          merchant,
        )
      }
      const content = requestSignContent(p)
      if (!rsa2Verify(content, p.sign!, merchant.keys.merchantPublicKey)) {
        state.stats.rejectedSignatures += 1
        return respond(
          req,
          method,
          fail(
            '40002',
            'Invalid Arguments',
            'isv.invalid-signature',
            `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`,
          ),
          merchant,
        )
      }
      if (!METHODS.includes(method as Method)) {
        return respond(
          req,
          method,
          fail('40002', 'Invalid Arguments', 'isv.invalid-method', '不存在的方法名'),
          merchant,
        )
      }
      let biz: Node
      try {
        biz = JSON.parse(p.biz_content ?? '') as Node
        if (typeof biz !== 'object' || biz === null) throw new Error()
      } catch {
        return respond(
          req,
          method,
          fail('40004', 'Business Failed', 'ACQ.INVALID_PARAMETER', '参数无效: biz_content'),
          merchant,
        )
      }
      if (req.fault === 'system_error') {
        return respond(
          req,
          method,
          fail('20000', 'Service Currently Unavailable', 'isp.unknow-error', '系统繁忙'),
          merchant,
        )
      }
      if (req.fault === 'rate_limit') return this.rateLimited(req)
      const node =
        method === 'alipay.trade.query'
          ? trades.tradeQuery(merchant, biz)
          : method === 'alipay.trade.close'
            ? trades.tradeClose(merchant, biz)
            : method === BILL_METHOD
              ? bills.billApply(merchant, biz, req)
              : trades.refundQuery(merchant, biz)
      return respondAsync(req, method, node, merchant)
    },
  }
}
