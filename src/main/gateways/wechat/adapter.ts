import crypto from 'node:crypto'
import { parseFen } from '../../../shared/money'
import type { WechatProfile } from '../../../shared/profiles'
import { formatBeijingCompact, parseBeijing, toRfc3339Beijing } from '../../../shared/time'
import { DEFAULT_RETRY, exchange, type HttpResponse, type RetryPolicy } from '../http'
import { signAsync } from '../signing'
import type {
  CallContext,
  CloseAnswer,
  ConnectionTest,
  GatewayAdapter,
  PayAnswer,
  PayscoreSyncAnswer,
  PayTradeRef,
  RefundAnswer,
  RefundTradeRef,
} from '../types'
import {
  aeadDecrypt,
  authorization,
  MAX_CLOCK_OFFSET_SEC,
  nonce,
  PROBE_PREFIX,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
} from './sign'

// WeChat Pay APIv3, direct and partner (service provider) modes, payscore included. Every answer that
// could change a trade is verified first: signature over timestamp, nonce and the raw body with the key
// named by Wechatpay-Serial (a platform certificate serial or a PUB_KEY_ID), timestamp within 300 s,
// probe signatures refused. Unsigned answers, 404s included, are errors, never states.

type Json = Record<string, unknown>

type Reading =
  | { kind: 'answer'; status: number; body: string; json: Json | null }
  | { kind: 'error'; code: string; msg: string; raw: string | null; status: number | null }

interface Exchanged {
  reading: Reading
  attempts: number
  latencyMs: number | null
  serverTime: number | null
}

const USER_AGENT = 'PaySyncDesk/0.1 (Node.js; +https://github.com/paysync-desk)'
const CERT_RETRY_MS = 60_000

const PAY_STATES: Record<string, PayAnswer['status']> = {
  SUCCESS: 'pay_success',
  NOTPAY: 'pay_progress',
  USERPAYING: 'pay_progress',
  CLOSED: 'pay_closed',
  REVOKED: 'pay_closed',
  PAYERROR: 'pay_fail',
  REFUND: 'pay_refund',
}

const PAYSCORE_STATES: Record<string, PayAnswer['status']> = {
  DONE: 'pay_success',
  CREATED: 'pay_progress',
  DOING: 'pay_progress',
  REVOKED: 'pay_closed',
  EXPIRED: 'pay_closed',
}

const REFUND_STATES: Record<string, RefundAnswer['status']> = {
  SUCCESS: 'refund_success',
  PROCESSING: 'refund_progress',
  CLOSED: 'refund_closed',
  ABNORMAL: 'refund_abnormal',
}

export class WechatAdapter implements GatewayAdapter {
  readonly channel = 'wechat' as const
  private readonly privateKey: crypto.KeyObject
  /** Verification keys by the name a response gives in Wechatpay-Serial. */
  private readonly keys = new Map<string, crypto.KeyObject>()
  private readonly publicKeyId: string | null
  private certsTriedAt = 0
  /** Our clock minus WeChat's, from the last answer's Wechatpay-Timestamp. */
  lastClockSkewMs: number | null = null

  constructor(
    private readonly profile: WechatProfile,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly now: () => number = Date.now,
  ) {
    this.privateKey = crypto.createPrivateKey(profile.privateKey)
    for (const [name, pem] of Object.entries(profile.platformPublicKeys))
      this.keys.set(name, publicKeyOf(pem))
    this.publicKeyId =
      Object.keys(profile.platformPublicKeys).find((k) => k.startsWith('PUB_KEY_ID_')) ?? null
  }

  private get partner(): boolean {
    return this.profile.mode === 'partner'
  }

  private base(): string {
    return this.profile.endpoint.replace(/\/+$/, '')
  }

