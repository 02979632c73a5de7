import crypto from 'node:crypto'
import os from 'node:os'
import type { DaxpayProfile } from '../../../shared/profiles'
import { exchange, type Exchange, type HttpResponse, type RetryPolicy } from '../http'
import { busyStatus, noAnswer, transportFailure, type NoAnswer, type Reading } from '../kit'
import { ReplayCache } from '../replay-cache'
import type { CallContext, PayTradeRef, RefundTradeRef } from '../types'
import {
  answerSignature,
  formatReqTime,
  parseDaxTime,
  signFields,
  verifyFields,
  type DaxpayVersion,
} from './sign'

// DaxPay on the wire (docs/domain.md section 8): which path each call of each generation posts to,
// every request signed afresh with the sign secret, and every answer that could change a trade
// verified first: its signature, the Java field names it may carry, its code, its signed time within
// five minutes of ours, and an answer received before refused as a replay. Unsigned refusals are
// errors, never states. What the verified answers mean is the business of pay.ts, close.ts and
// refund.ts.

export type Call = 'pay' | 'refund' | 'close' | 'order'

const PATHS: Record<DaxpayVersion, Record<Call, string>> = {
  '3': {
    pay: '/unipay/sync/pay',
    refund: '/unipay/sync/refund',
    close: '/unipay/close',
    order: '/unipay/query/payOrder',
  },
  '2': {
    pay: '/unipay/syncPay',
    refund: '/unipay/syncRefund',
    close: '/unipay/close',
    order: '/uni/query/payOrder',
  },
}

/**
 * Worth another try: a repeated operation / lock busy at DaxPay (10007 in 2.x, 10507 in 3.x, and 20043
 * "已在关闭中" while its close lock is held) and system errors (10001, 10501 in 2.x's bootx, 10500 in
 * 3.x). Never a state.
 */
const RETRYABLE_CODES = new Set([10007, 10507, 20043, 10001, 10500, 10501])
/**
 * DaxPay 2.x signs only code, msg, a resTime in whole seconds and the business fields (its traceId is
 * outside the signature): two honest answers with the same word in the same second are the same bytes.
 * A copy that comes within this long of the first is taken for such a twin, not a replay.
 */
const TWIN_MS = 3_000
/**
 * DaxPay refuses a reqTime more than five minutes off (docs/protocols.md section 12); an answer as old is
 * refused too.
 */
const DAXPAY_TIME_WINDOW_MS = 300_000

export type DaxReading = Reading<{
  code: number
  msg: string
  data: Record<string, unknown> | null
  raw: string
  resTime: number
}>

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The answer's code, for the retry decision only: 2.x puts a refusal from its handler inside `data`. */
function codeOf(body: string): number | null {
  try {
    const parsed = JSON.parse(body) as unknown
    if (!isObject(parsed) || typeof parsed.code !== 'number') return null
    if (parsed.code === 0 && isObject(parsed.data) && typeof parsed.data.code === 'number')
      return parsed.data.code
    return parsed.code
  } catch {
    return null
  }
}

/** The address DaxPay records as the caller's (clientIp); loopback when the machine has no other. */
function localIp(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return '127.0.0.1'
}

/** A Java field name: what every key of a DaxPay answer is, at every depth. */
const JAVA_NAME = /^[A-Za-z_$][\w$]*$/

function javaKeys(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(javaKeys)
  if (!isObject(value)) return true
  return Object.entries(value).every(([k, v]) => JAVA_NAME.test(k) && javaKeys(v))
}

/**
 * 3.x hashes its answer upper-cased (sign.ts signString): the case of a member's name in `data` is not
 * signed. So its members are read whatever their case, as the signature reads them; two members whose
 * names differ only in case are not an answer DaxPay sends (null).
 */
function anyCase(data: Record<string, unknown>): Record<string, unknown> | null {
  const byName = new Map<string, unknown>()
  for (const [k, v] of Object.entries(data)) {
    const name = k.toLowerCase()
    if (byName.has(name)) return null
    byName.set(name, v)
  }
  return new Proxy(data, {
    get: (target, key) =>
      typeof key === 'string' ? byName.get(key.toLowerCase()) : Reflect.get(target, key),
  })
}

