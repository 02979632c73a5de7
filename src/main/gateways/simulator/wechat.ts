import crypto from 'node:crypto'
import { toRfc3339Beijing } from '../../../shared/time'
import {
  aeadEncrypt,
  parseAuthorization,
  PROBE_PREFIX,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
} from '../wechat/sign'
import { formatBeijing } from '../../../shared/time'
import { dayStart } from './bills/format'
import { gzipped } from './bills/stream'
import { wechatBillChunks, type WechatBillOptions, type WechatBillType } from './bills/wechat'
import { answerKey, cutOff, gatewayNow } from './faults'
import type { SimMerchant, SimOrder, SimState } from './state'
import { billDay, billLines, billReadyAt, BillLinks, type BillDay, type BillRules } from './statements'
import { payscoreRoutes } from './wechat-payscore'
import { NOT_FOUND_ORDER, type Json, type Reply, type WechatRoute } from './wechat-replies'
import type { ChannelHandler, SimOptions, SimRequest, SimResponse } from './types'

// WeChat Pay APIv3 as docs/protocols.md sections 2 and 6 describe it: direct and partner paths,
// /v3/certificates, payscore query, cancel and sync, both key modes. The request signature is checked
// over the raw request target and body (401 SIGN_ERROR, with no Wechatpay-* headers, when it fails);
// every other answer is signed, 204s over an empty body.
//
// Key modes per merchant (ids.keyMode): `publicKey` (new merchants: answers signed with the
// PUB_KEY_ID key), `certificate` (platform certificates from /v3/certificates), `migrating` (both:
// answers alternate between the two keys, as during WeChat's gradual switch).

