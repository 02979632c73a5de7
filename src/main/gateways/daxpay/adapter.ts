import crypto from 'node:crypto'
import os from 'node:os'
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
  connectionReport,
  noAnswer,
  payFailure,
  payNotFound,
  refundFailure,
  refundNotFound,
  transportFailure,
  type NoAnswer,
  type Reading,
} from '../kit'
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

const PATHS = {
  '3': { pay: '/unipay/sync/pay', refund: '/unipay/sync/refund' },
  '2': { pay: '/unipay/syncPay', refund: '/unipay/syncRefund' },
} as const

/** Trade not found at DaxPay (20041): a verified business answer, not an error. */
const NOT_FOUND = 20041
/**
 * Worth another try: a repeated operation / lock busy at DaxPay (10007 in 2.x, 10507 in 3.x) and
 * system errors (10001, 10501 in 2.x's bootx, 10500 in 3.x). Never a state.
 */
const RETRYABLE_CODES = new Set([10007, 10507, 10001, 10500, 10501])
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
  resTime: number | null
}>

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function codeOf(body: string): number | null {
  try {
    const parsed = JSON.parse(body) as unknown
    return isObject(parsed) && typeof parsed.code === 'number' ? parsed.code : null
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

export class DaxpayAdapter implements GatewayAdapter {
  readonly channel = 'daxpay' as const
  private readonly version: DaxpayVersion
  private readonly clientIp = localIp()

  constructor(
    private readonly profile: DaxpayProfile,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly now: () => number = Date.now,
  ) {
    this.version = profile.version
    if (this.version === '3' && (!profile.mchNo || !profile.appId))
      throw new Error('a DaxPay 3.x profile needs mchNo and appId')
  }

  private url(trade: 'pay' | 'refund'): string {
    return `${this.profile.endpoint.replace(/\/+$/, '')}${PATHS[this.version][trade]}`
  }

  /** Signed afresh for every try: reqTime and nonceStr must be new each time. */
  private buildRequest(trade: 'pay' | 'refund', numbers: Record<string, string>) {
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
      url: this.url(trade),
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

  private async call(trade: 'pay' | 'refund', numbers: Record<string, string>, ctx?: CallContext) {
    const ex = await exchange(
      () => this.buildRequest(trade, numbers),
      this.policy,
      ctx,
      (res: HttpResponse) => {
        if (res.status >= 500 || res.status === 429) return true
        const code = codeOf(res.body)
        return code !== null && RETRYABLE_CODES.has(code)
      },
    )
    return { ex, reading: this.read(ex) }
  }

  /** Reads one answer; anything not verified with the sign secret is an error, never a state. */
  private read(ex: Exchange): DaxReading {
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
    const inner = this.version === '2' ? signed.fields : body
    const code = typeof inner.code === 'number' ? inner.code : Number.NaN
    if (Number.isNaN(code)) return noAnswer('malformed', 'the DaxPay answer has no code', res.body)
    const hasResTime = inner.resTime !== undefined && inner.resTime !== null
    const resTime = hasResTime ? parseDaxTime(inner.resTime, this.version) : null
    if (hasResTime && resTime === null)
      return noAnswer('malformed', `resTime "${String(inner.resTime)}" is not a time`, res.body)
    if (code === 0 && resTime === null)
      return noAnswer('stale_answer', 'the DaxPay answer carries no resTime', res.body)
    if (resTime !== null && Math.abs(this.now() - resTime) > DAXPAY_TIME_WINDOW_MS) {
      // A signed answer this far from our clock may be a replayed one: it proves nothing about now.
      return noAnswer(
        'stale_answer',
        `the DaxPay answer time ${String(inner.resTime)} is more than five minutes from our clock`,
        res.body,
      )
    }
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
    const { ex, reading } = await this.call('pay', this.payNumbers(trade), ctx)
    // DaxPay's sync answers carry no amount, trade number or payment time.
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
    return {
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
  }

  /**
   * DaxPay is asked to close nothing: its own sync closes an order it finds expired and unpaid (2.x
   * CLOSE_GATEWAY after `pay_timeout`, 3.x `timeout` -> close at the channel, then locally; reference
   * 3.1 and 3.3). So "close at the gateway" is one more sync, and the order counts as closed only
   * when DaxPay then says so. Paid or failed meanwhile: `not_closable`, and the engine asks again.
   */
  async closePay(trade: PayTradeRef, ctx?: CallContext): Promise<CloseAnswer> {
    const a = await this.queryPay(trade, ctx)
    const common = {
      rawStatus: a.rawStatus,
      rawText: a.rawText,
      attempts: a.attempts,
      serverTime: a.serverTime,
      latencyMs: a.latencyMs,
    }
    switch (a.status) {
      case 'pay_closed':
        return { result: 'closed', errorCode: null, errorMsg: null, ...common }
      case 'pay_not_found':
        return { result: 'not_found', errorCode: null, errorMsg: null, ...common }
      case 'pay_success':
      case 'pay_refund':
      case 'pay_fail':
        return {
          result: 'not_closable',
          errorCode: a.rawStatus,
          errorMsg: `DaxPay reports the order as ${a.rawStatus ?? a.status}`,
          ...common,
        }
      case 'pay_progress':
        return {
          result: 'error',
          errorCode: 'still_open',
          errorMsg: `DaxPay did not close the order on sync (${a.rawStatus ?? 'open'})`,
          ...common,
        }
      case 'sync_error':
        return { result: 'error', errorCode: a.errorCode, errorMsg: a.errorMsg, ...common }
    }
  }

  async queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer> {
    const { ex, reading } = await this.call('refund', this.refundNumbers(refund), ctx)
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
    const { ex, reading } = await this.call('pay', numbers, ctx)
    const serverTime = (ex.ok ? ex.serverTime : null) ?? (reading.kind === 'answer' ? reading.resTime : null)
    const clockSkewMs = skewOf(this.now(), serverTime, ex.latencyMs)
    const probe =
      reading.kind === 'answer'
        ? { kind: 'answer' as const, reply: `${reading.code} ${reading.msg}`.trim() }
        : reading
    return connectionReport(probe, clockSkewMs, ex.latencyMs)
  }
}