export class DaxpayTransport {
  readonly version: DaxpayVersion
  private readonly clientIp = localIp()
  /** The signed answers of this merchant already received (docs/domain.md 6.4), by signature. */
  private readonly replays: ReplayCache

  constructor(
    private readonly profile: DaxpayProfile,
    private readonly policy: RetryPolicy,
    readonly now: () => number,
  ) {
    this.version = profile.version
    if (this.version === '3' && (!profile.mchNo || !profile.appId))
      throw new Error('a DaxPay 3.x profile needs mchNo and appId')
    this.replays = new ReplayCache(now)
  }

  private url(call: Call): string {
    return `${this.profile.endpoint.replace(/\/+$/, '')}${PATHS[this.version][call]}`
  }

  /** Signed afresh for every try: reqTime and nonceStr must be new each time. */
  private buildRequest(call: Call, numbers: Record<string, string | boolean>) {
    const fields: Record<string, unknown> =
      this.version === '3'
        ? {
            mchNo: this.profile.mchNo,
            appId: this.profile.appId,
            ...numbers,
            clientIp: this.clientIp,
            nonceStr: crypto.randomBytes(16).toString('hex'),
            reqTime: formatReqTime(this.now(), '3'),
          }
        : // 2.x requests of this generation carry no nonceStr: a field the server's parameter class
          // lacks would be dropped there and break the signature.
          { ...numbers, clientIp: this.clientIp, reqTime: formatReqTime(this.now(), '2') }
    fields.sign = signFields(fields, this.profile.signSecret, this.profile.signType, this.version)
    return {
      method: 'POST' as const,
      url: this.url(call),
      headers: { 'content-type': 'application/json;charset=UTF-8', accept: 'application/json' },
      body: JSON.stringify(fields),
    }
  }

  payNumbers(t: PayTradeRef): Record<string, string> {
    // Our orderNo is the merchant number DaxPay knows as bizOrderNo (paymentId/businessNo in 2.x); its
    // own order number is what we hold as the gateway trade number, and it wins when we have it.
    if (this.version === '3')
      return t.gatewayTradeNo ? { orderNo: t.gatewayTradeNo } : { bizOrderNo: t.orderNo }
    return t.gatewayTradeNo ? { paymentId: t.gatewayTradeNo } : { businessNo: t.orderNo }
  }

  refundNumbers(r: RefundTradeRef): Record<string, string> {
    return r.gatewayRefundNo ? { refundNo: r.gatewayRefundNo } : { bizRefundNo: r.refundNo }
  }

  /** `question` names our trade and the call, for the replay check. */
  async call(call: Call, numbers: Record<string, string | boolean>, question: string, ctx?: CallContext) {
    const ex = await exchange(
      () => this.buildRequest(call, numbers),
      this.policy,
      ctx,
      (res: HttpResponse) => {
        if (busyStatus(res.status)) return true
        const code = codeOf(res.body)
        return code !== null && RETRYABLE_CODES.has(code)
      },
    )
    return { ex, reading: this.read(ex, question) }
  }

