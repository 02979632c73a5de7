import crypto from 'node:crypto'
import os from 'node:os'
import { yuanToFen } from '../../../shared/money'
import type { DaxpayProfile } from '../../../shared/profiles'
import {
  clockSkewMs as skewOf,
  DEFAULT_RETRY,
  exchange,
  type Exchange,
  type HttpResponse,
  type RetryPolicy,
} from '../http'
import {
  aboutAnotherTrade,
  callMeta,
  closeFailure,
  connectionReport,
  noAnswer,
  payFailure,
  payNotFound,
  refundFailure,
  refundNotFound,
  transportFailure,
  type CallMeta,
  type NoAnswer,
  type Reading,
} from '../kit'
import { ReplayCache } from '../replay-cache'
import type {
  CallContext,
  CloseAnswer,
  ConnectionTest,
  GatewayAdapter,
  PayAnswer,
  PayTradeRef,
  RefundAnswer,
  RefundTradeRef,
} from '../types'
import {
  answerSignature,
  formatReqTime,
  parseDaxTime,
  signFields,
  verifyFields,
  type DaxpayVersion,
} from './sign'

// A DaxPay server as the upstream gateway (docs/domain.md section 8). DaxPay syncs its own order with the
// channel and repairs it; we record what it answered and apply our own tables to the local copy. Paths: 3.x
// `/unipay/sync/pay` and `/unipay/sync/refund` (docs/protocols.md section 12, docs/domain.md 8). 2.x is the
// generation of docs/protocols.md section 11, whose pay sync is `/unipay/syncPay`; its refund sync is
// `/unipay/syncRefund` (UniPayController of 2.0.0-2.0.6, docs/domain.md A.1). docs/protocols.md section 13
// names `/unipay/syncPay` for refunds too, but that page copies the pay URL: the pay endpoint reads
// paymentId/businessNo, so refund numbers posted there would be refused as a pay sync with neither number.
// Both generations close an order through `/unipay/close` and read DaxPay's own order, with its amount and
// number, from its order query: 3.x `/unipay/query/payOrder`, 2.x `/uni/query/payOrder` (UniQueryController
// of 2.0.0-2.0.6; 2.0.7 moved it under /unipay) (docs/domain.md section 8).

type Call = 'pay' | 'refund' | 'close' | 'order'

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

/** Trade not found at DaxPay (20041): a verified business answer, not an error. */
const NOT_FOUND = 20041
/** The close refused because the order is not waiting for payment (paid, closed, failed): 20044. */
const STATUS_ERROR = 20044
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
/** The words of DaxPay's own pay order that say it was paid: 3.x `success`; 2.0.x also its refund states. */
const PAID_ORDER = new Set(['success', 'refunding', 'partial_refund', 'refunded'])
/**
 * DaxPay refuses a reqTime more than five minutes off (docs/protocols.md section 12); an answer as old is
 * refused too.
 */
export const DAXPAY_TIME_WINDOW_MS = 300_000