  private async send(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body: Json | undefined,
    ctx?: CallContext,
  ): Promise<Exchanged> {
    const text = body === undefined ? '' : JSON.stringify(body)
    const build = async () => {
      const timestamp = String(Math.floor(this.now() / 1000))
      const n = nonce()
      const signature = await signAsync(
        requestMessage(method, pathAndQuery, timestamp, n, text),
        this.privateKey,
      )

      const headers: Record<string, string> = {
        Authorization: authorization({
          mchid: this.profile.mchid,
          nonce: n,
          signature,
          timestamp,
          serial: this.profile.serialNo,
        }),
        Accept: 'application/json',
        'User-Agent': USER_AGENT,
      }
      if (body !== undefined) headers['Content-Type'] = 'application/json'
      // In public-key mode the key is named on every request; WeChat then signs the answer with it.
      if (this.publicKeyId) headers['Wechatpay-Serial'] = this.publicKeyId
      return {
        method,
        url: `${this.base()}${pathAndQuery}`,
        headers,
        body: body === undefined ? undefined : text,
      }
    }
    const ex = await exchange(build, this.policy, ctx, (res) => res.status === 429 || res.status >= 500)
    if (!ex.ok) {
      return {
        reading: {
          kind: 'error',
          code: ex.failure.code,
          msg: ex.failure.message,
          raw: ex.lastResponse?.body ?? null,
          status: ex.lastResponse?.status ?? null,
        },
        attempts: ex.attempts,
        latencyMs: ex.latencyMs,
        serverTime: null,
      }
    }
    return {
      reading: await this.read(ex.response),
      attempts: ex.attempts,
      latencyMs: ex.latencyMs,
      serverTime: ex.serverTime,
    }
  }

  private async read(res: HttpResponse): Promise<Reading> {
    const code = errorCode(res.body)
    if (res.status === 401) {
      return {
        kind: 'error',
        code: code ?? 'SIGN_ERROR',
        msg: `WeChat Pay refused our request signature: ${errorMessage(res.body) ?? 'SIGN_ERROR'} (check the merchant key, its serial number and this computer's clock)`,
        raw: res.body,
        status: 401,
      }
    }
    const h = res.headers
    const ts = h['wechatpay-timestamp']
    const n = h['wechatpay-nonce']
    const signature = h['wechatpay-signature']
    const serial = h['wechatpay-serial']
    if (!ts || !n || !signature || !serial) {
      return {
        kind: 'error',
        code: code ?? `HTTP_${res.status}`,
        msg: `unsigned answer (HTTP ${res.status}${code ? ` ${code}` : ''}): not trusted`,
        raw: res.body,
        status: res.status,
      }
    }
    if (signature.startsWith(PROBE_PREFIX)) {
      return {
        kind: 'error',
        code: 'probe_signature',
        msg: 'a WeChat Pay signature probe (WECHATPAY/SIGNTEST/): refused as it must be',
        raw: res.body,
        status: res.status,
      }
    }
    const skewSec = Math.floor(this.now() / 1000) - Number(ts)
    this.lastClockSkewMs = Number.isFinite(skewSec) ? skewSec * 1000 : null
    if (!Number.isFinite(skewSec) || Math.abs(skewSec) >= MAX_CLOCK_OFFSET_SEC) {
      return {
        kind: 'error',
        code: 'clock_skew',
        msg: `the answer's timestamp is ${skewSec} s away from this computer's clock (300 s at most): correct the clock`,
        raw: res.body,
        status: res.status,
      }
    }
    let key = this.keys.get(serial)
    if (!key && !serial.startsWith('PUB_KEY_ID_')) {
      await this.refreshCertificates()
      key = this.keys.get(serial)
    }
    if (!key) {
      return {
        kind: 'error',
        code: 'unknown_serial',
        msg: `the answer is signed with key ${serial}, which this profile does not have; add it to the platform keys`,
        raw: res.body,
        status: res.status,
      }
    }
    if (!rsaVerify(responseMessage(ts, n, res.body), signature, key)) {
      return {
        kind: 'error',
        code: 'bad_signature',
        msg: `the answer's signature does not verify with key ${serial}`,
        raw: res.body,
        status: res.status,
      }
    }
    let json: Json | null = null
    if (res.body !== '') {
      try {
        const parsed = JSON.parse(res.body) as unknown
        if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object')
        json = parsed as Json
      } catch {
        return {
          kind: 'error',
          code: 'malformed',
          msg: 'the answer is not valid JSON',
          raw: res.body,
          status: res.status,
        }
      }
    }
    return { kind: 'answer', status: res.status, body: res.body, json }
  }

