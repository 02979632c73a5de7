import crypto from 'node:crypto'
import { parseFen } from '../../../shared/money'
import type { UnionpayProfile } from '../../../shared/profiles'
import { formatBeijingCompact, parseBeijing } from '../../../shared/time'
import {
  clockSkewMs as skewOf,
  DEFAULT_RETRY,
  exchange,
  type Exchange,
  type HttpResponse,
  type RetryPolicy,
} from '../http'
import { BillTooLargeError, MAX_BILL_BYTES } from '../bill-file'
import { readPrivateKey, readPublicKey, type KeyField } from '../key-fields'
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
  unusable,
  type Failure,
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
  StatementDownload,
  StatementRequest,
} from '../types'
import { ReplayCache } from '../replay-cache'
import { empty, failed, plainFileName, refusedBillDate, retryableFailure } from '../statement-kit'
import { FileContentError, writeFileContent } from './file-content'
import { encodeForm, parseAnswer, signParams, verifyParams } from './sign'

// UnionPay online gateway, `queryTrans.do` only (docs/protocols.md section 3). Pay orders and
// refunds are both UnionPay transactions of their own, found by orderId + txnTime or by queryId, and
// the answer's result logic is the official demo's: respCode says whether the query itself worked,
// origRespCode what became of the transaction asked about.

/** respCode / origRespCode values that mean "not settled yet, ask again" (demo Form_6_5_Query). */
const IN_PROGRESS = new Set(['03', '04', '05'])
/** respCodes worth another try within one call: the above, and 06 系统繁忙. 37 is not: it asks us to slow down. */
const RETRYABLE_RESP = new Set(['03', '04', '05', '06'])
/**
 * The most of a file transfer answer read. Unlike a bill of the other channels it comes inside the
 * signed answer, so it is read whole to be verified: base64 of a deflated zip of the ZM file, about
 * a tenth of the lines' 608 bytes each, so this holds some 800 000 lines.
 */
const MAX_FILE_ANSWER_BYTES = 64 * 1024 * 1024

/**
 * Where the file transfer goes: UnionPay's file host beside its gateway (`gateway.95516.com` →
 * `https://filedownload.95516.com/`, the test host likewise); any other host (the simulator, a
 * proxy) serves both at the same origin.
 */
export function fileTransferUrl(endpoint: string): string {
  const u = new URL(endpoint)
  if (u.hostname.startsWith('gateway.')) u.hostname = `filedownload.${u.hostname.slice('gateway.'.length)}`
  return `${u.origin}/`
}

/** Probe order numbers must be UnionPay orderIds: 8-32 letters and digits, no `-` or `_`. */
const PROBE_PREFIX = 'PAYSYNCPING'

type Fields = Record<string, string>

/** A verified (or refused) reading of one answer. */
type UnionpayReading = Reading<{ fields: Fields; raw: string }>

/** What the query was asked about, to check that the answer is about the same transaction. */
interface QueryKey {
  orderId?: string
  txnTime?: string
  queryId?: string
}

/** The keys of a UnionPay profile, read as the adapter reads them. */
export function unionpayKeyFields(p: UnionpayProfile): KeyField[] {
  return [
    {
      field: 'privateKey',
      id: 'merchant.key.privateKey',
      kind: 'private',
      text: p.privateKey,
      read: readPrivateKey,
    },
    {
      field: 'unionpayPublicKey',
      id: 'merchant.key.unionpayPublicKey',
      kind: 'public',
      text: p.unionpayPublicKey,
      read: readPublicKey,
    },
  ]
}

/**
 * A file transfer answer as kept on the record: its `fileContent` (the file itself, in `dest`) cut to
 * a note of its length, every other field as it came.
 */
function shortened(raw: string | null): string | null {
  if (raw === null) return null
  return raw.replace(
    /(^|&)fileContent=([^&]*)/,
    (_m, lead: string, v: string) =>
      `${lead}fileContent=(${v.length} characters of base64: the file, written apart)`,
  )
}