type DaxReading = Reading<{
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

const PAY_WORDS_3: Record<string, PayAnswer['status']> = {
  success: 'pay_success',
  progress: 'pay_progress',
  wait: 'pay_progress',
  close: 'pay_closed',
  cancel: 'pay_closed',
  timeout: 'pay_closed',
  fail: 'pay_fail',
}

// 2.x answers with the channel's word as DaxPay normalised it (PaySyncStatusEnum, docs/domain.md A.2).
// `pay_fail` there means the *query* failed, so it is an error, never a failed payment (docs/domain.md 9).
// `pay_timeout` is DaxPay's own derivation from a waiting answer on an expired order: it is read as the
// waiting answer it came from, and our engine derives its own timeout from our expiry.
const PAY_WORDS_2: Record<string, PayAnswer['status']> = {
  pay_success: 'pay_success',
  pay_progress: 'pay_progress',
  pay_timeout: 'pay_progress',
  pay_closed: 'pay_closed',
  pay_refund: 'pay_refund',
  pay_not_found: 'pay_not_found',
  pay_not_found_unknown: 'pay_not_found',
}

const REFUND_WORDS_3: Record<string, RefundAnswer['status']> = {
  success: 'refund_success',
  progress: 'refund_progress',
  close: 'refund_closed',
  fail: 'refund_closed',
}

// RefundSyncStatusEnum (docs/domain.md A.2); its not-found shares the pay value `pay_not_found`.
const REFUND_WORDS_2: Record<string, RefundAnswer['status']> = {
  refund_success: 'refund_success',
  refund_progress: 'refund_progress',
  refund_fail: 'refund_closed',
  pay_not_found: 'refund_not_found',
  refund_not_found: 'refund_not_found',
}

/** An amount in DaxPay's order: fen (2.x Integer) or yuan (3.x BigDecimal, a JSON number or text). */
function amountOf(value: unknown, version: DaxpayVersion): number | null | 'unreadable' {
  if (value === undefined || value === null) return null
  let fen: number | null = null
  if (version === '2') fen = typeof value === 'number' && Number.isSafeInteger(value) ? value : null
  else if (typeof value === 'number' || typeof value === 'string') fen = yuanToFen(String(value))
  return fen === null || fen < 0 ? 'unreadable' : fen
}

export class DaxpayAdapter implements GatewayAdapter {
  readonly channel = 'daxpay' as const
  private readonly version: DaxpayVersion
  private readonly clientIp = localIp()
  /** The signed answers of this merchant already received (docs/domain.md 6.4), by signature. */
  private readonly replays: ReplayCache

  constructor(
    private readonly profile: DaxpayProfile,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly now: () => number = Date.now,
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

  private payNumbers(t: PayTradeRef): Record<string, string> {
    // Our orderNo is the merchant number DaxPay knows as bizOrderNo (paymentId/businessNo in 2.x); its
    // own order number is what we hold as the gateway trade number, and it wins when we have it.
    if (this.version === '3')
      return t.gatewayTradeNo ? { orderNo: t.gatewayTradeNo } : { bizOrderNo: t.orderNo }
    return t.gatewayTradeNo ? { paymentId: t.gatewayTradeNo } : { businessNo: t.orderNo }
  }

  private refundNumbers(r: RefundTradeRef): Record<string, string> {
    return r.gatewayRefundNo ? { refundNo: r.gatewayRefundNo } : { bizRefundNo: r.refundNo }
  }

  /** `question` names our trade and the call, for the replay check. */
  private async call(
    call: Call,
    numbers: Record<string, string | boolean>,
    question: string,
    ctx?: CallContext,
  ) {
    const ex = await exchange(
      () => this.buildRequest(call, numbers),
      this.policy,
      ctx,
      (res: HttpResponse) => {
        if (res.status >= 500 || res.status === 429) return true
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
      data: this.version === '2' ? signed.fields : isObject(body.data) ? body.data : null,
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

  async queryPay(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer> {
    const { ex, reading } = await this.call('pay', this.payNumbers(trade), `pay ${trade.orderNo}`, ctx)
    const meta = callMeta(ex)
    const error = (code: string, msg: string, rawStatus: string | null = code) =>
      payFailure(meta, { code, msg, raw: reading.raw }, rawStatus)
    if (reading.kind === 'error') return payFailure(meta, reading)
    if (reading.code === NOT_FOUND)
      return payNotFound(meta, `${NOT_FOUND} ${reading.msg}`.trim(), reading.raw)
    if (reading.code !== 0) return error(String(reading.code), reading.msg || 'DaxPay refused the sync')
    const d = reading.data ?? {}
    if (this.version === '2' && d.success === false) {
      // The 2.0.0 answer says so itself when its query of the channel failed.
      return error(
        'pay_fail',
        String(d.errorMsg || 'DaxPay could not query the channel'),
        String(d.gatewayStatus ?? ''),
      )
    }
    const word = String((this.version === '3' ? d.orderStatus : (d.gatewayStatus ?? d.status)) ?? '')
    if (this.version === '2' && word === 'pay_fail')
      return error('pay_fail', String(d.errorMsg || 'DaxPay could not query the channel'), word)
    const status = (this.version === '3' ? PAY_WORDS_3 : PAY_WORDS_2)[word]
    if (!status) return error('malformed', `unknown DaxPay pay status "${word}"`, word || null)
    const answer: PayAnswer = {
      status,
      rawStatus: word,
      rawText: reading.raw,
      errorCode: null,
      errorMsg: null,
      amount: null,
      gatewayTradeNo: null,
      paidAt: null,
      ...meta,
    }
    // The sync answers carry neither the amount nor DaxPay's order number; a paid one is read from
    // DaxPay's own order before the engine may repair to success (docs/domain.md section 8).
    return status === 'pay_success' || status === 'pay_refund' ? this.withOrder(trade, answer, ctx) : answer
  }

  /**
   * A paid sync answer completed from DaxPay's own order (3.x `/unipay/query/payOrder`, 2.x
   * `/uni/query/payOrder`): its amount, its order number and the payment time, from an answer that
   * names our order and says it was paid. Any doubt is an error; a paid order without an amount keeps
   * none, and the engine repairs nothing.
   */
  private async withOrder(trade: PayTradeRef, paid: PayAnswer, ctx?: CallContext): Promise<PayAnswer> {
    const numbers = this.payNumbers(trade)
    const { ex, reading } = await this.call('order', numbers, `order ${trade.orderNo}`, ctx)
    const meta: CallMeta = {
      attempts: paid.attempts + ex.attempts,
      latencyMs: ex.latencyMs ?? paid.latencyMs,
      serverTime: (ex.ok ? ex.serverTime : null) ?? paid.serverTime,
    }
    const followUps = reading.raw === null ? [] : [reading.raw]
    const error = (code: string, msg: string): PayAnswer => ({
      ...payFailure(meta, { code, msg: `DaxPay's order, read after its sync: ${msg}`, raw: paid.rawText }),
      rawStatus: paid.rawStatus,
      followUps,
    })
    if (reading.kind === 'error') return error(reading.code, reading.msg)
    if (reading.code !== 0) return error(String(reading.code), reading.msg || 'DaxPay refused the query')
    const d = reading.data ?? {}
    // Bound to our order: the number we asked by must be named, and every other one we know must agree.
    const [key, value] = Object.entries(numbers)[0]!
    if (String(d[key] ?? '') !== value)
      return error('mismatch', `the answer does not name ${key} ${value}, which was asked about`)
    const mine =
      this.version === '3'
        ? { bizOrderNo: trade.orderNo, orderNo: trade.gatewayTradeNo }
        : { businessNo: trade.orderNo, paymentId: trade.gatewayTradeNo }
    const other = aboutAnotherTrade(d, mine)
    if (other) return error(other.code, other.msg)
    const status = typeof d.status === 'string' ? d.status : ''
    if (!PAID_ORDER.has(status))
      return error('inconsistent', `the sync says ${paid.rawStatus ?? 'paid'}, the order says "${status}"`)
    const amount = amountOf(d.amount, this.version)
    if (amount === 'unreadable') return error('malformed', `amount "${String(d.amount)}" is not an amount`)
    const own = this.version === '3' ? d.orderNo : d.paymentId
    // A number with a quote, a backslash or a control character hashes as the same number without it.
    if (typeof own === 'string' && !plainNumber(own))
      return error('malformed', `DaxPay's order number "${own}" is not a number DaxPay gives`)
    const payTime =
      d.payTime === undefined || d.payTime === null ? null : parseDaxTime(d.payTime, this.version)
    return {
      ...paid,
      ...meta,
      amount,
      gatewayTradeNo: typeof own === 'string' || typeof own === 'number' ? String(own) || null : null,
      paidAt: payTime,
      followUps,
    }
  }

  /**
   * The close at the gateway (docs/domain.md section 8): `POST /unipay/close`, then one more sync to see
   * what became of the order. DaxPay's answer to the close names no order, so it only says whether
   * DaxPay took the request (0), has no such order (20041) or will not close it (20044: paid, closed
   * or failed already); the sync after it decides. Closed: `closed`; not found: `not_found`; paid or
   * failed meanwhile: `not_closable`, and the engine asks again; still open: an error.
   */
  async closePay(trade: PayTradeRef, ctx?: CallContext): Promise<CloseAnswer> {
    // 3.x's useCancel is a Java boolean: never null, so always in the signature DaxPay computes.
    const numbers = { ...this.payNumbers(trade), ...(this.version === '3' ? { useCancel: false } : {}) }
    const { ex, reading } = await this.call('close', numbers, `close ${trade.orderNo}`, ctx)
    const meta = callMeta(ex)
    if (reading.kind === 'error') return closeFailure(meta, reading)
    const said = `${reading.code} ${reading.msg}`.trim()
    const close = { rawStatus: said, rawText: reading.raw, ...meta }
    if (reading.code !== 0 && reading.code !== NOT_FOUND && reading.code !== STATUS_ERROR)
      return closeFailure(
        meta,
        { code: String(reading.code), msg: reading.msg || 'DaxPay refused the close', raw: reading.raw },
        said,
      )
    const a = await this.queryPay(trade, ctx)
    const common = {
      ...close,
      attempts: close.attempts + a.attempts,
      latencyMs: a.latencyMs ?? close.latencyMs,
      serverTime: a.serverTime ?? close.serverTime,
      followUps: [a.rawText, ...(a.followUps ?? [])].filter((t): t is string => t !== null),
    }
    const then = `${said}, then ${a.rawStatus ?? a.status}`
    switch (a.status) {
      case 'pay_closed':
        return { ...common, rawStatus: then, result: 'closed', errorCode: null, errorMsg: null }
      case 'pay_not_found':
        return { ...common, rawStatus: then, result: 'not_found', errorCode: null, errorMsg: null }
      case 'pay_success':
      case 'pay_refund':
      case 'pay_fail':
        return {
          ...common,
          result: 'not_closable',
          errorCode: a.rawStatus,
          errorMsg: `DaxPay reports the order as ${a.rawStatus ?? a.status}`,
        }
      case 'pay_progress':
        return {
          ...common,
          result: 'error',
          errorCode: 'still_open',
          errorMsg: `DaxPay answered the close (${said}) but its sync still reports the order ${a.rawStatus ?? 'open'}`,
        }
      case 'sync_error':
        return { ...common, result: 'error', errorCode: a.errorCode, errorMsg: a.errorMsg }
    }
  }

  async queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer> {
    const { ex, reading } = await this.call(
      'refund',
      this.refundNumbers(refund),
      `refund ${refund.refundNo}`,
      ctx,
    )
    const meta = callMeta(ex)
    const error = (code: string, msg: string, rawStatus: string | null = code) =>
      refundFailure(meta, { code, msg, raw: reading.raw }, rawStatus)
    if (reading.kind === 'error') return refundFailure(meta, reading)
    if (reading.code === NOT_FOUND)
      return refundNotFound(meta, `${NOT_FOUND} ${reading.msg}`.trim(), reading.raw)
    if (reading.code !== 0) return error(String(reading.code), reading.msg || 'DaxPay refused the sync')
    const d = reading.data ?? {}
    // An answer that names a refund must name ours. 3.x answers name none; only their signed time
    // bounds such a replay.
    const other = aboutAnotherTrade(d, { bizRefundNo: refund.refundNo, refundNo: refund.gatewayRefundNo })
    if (other) return error(other.code, other.msg)
    const word = String((this.version === '3' ? (d.orderStatus ?? d.status) : d.status) ?? '')
    const status = (this.version === '3' ? REFUND_WORDS_3 : REFUND_WORDS_2)[word]
    if (!status) return error('malformed', `unknown DaxPay refund status "${word}"`, word || null)
    return {
      status,
      rawStatus: word,
      rawText: reading.raw,
      errorCode: null,
      errorMsg: null,
      amount: null,
      gatewayRefundNo: null,
      finishedAt: null,
      ...meta,
    }
  }

  async testConnection(ctx?: CallContext): Promise<ConnectionTest> {
    const probeNo = `PAYSYNC-PING-${this.now()}`
    const numbers: Record<string, string> =
      this.version === '3' ? { bizOrderNo: probeNo } : { businessNo: probeNo }
    const { ex, reading } = await this.call('pay', numbers, `probe ${probeNo}`, ctx)
    const serverTime = (ex.ok ? ex.serverTime : null) ?? (reading.kind === 'answer' ? reading.resTime : null)
    const clockSkewMs = skewOf(this.now(), serverTime, ex.latencyMs)
    const probe =
      reading.kind === 'answer'
        ? { kind: 'answer' as const, reply: `${reading.code} ${reading.msg}`.trim() }
        : reading
    return connectionReport(probe, clockSkewMs, ex.latencyMs)
  }
}

/** A Java field name: what every key of a DaxPay answer is, at every depth. */
const JAVA_NAME = /^[A-Za-z_$][\w$]*$/
/** An order number as DaxPay writes one: no character its signature leaves out or escapes. */
function plainNumber(no: string): boolean {
  for (const ch of no) {
    const c = ch.charCodeAt(0)
    if (ch === '"' || ch === '\\' || c < 0x20 || c === 0x7f) return false
  }
  return true
}

function javaKeys(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(javaKeys)
  if (!isObject(value)) return true
  return Object.entries(value).every(([k, v]) => JAVA_NAME.test(k) && javaKeys(v))
}