  /** Reads one answer; anything not verified with the sign secret is an error, never a state. */
  private read(ex: Exchange, question: string): DaxReading {
    if (!ex.ok) return transportFailure(ex)
    const res = ex.response
    if (res.status !== 200)
      return noAnswer(`HTTP_${res.status}`, `DaxPay answered HTTP ${res.status}`, res.body)
    let body: Record<string, unknown>
    try {
      const parsed = JSON.parse(res.body) as unknown
      if (!isObject(parsed)) throw new Error('not an object')
      body = parsed
    } catch {
      return noAnswer('malformed', 'the DaxPay answer is not valid JSON', res.body)
    }
    const outerCode = typeof body.code === 'number' ? body.code : Number.NaN
    // A blank message is no message: the error must still say something (the fuzzer sent " ").
    const outerMsg = typeof body.msg === 'string' ? body.msg.trim() : ''
    // 2.x refusals from outside the handler (a busy lock, validation, a failed request signature)
    // come unsigned in the wrapper; only `data` of a code-0 wrapper is ever signed.
    if (this.version === '2' && outerCode !== 0) return this.unsigned(outerCode, outerMsg, res.body)
    const signed = answerSignature(body, this.version)
    if (!signed) return noAnswer('malformed', 'the DaxPay answer carries no data', res.body)
    if (signed.sign === undefined || signed.sign === null || signed.sign === '') {
      // 3.x refusals raised before the handler (a failed request signature, reqTime, validation)
      // are unsigned too; a success without a signature is never believed.
      return outerCode === 0 || Number.isNaN(outerCode)
        ? noAnswer('missing_signature', 'the DaxPay answer carries no signature', res.body)
        : this.unsigned(outerCode, outerMsg, res.body)
    }
    if (
      !verifyFields(signed.fields, signed.sign, this.profile.signSecret, this.profile.signType, this.version)
    ) {
      return noAnswer(
        'bad_signature',
        'the DaxPay answer signature does not verify with the sign secret',
        res.body,
      )
    }
    // The signature drops every `"` and `\` of the JSON it hashes, so "orde\rNo" (a key with a
    // carriage return, escaped) hashes as "orderNo": a key DaxPay, a Java object, can never send
    // means the answer is not the one that was signed.
    if (!javaKeys(body))
      return noAnswer('malformed', 'the DaxPay answer names a field DaxPay never sends', res.body)
    const data = this.version === '2' ? signed.fields : isObject(body.data) ? anyCase(body.data) : null
    if (this.version === '3' && isObject(body.data) && data === null)
      return noAnswer('malformed', 'the DaxPay answer names a field twice, in two cases', res.body)
    const inner = this.version === '2' ? signed.fields : body
    const code = typeof inner.code === 'number' ? inner.code : Number.NaN
    if (Number.isNaN(code)) return noAnswer('malformed', 'the DaxPay answer has no code', res.body)
    // Every signed answer must say when it was given, refusals too: a signed 20041 without a time
    // would be "not found" for ever, a copy of it as good as the day it was signed. DaxPay 3.0.0
    // signs the refusals its handler raises without resTime (docs/domain.md A.5): against such a
    // server they are errors.
    if (inner.resTime === undefined || inner.resTime === null)
      return noAnswer('stale_answer', 'the signed DaxPay answer carries no resTime', res.body)
    const resTime = parseDaxTime(inner.resTime, this.version)
    if (resTime === null)
      return noAnswer('malformed', `resTime "${String(inner.resTime)}" is not a time`, res.body)
    if (Math.abs(this.now() - resTime) > DAXPAY_TIME_WINDOW_MS) {
      // A signed answer this far from our clock may be a replayed one: it proves nothing about now.
      return noAnswer(
        'stale_answer',
        `the DaxPay answer time ${String(inner.resTime)} is more than five minutes from our clock`,
        res.body,
      )
    }
    // 3.x signs its traceId, unique per answer; 2.x signs nothing unique but the second (TWIN_MS).
    const traced = this.version === '3' && typeof body.traceId === 'string' && body.traceId !== ''
    const replayed = this.replays.check(String(signed.sign).toLowerCase(), {
      question,
      twinMs: traced ? 0 : TWIN_MS,
    })
    if (replayed) return noAnswer('replayed', replayed, res.body)
    return {
      kind: 'answer',
      code,
      msg: typeof inner.msg === 'string' ? inner.msg.trim() : '',
      data,
      raw: res.body,
      resTime,
    }
  }

  private unsigned(code: number, msg: string, raw: string): NoAnswer {
    return noAnswer(
      Number.isNaN(code) ? 'malformed' : String(code),
      msg || (Number.isNaN(code) ? 'the DaxPay answer has no code' : 'DaxPay refused the request'),
      raw,
    )
  }
}