export class UnionpayAdapter implements GatewayAdapter {
  readonly channel = 'unionpay' as const
  private readonly privateKey: crypto.KeyObject
  private readonly publicKey: crypto.KeyObject
  /**
   * The signed answers of this merchant already received (docs/domain.md 6.4), by signature. UnionPay
   * answers carry neither a nonce nor a time of their own, so the gateway answers one question with
   * the same bytes each time: only a copy answering another question is a replay.
   */
  private readonly replays: ReplayCache

  constructor(
    private readonly profile: UnionpayProfile,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly now: () => number = Date.now,
  ) {
    this.privateKey = readPrivateKey(profile.privateKey)
    // Only the configured key verifies answers. UnionPay's own verify certificate (PEM) works here
    // as well as a bare public key; the `signPubKeyCert` an answer carries is never used, since
    // whoever forged the answer would have chosen it.
    this.publicKey = readPublicKey(profile.unionpayPublicKey)
    this.replays = new ReplayCache(now)
  }

  private buildRequest(key: QueryKey) {
    const params: Record<string, string> = {
      version: '5.1.0',
      encoding: 'UTF-8',
      certId: this.profile.certId,
      signMethod: '01',
      txnType: '00',
      txnSubType: '00',
      bizType: '000000',
      accessType: '0',
      merId: this.profile.merId,
      ...(key.queryId ? { queryId: key.queryId } : { orderId: key.orderId!, txnTime: key.txnTime! }),
    }
    params.signature = signParams(params, this.privateKey)
    return {
      method: 'POST' as const,
      url: this.profile.endpoint,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: encodeForm(params),
    }
  }

  private read(ex: Exchange, key: QueryKey, question: string): UnionpayReading {
    if (!ex.ok) return transportFailure(ex)
    const res = ex.response
    if (res.status !== 200)
      return noAnswer(`HTTP_${res.status}`, `the gateway answered HTTP ${res.status}`, res.body)
    const text = res.body.trim()
    // The gateway's plain-text refusal of a request missing its key fields: unsigned, not a state.
    if (text === 'Invalid request.' || text === 'Invalid request URI.')
      return noAnswer('invalid_request', text, res.body)
    const fields = parseAnswer(res.body)
    if (!fields.respCode) return noAnswer('malformed', 'the answer carries no respCode', res.body)
    const said = `respCode ${fields.respCode}${fields.respMsg ? ` ${fields.respMsg}` : ''}`
    if (!fields.signature)
      return noAnswer('missing_signature', `the answer carries no signature (unverified: ${said})`, res.body)
    if (!verifyParams(fields, this.publicKey))
      return noAnswer(
        'bad_signature',
        'the answer signature does not verify with the configured UnionPay public key',
        res.body,
      )
    // A verified answer about another merchant or transaction is not an answer to our question,
    // whatever its respCode: a signed "34 查无此交易" of another order, replayed, read as "not found"
    // for ours, and not found leads to a close.
    const other = aboutAnotherTrade(fields, {
      merId: this.profile.merId,
      queryId: key.queryId,
      orderId: key.orderId,
    })
    if (other) return noAnswer(other.code, other.msg, res.body)
    const replayed = this.replays.check(fields.signature, { question, sameQuestionRepeats: true })
    if (replayed) return noAnswer('replayed', replayed, res.body)
    return { kind: 'answer', fields, raw: res.body }
  }

  /** `question` names our trade, however it is asked for (orderId and txnTime, or queryId). */
  private async call(key: QueryKey, question: string, ctx?: CallContext) {
    const ex = await exchange(
      () => this.buildRequest(key),
      this.policy,
      ctx,
      (res: HttpResponse) => {
        if (res.status >= 500 || res.status === 429) return true
        // Decides only whether to ask again; the answer that is kept is verified like any other.
        return res.status === 200 && RETRYABLE_RESP.has(parseAnswer(res.body).respCode ?? '')
      },
    )
    return { ex, reading: this.read(ex, key, question) }
  }