  /** Platform certificates from /v3/certificates, decrypted with the APIv3 key; the answer is signed by one of them. */
  async refreshCertificates(force = false): Promise<number> {
    const now = this.now()
    // Asked when an answer names a serial we do not know (a new or rotated certificate), at most once a minute.
    if (!force && now - this.certsTriedAt < CERT_RETRY_MS) return 0
    this.certsTriedAt = now
    const path = '/v3/certificates'
    const ex = await exchange(
      () => {
        const timestamp = String(Math.floor(this.now() / 1000))
        const n = nonce()
        const signature = rsaSign(requestMessage('GET', path, timestamp, n, ''), this.privateKey)
        return {
          method: 'GET' as const,
          url: `${this.base()}${path}`,
          headers: {
            Authorization: authorization({
              mchid: this.profile.mchid,
              nonce: n,
              signature,
              timestamp,
              serial: this.profile.serialNo,
            }),
            Accept: 'application/json',
            'User-Agent': USER_AGENT,
          },
        }
      },
      this.policy,
      undefined,
      (res) => res.status === 429 || res.status >= 500,
    )
    if (!ex.ok || ex.response.status !== 200) return 0
    let data: Array<{
      serial_no: string
      encrypt_certificate: { ciphertext: string; nonce: string; associated_data: string }
    }>
    try {
      data = (JSON.parse(ex.response.body) as { data: typeof data }).data
    } catch {
      return 0
    }
    // A download whose `data` is no list holds no certificate; iterating a number or an object here
    // threw out of the adapter, which must never throw for what a gateway sends (found by
    // tests/gateways/parsers-fuzz.test.ts).
    if (!Array.isArray(data)) return 0
    const found = new Map<string, crypto.KeyObject>()
    for (const c of data) {
      try {
        const pem = aeadDecrypt(
          c.encrypt_certificate.ciphertext,
          this.profile.apiV3Key,
          c.encrypt_certificate.nonce,
          c.encrypt_certificate.associated_data,
        )
        found.set(c.serial_no, publicKeyOf(pem))
      } catch {
        // A certificate that does not decrypt with our APIv3 key is not ours to trust.
      }
    }
    // The download itself must verify: with one of the certificates it carries (the bootstrap) or a key we already trust.
    const h = ex.response.headers
    const key = found.get(h['wechatpay-serial'] ?? '') ?? this.keys.get(h['wechatpay-serial'] ?? '')
    if (!key || !h['wechatpay-signature'] || h['wechatpay-signature'].startsWith(PROBE_PREFIX)) return 0
    if (
      !rsaVerify(
        responseMessage(h['wechatpay-timestamp'] ?? '', h['wechatpay-nonce'] ?? '', ex.response.body),
        h['wechatpay-signature'],
        key,
      )
    )
      return 0
    for (const [serial, k] of found) this.keys.set(serial, k)
    return found.size
  }

  private meta(x: Exchanged) {
    return { attempts: x.attempts, latencyMs: x.latencyMs, serverTime: x.serverTime }
  }

  private scope(): string {
    return this.partner
      ? `sp_mchid=${enc(this.profile.mchid)}&sub_mchid=${enc(this.profile.subMchid ?? '')}`
      : `mchid=${enc(this.profile.mchid)}`
  }