const NOT_FOUND_REFUND: Reply = { status: 404, body: { code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' } }
const PAID = new Set(['SUCCESS', 'REFUND'])

// The trade bill (docs/reconcile.md A1.2 and A14): `GET /v3/bill/tradebill` answers, signed, the
// SHA-1 of the bill and a link valid 30 s; `GET /v3/billdownload/file?token=…` wants a valid
// Authorization like any call and answers the file (gzipped for tar_type=GZIP) with no Wechatpay-*
// headers: the hash is the evidence, not a signature.
const BILL_DOWNLOAD_PATH = '/v3/billdownload/file'
const BILL_TYPES: readonly string[] = ['ALL', 'SUCCESS', 'REFUND']
const DAY_MS = 86_400_000

/** Payments by their success time; refunds on the day WeChat accepted them, in the state they are in. */
const WECHAT_BILL: BillRules = {
  paid: (o) => PAID.has(o.state),
  refund: (r) => {
    const status = { SUCCESS: 'SUCCESS', PROCESSING: 'PROCESSING', ABNORMAL: 'CHANGE' }[r.state]
    if (!status) return null
    // The refund query answers success_time a minute after the refund was made (below).
    return {
      time: r.createdAt,
      status,
      ...(status === 'SUCCESS' ? { finishedAt: r.createdAt + 60_000 } : {}),
    }
  },
}

interface WechatBillLink {
  merchant: string
  date: string
  options: Omit<WechatBillOptions, 'rows'>
  day: BillDay
  gzip: boolean
}

export function wechatHandler(state: SimState, options: SimOptions): ChannelHandler {
  let alternate = 0
  const links = new BillLinks<WechatBillLink>()

  function merchantOf(mchid: string): SimMerchant | undefined {
    for (const m of state.merchants.values()) if (m.channel === 'wechat' && m.ids.mchid === mchid) return m
    return undefined
  }

  function signingKey(m: SimMerchant, req: SimRequest): { serial: string; key: string } {
    const mode = m.ids.keyMode ?? 'publicKey'
    const byPublicKey = { serial: m.ids.publicKeyId!, key: m.keys.gatewayPrivateKey }
    const byCertificate = { serial: m.ids.platformSerial!, key: m.keys.platformPrivateKey! }
    if (mode === 'publicKey') return byPublicKey
    // The certificate download is signed by a certificate it carries, so a client can bootstrap from it.
    if (mode === 'certificate' || req.url.pathname === '/v3/certificates') return byCertificate
    return alternate++ % 2 === 0 ? byPublicKey : byCertificate
  }

  function respond(req: SimRequest, m: SimMerchant, reply: Reply): SimResponse {
    let body = reply.body === undefined ? '' : JSON.stringify(reply.body)
    if (req.fault === 'malformed' && body) body = cutOff(body)
    const timestamp = String(Math.floor(gatewayNow(req, options.now()) / 1000))
    const nonceText = crypto.randomBytes(16).toString('hex')
    const { serial, key } = signingKey(m, req)
    let signature = rsaSign(responseMessage(timestamp, nonceText, body), answerKey(req, m, key))
    if (req.fault === 'probe_signature') signature = PROBE_PREFIX + crypto.randomBytes(64).toString('base64')
    const headers: Record<string, string> = {
      'request-id': `${crypto.randomBytes(20).toString('hex').toUpperCase()}-${reply.code ?? 0}`,
      'wechatpay-nonce': nonceText,
      'wechatpay-timestamp': timestamp,
      'wechatpay-serial': serial,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'wechatpay-signature': signature,
    }
    if (body) headers['content-type'] = 'application/json; charset=utf-8'
    return { status: reply.status, headers, body }
  }

  function plain(status: number, body: Json): SimResponse {
    return {
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'request-id': crypto.randomBytes(20).toString('hex').toUpperCase(),
      },
      body: JSON.stringify(body),
    }
  }

  /** Checks who is calling and that they signed what they sent; an error response when not. */
  function authenticate(req: SimRequest): SimMerchant | SimResponse {
    if (!req.headers.accept || !req.headers['user-agent']) {
      return plain(400, { code: 'INVALID_REQUEST', message: 'Http头缺少Accept或User-Agent' })
    }
    const auth = parseAuthorization(req.headers.authorization)
    const m = auth ? merchantOf(auth.mchid!) : undefined
    const refuse = (issue: string) => {
      state.stats.rejectedSignatures += 1
      return plain(401, {
        code: 'SIGN_ERROR',
        message: '错误的签名，验签失败',
        detail: {
          detail: { issue },
          field: 'signature',
          location: 'authorization',
          sign_information: { method: req.method, url: req.target },
        },
      })
    }
    if (!auth || !m) return refuse('mchid or authorization missing')
    if (auth.serial_no !== m.ids.merchantSerial) return refuse('serial_no is not the merchant certificate')
    if (Math.abs(Math.floor(options.now() / 1000) - Number(auth.timestamp)) > 300)
      return refuse('timestamp expired')
    const message = requestMessage(req.method, req.target, auth.timestamp!, auth.nonce_str!, req.body)
    if (!rsaVerify(message, auth.signature!, m.keys.merchantPublicKey)) return refuse('sign not match')
    return m
  }

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

  function certificates(m: SimMerchant): Reply {
    if (!m.keys.platformCertificate)
      return {
        status: 404,
        body: { code: 'RESOURCE_NOT_EXISTS', message: '无可用的平台证书，请使用微信支付公钥' },
      }
    const nonceText = crypto.randomBytes(6).toString('hex')
    const now = options.now()
    return {
      status: 200,
      body: {
        data: [
          {
            serial_no: m.ids.platformSerial,
            effective_time: toRfc3339Beijing(now - 86400_000),
            expire_time: toRfc3339Beijing(now + 5 * 365 * 86400_000),
            encrypt_certificate: {
              algorithm: 'AEAD_AES_256_GCM',
              associated_data: 'certificate',
              nonce: nonceText,
              ciphertext: aeadEncrypt(m.keys.platformCertificate, m.ids.apiV3Key!, nonceText, 'certificate'),
            },
          },
        ],
      },
    }
  }

  function tradeBill(m: SimMerchant, req: SimRequest): Reply {
    state.stats.billRequests += 1
    const q = req.url.searchParams
    const invalid = (message: string): Reply => ({
      status: 400,
      body: { code: 'INVALID_REQUEST', message },
      code: 268435461,
    })
    const date = q.get('bill_date') ?? ''
    const start = /^\d{4}-\d{2}-\d{2}$/.test(date) ? dayStart(date) : NaN
    if (Number.isNaN(start) || formatBeijing(start).slice(0, 10) !== date)
      return invalid('账单日期格式不正确，格式为yyyy-MM-DD')
    const now = options.now()
    if (start + DAY_MS > now) return invalid('不支持下载当日及以后的账单')
    if (start < now - 92 * DAY_MS) return invalid('仅支持三个月内的账单下载申请')
    const billType = q.get('bill_type') ?? 'ALL'
    if (!BILL_TYPES.includes(billType))
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'bill_type取值不正确' } }
    const tar = q.get('tar_type')
    if (tar !== null && tar !== 'GZIP')
      return { status: 400, body: { code: 'PARAM_ERROR', message: 'tar_type取值不正确' } }
    const sub = q.get('sub_mchid')
    if (sub !== null && (m.mode !== 'partner' || sub !== m.ids.subMchid))
      return invalid('子商户号与服务商不存在受理关系')
    if (req.fault === 'bill_not_ready' || now < billReadyAt(date))
      return { status: 400, body: { code: 'STATEMENT_CREATING', message: '账单生成中' } }
    const day = billDay(state, m.name, date, WECHAT_BILL)
    const bill: Omit<WechatBillOptions, 'rows'> = {
      mchid: m.ids.mchid!,
      appid: m.ids.appId,
      subMchid: m.mode === 'partner' ? m.ids.subMchid : '0',
      billType: billType as WechatBillType,
      truncated: req.fault === 'bill_truncated',
    }
    const rows = () => billLines(date, day)
    let lines = 0
    for (const r of rows())
      if (billType === 'ALL' || (billType === 'SUCCESS' ? r.kind === 'pay' : r.kind === 'refund')) lines++
    if (lines === 0)
      return {
        status: 400,
        body: { code: 'NO_STATEMENT_EXIST', message: '账单文件不存在' },
        code: 268435462,
      }
    // The digest of the bill as served (a truncated one too: its own summary gives it away), or of
    // other bytes under bill_hash_mismatch.
    const sha1 = crypto.createHash('sha1')
    for (const chunk of wechatBillChunks(bill, rows)) sha1.update(chunk)
    if (req.fault === 'bill_hash_mismatch') sha1.update('\n')
    const token = links.add({ merchant: m.name, date, options: bill, day, gzip: tar === 'GZIP' }, now)
    return {
      status: 200,
      body: {
        hash_type: 'SHA1',
        hash_value: sha1.digest('hex'),
        download_url: `http://${String(req.headers.host ?? '127.0.0.1')}${BILL_DOWNLOAD_PATH}?token=${token}`,
      },
    }
  }

  /** The file itself: no Wechatpay-* headers, nothing to verify but the hash. */
  function billDownload(m: SimMerchant, req: SimRequest): SimResponse {
    state.stats.billRequests += 1
    const link = links.get(req.url.searchParams.get('token') ?? '', options.now())
    if (!link || link.merchant !== m.name)
      return respond(req, m, { status: 400, body: { code: 'INVALID_REQUEST', message: '下载链接已失效' } })
    const bill = { ...link.options, truncated: link.options.truncated || req.fault === 'bill_truncated' }
    const chunks = () => wechatBillChunks(bill, () => billLines(link.date, link.day))
    return {
      status: 200,
      headers: {
        'content-type': link.gzip ? 'application/x-gzip' : 'text/plain;charset=utf-8',
        'request-id': crypto.randomBytes(20).toString('hex').toUpperCase(),
      },
      body: '',
      stream: link.gzip ? () => gzipped(chunks()) : chunks,
    }
  }

  const ROUTES: WechatRoute[] = [
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
    {
      method: 'GET',
      re: /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/,
      name: 'wechat.refund.query',
      run: (m, r, g) => queryRefund(m, r, r.url.searchParams.has('sub_mchid') || m.mode === 'partner', g[0]!),
    },
    { method: 'GET', re: /^\/v3\/certificates$/, name: 'wechat.certificates', run: (m) => certificates(m) },
    {
      method: 'GET',
      re: /^\/v3\/bill\/tradebill$/,
      name: 'wechat.bill.tradebill',
      run: (m, r) => tradeBill(m, r),
    },
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
      const m = auth ? merchantOf(auth.mchid!) : undefined
      const reply: Reply = {
        status: 429,
        body: { code: 'FREQUENCY_LIMITED', message: '请求频率超过限制' },
        code: 268447840,
      }
      return m ? respond(req, m, reply) : plain(429, reply.body!)
    },
    handle(req) {
      const who = authenticate(req)
      if (!('channel' in who)) return who
      const m = who
      const download = req.method === 'GET' && req.url.pathname === BILL_DOWNLOAD_PATH
      const found = download ? null : route(req)
      if (!download && !found)
        return respond(req, m, { status: 404, body: { code: 'NOT_FOUND', message: '请求的资源不存在' } })
      if (req.fault === 'system_error')
        return plain(500, { code: 'SYSTEM_ERROR', message: '系统异常，请稍后重试' })
      if (req.fault === 'rate_limit')
        return respond(req, m, {
          status: 429,
          body: { code: 'FREQUENCY_LIMITED', message: '请求频率超过限制' },
          code: 268447840,
        })
      if (download || !found) return billDownload(m, req)
      let body: Json = {}
      if (req.method === 'POST') {
        try {
          body = JSON.parse(req.body || '{}') as Json
        } catch {
          return respond(req, m, {
            status: 400,
            body: { code: 'PARAM_ERROR', message: '请求体不是合法的JSON' },
          })
        }
      }
      return respond(req, m, found.route.run(m, req, found.groups, body))
    },
  }
}