  /** The gateway number when known (no txnTime to get wrong), else our number and its creation time. */
  private key(no: string, gatewayNo: string | null, createdAt: number): QueryKey {
    return gatewayNo ? { queryId: gatewayNo } : { orderId: no, txnTime: formatBeijingCompact(createdAt) }
  }

  /**
   * Time of the original transaction's processing: traceTime is `MMddHHmmss` Beijing without a year,
   * so the year comes from txnTime, one later when the month wrapped past December.
   */
  private processedAt(f: Fields): number | null {
    const trace = f.traceTime ?? ''
    const txn = f.txnTime ?? ''
    if (!/^\d{10}$/.test(trace) || !/^\d{14}$/.test(txn)) return null
    const year = Number(txn.slice(0, 4)) + (trace.slice(0, 2) < txn.slice(4, 6) ? 1 : 0)
    return parseBeijing(`${year}${trace}`)
  }

  /** A verified answer whose respCode is not 00: the query did not reach a verdict on the transaction. */
  private queryFailed(f: Fields, raw: string): Failure {
    const code = `respCode ${f.respCode}`
    const msg = (f.respMsg ?? '').trim()
    if (IN_PROGRESS.has(f.respCode!))
      return { code, msg: `${msg} (the query itself is still being processed: ask again)`.trim(), raw }
    if (f.respCode === '37')
      return { code, msg: `${msg} (too many queries for this transaction: ask again later)`.trim(), raw }
    return { code, msg: msg || 'the gateway refused the query', raw }
  }

  /**
   * Why a verified verdict (respCode 00) still gives no state: an origRespCode or an amount we cannot
   * read, or A6, 有缺陷的成功: money was taken, with a defect. Neither paid nor failed is safe to
   * assume, so a person sees it (after repeated errors the engine opens sync_keeps_failing).
   */
  private unreadable(f: Fields, orig: string, amount: number | null): { code: string; msg: string } | null {
    if (!/^[0-9A-Z]{2}$/.test(orig))
      return { code: 'malformed', msg: `origRespCode "${orig}" is not a response code` }
    if (f.txnAmt !== undefined && amount === null)
      return { code: 'malformed', msg: `txnAmt "${f.txnAmt}" is not fen` }
    if (orig === 'A6')
      return {
        code: 'origRespCode A6',
        msg: `${f.origRespMsg ?? '有缺陷的成功'} (success with a defect: check with UnionPay)`,
      }
    return null
  }

