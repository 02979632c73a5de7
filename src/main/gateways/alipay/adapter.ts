import crypto from 'node:crypto'
import { yuanToFen } from '../../../shared/money'
import type { ProfileOf } from '../../../shared/profiles'
import { formatBeijing, parseBeijing } from '../../../shared/time'
import {
  clockSkewMs as skewOf,
  DEFAULT_RETRY,
  exchange,
  type Exchange,
  type HttpResponse,
  type RetryPolicy,
} from '../http'
import { allowedBillUrl, fetchBill } from '../bill-file'
import { readPrivateKey, readPublicKey, type KeyField } from '../key-fields'
import {
  aboutAnotherTrade,
  callMeta,
  closeFailure,
  connectionReport,
  malformed,
  noAnswer,
  payFailure,
  payNotFound,
  refundFailure,
  refundNotFound,
  transportFailure,
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
import { signAsync } from '../signing'
import {
  beijingDayStart,
  empty,
  failed,
  fetchFailed,
  notReady,
  plainFileName,
  refusedBillDate,
  retryableFailure,
} from '../statement-kit'
import { extractSignedContent, requestSignContent, responseNodeName, verifyResponse } from './sign'

export interface AlipayConfig {
  /** The full `.../gateway.do` URL. */
  endpoint: string
  appId: string
  appPrivateKey: string
  alipayPublicKey: string
  /** Only for an ISV acting for a merchant. */
  appAuthToken?: string
}

/** A verified (or refused) reading of one `*_response` node. */
type AlipayReading = Reading<{ node: Record<string, unknown>; raw: string }>

/**
 * The gateway's word for a refusal, `code sub_code`, or a stand-in when the node names neither: an
 * error is never recorded with an empty code (the fuzzer sent an error_response without one).
 */
function refusalCode(node: Record<string, unknown>, fallback: string): string {
  return (
    [node.code, node.sub_code]
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
      .map((v) => v.trim())
      .join(' ') || fallback
  )
}

/** What the gateway said of a refusal: sub_msg, else msg, else a stand-in; never blank. */
function refusalMessage(node: Record<string, unknown>, fallback: string): string {
  for (const v of [node.sub_msg, node.msg]) if (typeof v === 'string' && v.trim() !== '') return v
  return fallback
}

const BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query'
/**
 * `isp.bill_not_exist` means "not made yet" until this long after the day ends, "no bill" after
 * (docs/reconcile.md A1.1: bills are made "一般于次日 9 点前"; an hour's margin, to 10:00 Beijing).
 */
const NOT_READY_UNTIL_MS = 34 * 3600_000

/** The `*_response` node parsed from the text its signature covers; null when that is no object. */
function signedNode(body: string, nodeName: string): Record<string, unknown> | null {
  const text = extractSignedContent(body, nodeName)
  if (text === null) return null
  try {
    const node = JSON.parse(text) as unknown
    return typeof node === 'object' && node !== null && !Array.isArray(node)
      ? (node as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/** The keys of an Alipay profile, read as the adapter reads them. */
export function alipayKeyFields(p: ProfileOf<'alipay'>): KeyField[] {
  return [
    {
      field: 'appPrivateKey',
      id: 'merchant.key.appPrivateKey',
      kind: 'private',
      text: p.appPrivateKey,
      read: readPrivateKey,
    },
    {
      field: 'alipayPublicKey',
      id: 'merchant.key.alipayPublicKey',
      kind: 'public',
      text: p.alipayPublicKey,
      read: readPublicKey,
    },
  ]
}

export class AlipayAdapter implements GatewayAdapter {
  readonly channel = 'alipay' as const
  private readonly privateKey: crypto.KeyObject
  private readonly publicKey: crypto.KeyObject

  constructor(
    private readonly config: AlipayConfig,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly now: () => number = Date.now,
  ) {
    // Parsing the PEM once keeps every later signature to the RSA operation itself.
    this.privateKey = readPrivateKey(config.appPrivateKey)
    this.publicKey = readPublicKey(config.alipayPublicKey)
  }

  /** The request as the official SDKs send it: protocol parameters in the URL, biz_content in the body. */
  private async buildRequest(method: string, biz: Record<string, unknown>) {
    const params: Record<string, string> = {
      app_id: this.config.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: formatBeijing(this.now()),
      version: '1.0',
      biz_content: JSON.stringify(biz),
    }
    if (this.config.appAuthToken) params.app_auth_token = this.config.appAuthToken
    params.sign = await signAsync(requestSignContent(params), this.privateKey)

    const { biz_content, ...query } = params
    const url = new URL(this.config.endpoint)
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v)
    return {
      method: 'POST' as const,
      url: url.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        accept: 'application/json',
      },
      body: new URLSearchParams({ biz_content: biz_content! }).toString(),
    }
  }

  private read(ex: Exchange, method: string): AlipayReading {
    if (!ex.ok) return transportFailure(ex)
    const res = ex.response
    if (res.status !== 200)
      return noAnswer(`HTTP_${res.status}`, `the gateway answered HTTP ${res.status}`, res.body)
    let parsed: Record<string, unknown>
    try {
      parsed = JSON.parse(res.body) as Record<string, unknown>
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object')
    } catch {
      return noAnswer('malformed', 'the gateway answer is not valid JSON', res.body)
    }
    const nodeName = responseNodeName(method)
    const node = parsed[nodeName]
    if (typeof node !== 'object' || node === null) {
      const err = parsed.error_response as Record<string, unknown> | undefined
      if (err && typeof err === 'object') {
        return noAnswer(
          refusalCode(err, 'error_response'),
          refusalMessage(err, 'the gateway refused the request without a message'),
          res.body,
        )
      }
      return noAnswer('malformed', `the answer has no ${nodeName}`, res.body)
    }
    const n = node as Record<string, unknown>
    const sign = parsed.sign
    if (typeof sign !== 'string' || sign === '') {
      return n.code === '10000'
        ? noAnswer('missing_signature', 'the answer carries no signature', res.body)
        : noAnswer(refusalCode(n, 'missing_signature'), refusalMessage(n, 'unsigned gateway error'), res.body)
    }
    if (!verifyResponse(res.body, nodeName, sign, this.publicKey))
      return noAnswer(
        'bad_signature',
        'the answer signature does not verify with the Alipay public key',
        res.body,
      )
    // Read the node from exactly the text the signature covers, never from the parse of the whole
    // body: JSON.parse keeps the last of duplicate keys, while the signed text is the first
    // `*_response` in the body. A second node after the signature (or the signed one tucked under
    // another key) would otherwise be verified and not read: the fuzzer turned a refused close of a
    // paid order into "closed" that way (tests/gateways/parsers-fuzz.test.ts).
    const signed = signedNode(res.body, nodeName)
    if (!signed || JSON.stringify(signed) !== JSON.stringify(n)) {
      return noAnswer(
        'malformed',
        `the answer carries more than one ${nodeName}, or one the signature does not cover`,
        res.body,
      )
    }
    return { kind: 'answer', node: signed, raw: res.body }
  }

  private async call(method: string, biz: Record<string, string>, ctx?: CallContext) {
    const ex = await exchange(
      () => this.buildRequest(method, biz),
      this.policy,
      ctx,
      (res: HttpResponse) => {
        if (res.status >= 500 || res.status === 429) return true
        // A business answer saying "system busy" is worth another try; nothing else is.
        return /"code"\s*:\s*"20000"|ACQ\.SYSTEM_ERROR|isp\.unknow-error/.test(res.body)
      },
    )
    const reading = this.read(ex, method)
    // Alipay signs what it answers, not what it was asked: the trade numbers inside tell.
    const other =
      reading.kind === 'answer'
        ? aboutAnotherTrade(reading.node, {
            out_trade_no: biz.out_trade_no,
            out_request_no: biz.out_request_no,
          })
        : null
    return { ex, reading: other ? noAnswer(other.code, other.msg, reading.raw) : reading }
  }

  private tradeKey(t: { gatewayTradeNo: string | null; orderNo: string }) {
    // The merchant order number is always known and always what the gateway was given.
    return { out_trade_no: t.orderNo }
  }

  async queryPay(trade: PayTradeRef, ctx?: CallContext): Promise<PayAnswer> {
    const { ex, reading } = await this.call('alipay.trade.query', this.tradeKey(trade), ctx)
    const meta = callMeta(ex)
    if (reading.kind === 'error') return payFailure(meta, reading)
    const n = reading.node
    const code = String(n.code ?? '')
    if (code === '40004' && n.sub_code === 'ACQ.TRADE_NOT_EXIST')
      return payNotFound(meta, '40004 ACQ.TRADE_NOT_EXIST', reading.raw)
    if (code !== '10000') {
      const msg = refusalMessage(n, 'the gateway refused the query without a message')
      return payFailure(meta, { code: refusalCode(n, 'no_code'), msg, raw: reading.raw })
    }
    const state = String(n.trade_status ?? '')
    const amount = typeof n.total_amount === 'string' ? yuanToFen(n.total_amount) : null
    const gatewayTradeNo = typeof n.trade_no === 'string' && n.trade_no !== '' ? n.trade_no : null
    const paidAt = typeof n.send_pay_date === 'string' ? parseBeijing(n.send_pay_date) : null
    const answer = {
      rawStatus: state,
      rawText: reading.raw,
      errorCode: null,
      errorMsg: null,
      amount,
      gatewayTradeNo,
      paidAt,
      ...meta,
    }
    switch (state) {
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        return amount === null
          ? malformed(answer, `total_amount "${String(n.total_amount)}" is not an amount`)
          : { ...answer, status: 'pay_success' }
      case 'WAIT_BUYER_PAY':
        return { ...answer, status: 'pay_progress' }
      case 'TRADE_CLOSED':
        // Closed after a payment date means the paid trade was refunded in full (section 5, pitfall 2).
        return { ...answer, status: n.send_pay_date ? 'pay_refund' : 'pay_closed' }
      default:
        return malformed(answer, `unknown trade_status "${state}"`)
    }
  }

  async closePay(trade: PayTradeRef, ctx?: CallContext): Promise<CloseAnswer> {
    const { ex, reading } = await this.call('alipay.trade.close', this.tradeKey(trade), ctx)
    const meta = callMeta(ex)
    if (reading.kind === 'error') return closeFailure(meta, reading)
    const n = reading.node
    const word = refusalCode(n, 'no_code')
    const common = { rawStatus: word, rawText: reading.raw, ...meta }
    if (n.code === '10000') return { result: 'closed', errorCode: null, errorMsg: null, ...common }
    switch (n.sub_code) {
      case 'ACQ.TRADE_NOT_EXIST':
        return { result: 'not_found', errorCode: null, errorMsg: null, ...common }
      case 'ACQ.TRADE_STATUS_ERROR':
      case 'ACQ.REASON_TRADE_STATUS_INVALID':
      case 'ACQ.REASON_ILLEGAL_STATUS':
        return {
          result: 'not_closable',
          errorCode: word,
          errorMsg: refusalMessage(n, 'the order is no longer open'),
          ...common,
        }
      default:
        return {
          result: 'error',
          errorCode: word,
          errorMsg: refusalMessage(n, 'the gateway refused the close without a message'),
          ...common,
        }
    }
  }

  async queryRefund(refund: RefundTradeRef, ctx?: CallContext): Promise<RefundAnswer> {
    const { ex, reading } = await this.call(
      'alipay.trade.fastpay.refund.query',
      { out_trade_no: refund.orderNo, out_request_no: refund.refundNo },
      ctx,
    )
    const meta = callMeta(ex)
    if (reading.kind === 'error') return refundFailure(meta, reading)
    const n = reading.node
    const code = String(n.code ?? '')
    if (code === '40004' && n.sub_code === 'ACQ.TRADE_NOT_EXIST')
      return refundNotFound(meta, '40004 ACQ.TRADE_NOT_EXIST', reading.raw)
    if (code !== '10000') {
      const msg = refusalMessage(n, 'the gateway refused the query without a message')
      return refundFailure(meta, { code: refusalCode(n, 'no_code'), msg, raw: reading.raw })
    }
    const refundStatus = typeof n.refund_status === 'string' ? n.refund_status : null
    const amount = typeof n.refund_amount === 'string' ? yuanToFen(n.refund_amount) : null
    const answer = {
      rawText: reading.raw,
      errorCode: null,
      errorMsg: null,
      amount,
      gatewayRefundNo: null,
      finishedAt: typeof n.gmt_refund_pay === 'string' ? parseBeijing(n.gmt_refund_pay) : null,
      ...meta,
    }
    // code 10000 only says the query worked (docs/protocols.md 1.6): the refund exists when it carries data.
    if (refundStatus === null && n.refund_amount === undefined && n.out_request_no === undefined) {
      return { ...answer, status: 'refund_not_found', rawStatus: '10000 (no refund data)' }
    }
    if (typeof n.refund_amount === 'string' && amount === null)
      return malformed(
        { ...answer, rawStatus: refundStatus },
        `refund_amount "${n.refund_amount}" is not an amount`,
      )
    switch (refundStatus) {
      case 'REFUND_SUCCESS':
        return { ...answer, status: 'refund_success', rawStatus: refundStatus }
      case 'REFUND_PROCESSING':
        return { ...answer, status: 'refund_progress', rawStatus: refundStatus }
      case 'REFUND_FAIL':
        return { ...answer, status: 'refund_closed', rawStatus: refundStatus }
      case null:
        // Older synchronous refunds answer with the data and no status: data means refunded.
        return {
          ...answer,
          status: amount !== null ? 'refund_success' : 'refund_not_found',
          rawStatus: '10000 (no refund_status)',
        }
      default:
        return malformed({ ...answer, rawStatus: refundStatus }, `unknown refund_status "${refundStatus}"`)
    }
  }

  /**
   * The day's trade bill (docs/reconcile.md A1.1): the signed answer of
   * `alipay.data.dataservice.bill.downloadurl.query`, verified as any answer, gives a link that lives
   * 30 s; the zip behind it is a plain GET, unsigned, trusted as the verified answer's link.
   */
  async downloadStatement(req: StatementRequest, ctx: CallContext): Promise<StatementDownload> {
    const refused = refusedBillDate(req.billDate, this.now())
    if (refused) return refused
    const { ex, reading } = await this.call(BILL_METHOD, { bill_type: 'trade', bill_date: req.billDate }, ctx)
    if (reading.kind === 'error') {
      const busy = ex.ok && ex.response.status === 200 && /"code"\s*:\s*"20000"/.test(ex.response.body)
      return failed(reading.code, reading.msg, busy || retryableFailure(reading.code), reading.raw)
    }
    const n = reading.node
    const raw = reading.raw
    if (n.code !== '10000') {
      const code = refusalCode(n, 'no_code')
      const msg = refusalMessage(n, 'the gateway refused the bill without a message')
      // The live gateway's word for "no bill", whatever its specification says (A1.1, A18).
      if (n.sub_code === 'isp.bill_not_exist')
        return this.now() < beijingDayStart(req.billDate)! + NOT_READY_UNTIL_MS
          ? notReady(code, `${msg} (the bill of ${req.billDate} may not be made yet: ask again later)`, raw)
          : empty(code, msg, raw)
      return failed(code, msg, n.code === '20000', raw)
    }
    const link = typeof n.bill_download_url === 'string' ? allowedBillUrl(n.bill_download_url) : null
    if (!link)
      return failed(
        'malformed',
        'the answer carries no bill_download_url, or one that is not https',
        false,
        raw,
      )
    // The link names the day it serves (bizDates): a signed link to another day is no answer to ours.
    const stamp = req.billDate.replaceAll('-', '')
    const named = link.searchParams.get('bizDates')
    if (named !== null && named !== stamp)
      return failed(
        'mismatch',
        `the link serves the bill of ${named}, not ${stamp} that was asked for`,
        false,
        raw,
      )
    // The download host is not the API: the merchant's QPS gate does not apply to it.
    const fetched = await fetchBill(
      () => ({ method: 'GET', url: link.toString(), headers: { accept: '*/*' } }),
      req.dest,
      { policy: this.policy },
    )
    if (!fetched.ok) return fetchFailed(fetched, raw)
    return {
      status: 'ok',
      fileName: plainFileName(link.searchParams.get('downloadFileName'), `alipay_${stamp}.csv.zip`),
      bytes: fetched.bytes,
      sha256: fetched.sha256,
      verified: true,
      expectedSha1: null,
      rawAnswer: raw,
    }
  }

  async testConnection(ctx?: CallContext): Promise<ConnectionTest> {
    const probeNo = `PAYSYNC-PING-${this.now()}`
    const { ex, reading } = await this.call('alipay.trade.query', { out_trade_no: probeNo }, ctx)
    const clockSkewMs = ex.ok ? skewOf(this.now(), ex.serverTime, ex.latencyMs) : null
    const probe =
      reading.kind === 'answer'
        ? {
            kind: 'answer' as const,
            reply: [reading.node.code, reading.node.sub_code].filter(Boolean).join(' '),
          }
        : reading
    return connectionReport(probe, clockSkewMs, ex.latencyMs)
  }
}