  async queryPay(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer> {
    if (trade.kind === 'payscore') return this.queryPayscore(trade, ctx)
    const root = this.partner ? '/v3/pay/partner/transactions' : '/v3/pay/transactions'
    // Unpaid orders can only be found by out_trade_no; once we know the transaction_id, use it.
    const path = trade.gatewayTradeNo
      ? `${root}/id/${enc(trade.gatewayTradeNo)}?${this.scope()}`
      : `${root}/out-trade-no/${enc(trade.orderNo)}?${this.scope()}`
    const x = await this.send('GET', path, undefined, ctx)
    const none = { amount: null, gatewayTradeNo: null, paidAt: null, ...this.meta(x) }
    const r = x.reading
    if (r.kind === 'error')
      return {
        status: 'sync_error',
        rawStatus: r.code,
        rawText: r.raw,
        errorCode: r.code,
        errorMsg: r.msg,
        ...none,
      }
    if (r.status === 404 && r.json?.code === 'ORDER_NOT_EXIST') {
      return {
        status: 'pay_not_found',
        rawStatus: '404 ORDER_NOT_EXIST',
        rawText: r.body,
        errorCode: null,
        errorMsg: null,
        ...none,
      }
    }
    if (r.status !== 200 || !r.json) return this.unexpected(r, none)
    const other = this.aboutOther(
      r.json,
      trade.gatewayTradeNo ? { transaction_id: trade.gatewayTradeNo } : { out_trade_no: trade.orderNo },
    )
    if (other) return { ...none, ...other, rawText: r.body }
    const state = String(r.json.trade_state ?? '')
    const status = PAY_STATES[state]
    const amount = parseFen((r.json.amount as Json | undefined)?.total)
    const answer = {
      rawStatus: state,
      rawText: r.body,
      errorCode: null,
      errorMsg: null,
      amount,
      gatewayTradeNo:
        typeof r.json.transaction_id === 'string' && r.json.transaction_id ? r.json.transaction_id : null,
      paidAt: typeof r.json.success_time === 'string' ? parseBeijing(r.json.success_time) : null,
      ...this.meta(x),
    }
    if (!status)
      return {
        ...answer,
        status: 'sync_error',
        errorCode: 'malformed',
        errorMsg: `unknown trade_state "${state}"`,
      }
    if (status === 'pay_success' && amount === null)
      return {
        ...answer,
        status: 'sync_error',
        errorCode: 'malformed',
        errorMsg: 'a paid order without amount.total',
      }
    return { ...answer, status }
  }

  private async queryPayscore(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer> {
    const serviceId = this.profile.payscoreServiceId
    const none = {
      amount: null,
      gatewayTradeNo: null,
      paidAt: null,
      attempts: 0,
      latencyMs: 0,
      serverTime: null,
    }
    if (!serviceId) {
      return {
        status: 'sync_error',
        rawStatus: null,
        rawText: null,
        errorCode: 'config',
        errorMsg: 'this profile has no payscoreServiceId',
        ...none,
      }
    }
    const path = this.partner
      ? `/v3/payscore/partner/serviceorder?service_id=${enc(serviceId)}&sub_mchid=${enc(this.profile.subMchid ?? '')}&out_order_no=${enc(trade.orderNo)}`
      : `/v3/payscore/serviceorder?service_id=${enc(serviceId)}&appid=${enc(this.profile.appId ?? '')}&out_order_no=${enc(trade.orderNo)}`
    const x = await this.send('GET', path, undefined, ctx)
    const base = { ...none, ...this.meta(x) }
    const r = x.reading
    if (r.kind === 'error')
      return {
        status: 'sync_error',
        rawStatus: r.code,
        rawText: r.raw,
        errorCode: r.code,
        errorMsg: r.msg,
        ...base,
      }
    if (r.status === 404 && r.json?.code === 'ORDER_NOT_EXIST') {
      return {
        status: 'pay_not_found',
        rawStatus: '404 ORDER_NOT_EXIST',
        rawText: r.body,
        errorCode: null,
        errorMsg: null,
        ...base,
      }
    }
    if (r.status !== 200 || !r.json) return this.unexpected(r, base)
    const other = this.aboutOther(r.json, { out_order_no: trade.orderNo })
    if (other) return { ...base, ...other, rawText: r.body }
    const state = String(r.json.state ?? '')
    const description = typeof r.json.state_description === 'string' ? r.json.state_description : null
    const status = PAYSCORE_STATES[state]
    const collection = (r.json.collection ?? {}) as Json
    const details = Array.isArray(collection.details) ? (collection.details as Json[]) : []
    const paidTime = details.find((d) => typeof d.paid_time === 'string')?.paid_time as string | undefined
    const answer = {
      ...base,
      rawStatus: description ? `${state}/${description}` : state,
      rawText: r.body,
      errorCode: null,
      errorMsg: null,
      amount: parseFen(r.json.total_amount),
      gatewayTradeNo: typeof r.json.order_id === 'string' ? r.json.order_id : null,
      paidAt: paidTime ? parseBeijing(paidTime) : null,
      payscore: { state, stateDescription: description },
    }
    if (!status)
      return {
        ...answer,
        status: 'sync_error',
        errorCode: 'malformed',
        errorMsg: `unknown payscore state "${state}"`,
      }
    return { ...answer, status }
  }

  async closePay(trade: PayTradeRef, ctx?: CallContext): Promise<CloseAnswer> {
    let x: Exchanged
    if (trade.kind === 'payscore') {
      const serviceId = this.profile.payscoreServiceId ?? ''
      x = this.partner
        ? await this.send(
            'POST',
            `/v3/payscore/partner/serviceorder/${enc(trade.orderNo)}/cancel`,
            { service_id: serviceId, sub_mchid: this.profile.subMchid ?? '', reason: '订单已超时' },
            ctx,
          )
        : await this.send(
            'POST',
            `/v3/payscore/serviceorder/${enc(trade.orderNo)}/cancel`,
            { appid: this.profile.appId ?? '', service_id: serviceId, reason: '订单已超时' },
            ctx,
          )
    } else {
      const root = this.partner ? '/v3/pay/partner/transactions' : '/v3/pay/transactions'
      const body = this.partner
        ? { sp_mchid: this.profile.mchid, sub_mchid: this.profile.subMchid ?? '' }
        : { mchid: this.profile.mchid }
      x = await this.send('POST', `${root}/out-trade-no/${enc(trade.orderNo)}/close`, body, ctx)
    }
    const meta = this.meta(x)
    const r = x.reading
    if (r.kind === 'error')
      return {
        result: 'error',
        rawStatus: r.code,
        rawText: r.raw,
        errorCode: r.code,
        errorMsg: r.msg,
        ...meta,
      }
    const code = typeof r.json?.code === 'string' ? r.json.code : null
    const common = { rawStatus: code ? `${r.status} ${code}` : String(r.status), rawText: r.body, ...meta }
    if (acknowledged(r, trade, code)) return { result: 'closed', errorCode: null, errorMsg: null, ...common }
    if (code === 'ORDER_CLOSED' || code === 'ORDER_CANCELED')
      return { result: 'closed', errorCode: null, errorMsg: null, ...common }
    if (r.status === 404 && code === 'ORDER_NOT_EXIST')
      return { result: 'not_found', errorCode: null, errorMsg: null, ...common }
    if (code === 'ORDER_PAID' || code === 'ORDERPAID' || code === 'ORDER_DONE') {
      return { result: 'not_closable', errorCode: code, errorMsg: errorMessage(r.body), ...common }
    }
    return {
      result: 'error',
      errorCode: code ?? `HTTP_${r.status}`,
      errorMsg: errorMessage(r.body) ?? `HTTP ${r.status}`,
      ...common,
    }
  }

  async queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer> {
    const query = this.partner ? `?sub_mchid=${enc(this.profile.subMchid ?? '')}` : ''
    const x = await this.send(
      'GET',
      `/v3/refund/domestic/refunds/${enc(refund.refundNo)}${query}`,
      undefined,
      ctx,
    )
    const none = { amount: null, gatewayRefundNo: null, finishedAt: null, ...this.meta(x) }
    const r = x.reading
    if (r.kind === 'error')
      return {
        status: 'sync_error',
        rawStatus: r.code,
        rawText: r.raw,
        errorCode: r.code,
        errorMsg: r.msg,
        ...none,
      }
    if (r.status === 404 && r.json?.code === 'RESOURCE_NOT_EXISTS') {
      return {
        status: 'refund_not_found',
        rawStatus: '404 RESOURCE_NOT_EXISTS',
        rawText: r.body,
        errorCode: null,
        errorMsg: null,
        ...none,
      }
    }
    if (r.status !== 200 || !r.json) return this.unexpected(r, none)
    const other = this.aboutOther(r.json, { out_refund_no: refund.refundNo })
    if (other) return { ...none, ...other, rawText: r.body }
    const state = String(r.json.status ?? '')
    const status = REFUND_STATES[state]
    const answer = {
      rawStatus: state,
      rawText: r.body,
      errorCode: null,
      errorMsg: null,
      amount: parseFen((r.json.amount as Json | undefined)?.refund),
      gatewayRefundNo: typeof r.json.refund_id === 'string' ? r.json.refund_id : null,
      finishedAt: typeof r.json.success_time === 'string' ? parseBeijing(r.json.success_time) : null,
      ...this.meta(x),
    }
    if (!status)
      return {
        ...answer,
        status: 'sync_error',
        errorCode: 'malformed',
        errorMsg: `unknown refund status "${state}"`,
      }
    return { ...answer, status }
  }

  /** Seed document 004: tell WeChat that a payscore order was paid offline. */
  async syncPayscorePaid(trade: PayTradeRef, paidAt: number, ctx?: CallContext): Promise<PayscoreSyncAnswer> {
    const serviceId = this.profile.payscoreServiceId ?? ''
    const detail =
      this.profile.region === 'global'
        ? { seq: 1, paid_time: toRfc3339Beijing(paidAt), paid_amount: trade.amount }
        : { paid_time: formatBeijingCompact(paidAt) }
    const x = this.partner
      ? await this.send(
          'POST',
          `/v3/payscore/partner/serviceorder/${enc(trade.orderNo)}/sync`,
          { service_id: serviceId, sub_mchid: this.profile.subMchid ?? '', type: 'Order_Paid', detail },
          ctx,
        )
      : await this.send(
          'POST',
          `/v3/payscore/serviceorder/${enc(trade.orderNo)}/sync`,
          { appid: this.profile.appId ?? '', service_id: serviceId, type: 'Order_Paid', detail },
          ctx,
        )
    const meta = this.meta(x)
    const r = x.reading
    if (r.kind === 'error')
      return {
        result: 'error',
        rawStatus: r.code,
        rawText: r.raw,
        errorCode: r.code,
        errorMsg: r.msg,
        ...meta,
      }
    const code = typeof r.json?.code === 'string' ? r.json.code : null
    const message = errorMessage(r.body)
    const common = { rawStatus: code ? `${r.status} ${code}` : String(r.status), rawText: r.body, ...meta }
    if (acknowledged(r, trade, code) || code === 'ORDER_DONE')
      return { result: 'done', errorCode: null, errorMsg: null, ...common }
    // While WeChat is still deducting it asks to come back in about three minutes (S58b).
    if (message && /扣款中|收款结果不明/.test(message))
      return { result: 'retry_later', errorCode: code, errorMsg: message, ...common }
    return {
      result: 'error',
      errorCode: code ?? `HTTP_${r.status}`,
      errorMsg: message ?? `HTTP ${r.status}`,
      ...common,
    }
  }

  async testConnection(ctx?: CallContext): Promise<ConnectionTest> {
    const a = await this.queryPay(
      {
        orderNo: `PAYSYNCPING${this.now()}`,
        bizOrderNo: '',
        gatewayTradeNo: null,
        amount: 0,
        kind: 'pay',
        createdAt: this.now(),
        paidAt: null,
      },
      ctx,
    )
    const signatureValid =
      a.status === 'sync_error'
        ? a.errorCode === 'bad_signature' || a.errorCode === 'probe_signature'
          ? false
          : null
        : true
    return {
      ok: a.status !== 'sync_error',
      signatureValid,
      clockSkewMs: this.lastClockSkewMs,
      latencyMs: a.latencyMs,
      message:
        a.status === 'sync_error'
          ? `${a.errorCode}: ${a.errorMsg}`
          : `signed answer verified (${a.rawStatus})`,
      ...(a.status === 'sync_error' ? {} : { reply: a.rawStatus ?? '' }),
    }
  }

  /**
   * A verified answer about another trade or merchant is no answer to ours. WeChat signs the body
   * it sends, not the question it answers, so a signed answer about another order (a paid one) could
   * be sent back to us by an intermediary within its five minutes; the numbers in the body tell.
   * Found by tests/gateways/parsers-fuzz.test.ts, where such a replay read as paid.
   */
  private aboutOther(json: Json, asked: Record<string, string>) {
    const expected: Record<string, string | undefined> = {
      ...asked,
      ...(this.partner
        ? { sp_mchid: this.profile.mchid, sub_mchid: this.profile.subMchid }
        : { mchid: this.profile.mchid }),
    }
    for (const [key, value] of Object.entries(expected)) {
      const said = json[key]
      if (value !== undefined && said !== undefined && said !== null && String(said) !== value) {
        return {
          status: 'sync_error' as const,
          rawStatus: 'mismatch',
          errorCode: 'mismatch',
          errorMsg: `the answer is about ${key} ${String(said)}, not ${value} that was asked about`,
        }
      }
    }
    return null
  }

  private unexpected<T extends { attempts: number; latencyMs: number | null; serverTime: number | null }>(
    r: Extract<Reading, { kind: 'answer' }>,
    base: T,
  ) {
    const code = typeof r.json?.code === 'string' ? r.json.code : `HTTP_${r.status}`
    return {
      status: 'sync_error' as const,
      rawStatus: `${r.status} ${code}`,
      rawText: r.body,
      errorCode: code,
      errorMsg: errorMessage(r.body) ?? `HTTP ${r.status}`,
      ...base,
    }
  }
}

/**
 * Whether a verified answer to a close, a payscore cancel or a payscore sync says it was done. The
 * signature covers timestamp, nonce and body but not the status line, so a 200 or 204 status alone
 * proves nothing: a signed refusal (ORDER_PAID) or a signed answer about something else, sent with a
 * success status, was read as "closed" (found by tests/gateways/parsers-fuzz.test.ts). Done means a
 * success status with an empty body (204 No Content, a pay order's close) or with the payscore order
 * it was about, and no error code.
 */
function acknowledged(
  r: { status: number; body: string; json: Json | null },
  trade: PayTradeRef,
  code: string | null,
) {
  if (r.status !== 204 && r.status !== 200) return false
  if (r.json === null) return r.body.trim() === ''
  return code === null && trade.kind === 'payscore' && r.json.out_order_no === trade.orderNo
}

function enc(s: string): string {
  return encodeURIComponent(s)
}

function publicKeyOf(pem: string): crypto.KeyObject {
  return pem.includes('BEGIN CERTIFICATE')
    ? new crypto.X509Certificate(pem).publicKey
    : crypto.createPublicKey(pem)
}

function errorCode(body: string): string | null {
  try {
    const c = (JSON.parse(body) as Json).code
    return typeof c === 'string' ? c : null
  } catch {
    return null
  }
}

function errorMessage(body: string): string | null {
  try {
    const m = (JSON.parse(body) as Json).message
    // A blank message is none: the error then says what happened instead.
    return typeof m === 'string' && m.trim() !== '' ? m : null
  } catch {
    return null
  }
}