  async queryPay(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer> {
    const { ex, reading } = await this.call(
      this.key(trade.orderNo, trade.gatewayTradeNo, trade.createdAt),
      `pay ${trade.orderNo}`,
      ctx,
    )
    const meta = callMeta(ex)
    if (reading.kind === 'error') return payFailure(meta, reading)
    const f = reading.fields
    // 查无此交易: for a redirect payment also "not submitted yet" (section 5, item 16); the engine's
    // table treats not found before expiry as waiting, so it is safe to report as such.
    if (f.respCode === '34') return payNotFound(meta, 'respCode 34', reading.raw)
    if (f.respCode !== '00') return payFailure(meta, this.queryFailed(f, reading.raw))
    const orig = f.origRespCode ?? ''
    const amount = f.txnAmt === undefined ? null : parseFen(f.txnAmt)
    const answer = {
      rawStatus: `origRespCode ${orig}`,
      rawText: reading.raw,
      errorCode: null,
      errorMsg: null,
      amount,
      gatewayTradeNo: f.queryId || null,
      paidAt: null as number | null,
      ...meta,
    }
    const unreadable = this.unreadable(f, orig, amount)
    if (unreadable) return unusable(answer, unreadable.code, unreadable.msg)
    if (orig === '00') {
      if (amount === null) return unusable(answer, 'malformed', 'a successful transaction without txnAmt')
      return { ...answer, status: 'pay_success', paidAt: this.processedAt(f) }
    }
    if (IN_PROGRESS.has(orig)) return { ...answer, status: 'pay_progress' }
    // Any other original response code: the payment itself failed. Its reason is kept for people.
    return { ...answer, status: 'pay_fail', errorMsg: f.origRespMsg || null }
  }

  /**
   * UnionPay online payments have no close call. The merchant's `payTimeout` (sent with the payment)
   * makes the gateway refuse the payment once it has passed, and past it UnionPay's rule is that any
   * origRespCode other than 00 (or A6) is final: a late bank success is refunded by UnionPay itself.
   * So "closing" is asking once more: still unpaid, failed or unknown means there is nothing to close
   * (`not_found`, which the engine takes as closed); paid means `not_closable`, and the engine queries
   * again and applies the paid row. If a payment does land after all, the next sync sees a paid order
   * that is closed locally and opens `paid_after_close` for a person.
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
    // Every status is named, so that a new one is a compile error here rather than a silent error.
    switch (a.status) {
      case 'pay_progress':
      case 'pay_fail':
      case 'pay_not_found':
        return { result: 'not_found', errorCode: null, errorMsg: null, ...common }
      case 'pay_success':
        return {
          result: 'not_closable',
          errorCode: 'paid',
          errorMsg: 'the order is paid at UnionPay',
          ...common,
        }
      // The query never reads closed or refunded (UnionPay has neither word for a payment); were it
      // to, nothing is assumed, as for an answer that could not be used.
      case 'pay_closed':
      case 'pay_refund':
      case 'sync_error':
        return {
          result: 'error',
          errorCode: a.errorCode ?? 'sync_error',
          errorMsg: a.errorMsg ?? 'the gateway answer could not be used',
          ...common,
        }
    }
  }

  async queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer> {
    // A refund (txnType 04) is its own transaction, with its own orderId (our refund number).
    const { ex, reading } = await this.call(
      this.key(refund.refundNo, refund.gatewayRefundNo, refund.createdAt),
      `refund ${refund.refundNo}`,
      ctx,
    )
    const meta = callMeta(ex)
    if (reading.kind === 'error') return refundFailure(meta, reading)
    const f = reading.fields
    if (f.respCode === '34') return refundNotFound(meta, 'respCode 34', reading.raw)
    if (f.respCode !== '00') return refundFailure(meta, this.queryFailed(f, reading.raw))
    const orig = f.origRespCode ?? ''
    const amount = f.txnAmt === undefined ? null : parseFen(f.txnAmt)
    const answer = {
      rawStatus: `origRespCode ${orig}`,
      rawText: reading.raw,
      errorCode: null,
      errorMsg: null,
      amount,
      gatewayRefundNo: f.queryId || null,
      finishedAt: null as number | null,
      ...meta,
    }
    const unreadable = this.unreadable(f, orig, amount)
    if (unreadable) return unusable(answer, unreadable.code, unreadable.msg)
    if (orig === '00') {
      if (amount === null) return unusable(answer, 'malformed', 'a successful refund without txnAmt')
      return { ...answer, status: 'refund_success', finishedAt: this.processedAt(f) }
    }
    if (IN_PROGRESS.has(orig)) return { ...answer, status: 'refund_progress' }
    return { ...answer, status: 'refund_closed', errorMsg: f.origRespMsg || null }
  }

  /**
   * The day's ZM file (docs/reconcile.md A1.3): the file transfer (txnType 76) for the settle date,
   * signed like a query and its answer verified like one; the file comes inside the verified answer
   * (`fileContent`) and is written to `dest` as the zip it is. respCode 98 is "no file": an empty day.
   */
  async downloadStatement(req: StatementRequest, ctx: CallContext): Promise<StatementDownload> {
    const refused = refusedBillDate(req.billDate, this.now())
    if (refused) return refused
    const stamp = req.billDate.replaceAll('-', '')
    const build = () => {
      const params: Record<string, string> = {
        version: '5.1.0',
        encoding: 'UTF-8',
        certId: this.profile.certId,
        signMethod: '01',
        txnType: '76',
        txnSubType: '01',
        bizType: '000000',
        accessType: '0',
        channelType: '07',
        fileType: '00',
        merId: this.profile.merId,
        txnTime: formatBeijingCompact(this.now()),
        // 清算日期 without its year: the gateway takes the latest such day.
        settleDate: stamp.slice(4),
      }
      params.signature = signParams(params, this.privateKey)
      return {
        method: 'POST' as const,
        url: fileTransferUrl(this.profile.endpoint),
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: encodeForm(params),
        maxBytes: MAX_FILE_ANSWER_BYTES,
      }
    }
    const ex = await exchange(build, this.policy, ctx, (res: HttpResponse) => {
      if (res.status >= 500 || res.status === 429) return true
      return res.status === 200 && RETRYABLE_RESP.has(parseAnswer(res.body).respCode ?? '')
    })
    const reading = this.read(ex, {}, `file ${req.billDate}`)
    if (reading.kind === 'error')
      return failed(reading.code, reading.msg, retryableFailure(reading.code), shortened(reading.raw))
    const f = reading.fields
    const raw = shortened(reading.raw)!
    // The answer names the day it is about (settleDate, the file's name): another day's is no answer.
    const fileDay = /_(\d{8})\.zip$/.exec(f.fileName ?? '')?.[1] ?? stamp
    const other =
      aboutAnotherTrade(f, { settleDate: stamp.slice(4), txnType: '76' }) ??
      (fileDay !== stamp
        ? {
            code: 'mismatch',
            msg: `the answer is about the file ${f.fileName ?? ''}, not of ${req.billDate}`,
          }
        : null)
    if (other) return failed(other.code, other.msg, false, raw)
    if (f.respCode === '98') return empty('respCode 98', f.respMsg || '文件不存在', raw)
    if (f.respCode !== '00') {
      const q = this.queryFailed(f, raw)
      return failed(q.code, q.msg, RETRYABLE_RESP.has(f.respCode!) || f.respCode === '37', raw)
    }
    if (!f.fileContent)
      return failed('malformed', 'a successful file transfer without fileContent', false, raw)
    try {
      const written = await writeFileContent(f.fileContent, req.dest, MAX_BILL_BYTES)
      return {
        status: 'ok',
        fileName: plainFileName(f.fileName, `${this.profile.merId}_${stamp}.zip`),
        ...written,
        verified: true,
        expectedSha1: null,
        rawAnswer: raw,
      }
    } catch (err) {
      if (err instanceof FileContentError) return failed(err.code, err.message, false, raw)
      if (err instanceof BillTooLargeError) return failed(err.code, err.message, false, raw)
      return failed('write_failed', `the bill could not be written: ${(err as Error).message}`, false, raw)
    }
  }

  async testConnection(ctx?: CallContext): Promise<ConnectionTest> {
    const at = this.now()
    const { ex, reading } = await this.call(
      { orderId: `${PROBE_PREFIX}${at}`, txnTime: formatBeijingCompact(at) },
      `probe ${PROBE_PREFIX}${at}`,
      ctx,
    )
    const clockSkewMs = ex.ok ? skewOf(this.now(), ex.serverTime, ex.latencyMs) : null
    if (reading.kind === 'error') return connectionReport(reading, clockSkewMs, ex.latencyMs)
    const f = reading.fields
    // A made-up order is not found (34) or, on some gateways, answered 00: either means the
    // merchant, certificate and keys are accepted. 11 (验证签名失败) and the like mean they are not.
    return connectionReport(
      {
        kind: 'answer',
        reply: `respCode ${f.respCode}${f.respMsg ? ` ${f.respMsg}` : ''}`,
        accepted: f.respCode === '34' || f.respCode === '00',
      },
      clockSkewMs,
      ex.latencyMs,
    )
  }
}
