import crypto from 'node:crypto'
import { formatBeijingCompact, parseBeijing } from '../../../shared/time'
import { decodeForm, formatAnswer, signParams, verifyParams } from '../unionpay/sign'
import { unionpayBill } from './bills/unionpay'
import { dayStart } from './bills/format'
import { answerKey, cutOff, skewedDate } from './faults'
import type { SimMerchant, SimOrder, SimRefund, SimState } from './state'
import { billDay, billLines, type BillRules } from './statements'
import type { ChannelHandler, SimOptions, SimRequest, SimResponse } from './types'

// The UnionPay online gateway's transaction query (`POST /gateway/api/queryTrans.do`) as
// docs/protocols.md section 3 describes it: a form-encoded request signed by the merchant (5.1.0,
// signMethod 01), an answer of raw `k=v&` pairs signed with the gateway's key the same way. Order
// and refund states are UnionPay's own words: the origRespCode (`00`, `03`, `05`, `01`...) or
// `NOT_CREATED` for a transaction the gateway has not seen.

const PATH = '/gateway/api/queryTrans.do'
const ENDPOINT = 'unionpay.queryTrans'
/**
 * The file transfer (txnType 76, docs/reconcile.md A1.3 and A14): the real one is the root of its own
 * host (`https://filedownload.95516.com/`); the simulator serves it at its root.
 */
const FILE_PATH = '/'
const FILE_ENDPOINT = 'unionpay.fileTransfer'

/** The ZM file holds the transactions UnionPay completed (00): payments and refunds alike. */
const UNIONPAY_BILL: BillRules = {
  paid: (o) => o.state === '00',
  refund: (r) => (r.state === '00' ? { time: r.createdAt } : null),
}

/** Without these the real gateway answers a bare "Invalid request." instead of a message. */
const KEY_FIELDS = ['version', 'txnType', 'txnSubType', 'signMethod', 'signature'] as const

const RESP_MSG: Record<string, string> = {
  '00': '成功[0000000]',
  '01': '交易失败。详情请咨询95516',
  '03': '交易通讯超时，请发起查询交易',
  '04': '交易状态未明，请查询对账结果',
  '05': '交易已受理，请稍后查询交易结果',
  '06': '系统繁忙，请稍后再试',
  '10': '报文格式错误',
  '11': '验证签名失败',
  '13': '报文交易要素缺失',
  '31': '商户状态不正确',
  '34': '查无此交易',
  '37': '已超过最大查询次数或操作过于频繁',
  '98': '文件不存在',
  A6: '有缺陷的成功',
}

/**
 * Stands for `signPubKeyCert`: real answers carry UnionPay's signing certificate here. A client must
 * verify with the key it was configured with, so this one certifies nothing.
 */
const DUMMY_CERT = '-----BEGIN CERTIFICATE-----\r\nUEFZU1lOQyBTSU1VTEFUT1I=\r\n-----END CERTIFICATE-----'

type Fields = Record<string, string>

export function unionpayHandler(state: SimState, options: SimOptions): ChannelHandler {
  function merchantByMerId(merId: string): SimMerchant | undefined {
    for (const m of state.merchants.values()) if (m.channel === 'unionpay' && m.ids.merId === merId) return m
    return undefined
  }

  function params(req: SimRequest): Fields {
    return decodeForm(req.body)
  }

  function respond(req: SimRequest, fields: Fields, merchant: SimMerchant | undefined): SimResponse {
    const headers = { 'content-type': 'text/plain;charset=UTF-8', ...skewedDate(req, options.now()) }
    const answer: Fields = { ...fields }
    if (merchant) {
      answer.signPubKeyCert = DUMMY_CERT
      answer.signature = signParams(answer, answerKey(req, merchant))
    }
    const body = formatAnswer(answer)
    return { status: 200, headers, body: req.fault === 'malformed' ? cutOff(body) : body }
  }

  /** The fields every answer echoes from the request. */
  function echo(p: Fields): Fields {
    const out: Fields = {}
    for (const k of [
      'version',
      'encoding',
      'bizType',
      'txnType',
      'txnSubType',
      'accessType',
      'merId',
      'orderId',
      'txnTime',
      'queryId',
      'signMethod',
    ]) {
      if (p[k]) out[k] = p[k]!
    }
    return out
  }

  function failure(p: Fields, respCode: string): Fields {
    return { ...echo(p), respCode, respMsg: RESP_MSG[respCode] ?? '交易失败' }
  }

  /** MMddHHmmss, Beijing: when UnionPay processed the transaction. */
  function traceTime(at: number): string {
    return formatBeijingCompact(at).slice(4)
  }

  function traceNo(no: string): string {
    const n = crypto.createHash('sha256').update(no).digest().readUInt32BE(0) % 1_000_000
    return String(n).padStart(6, '0')
  }

  function find(m: SimMerchant, p: Fields): { order?: SimOrder; refund?: SimRefund } {
    if (p.queryId) {
      const order = state.findOrderByTradeNo(m.name, p.queryId)
      if (order) return { order }
      const refund = state.allRefunds().find((r) => r.merchant === m.name && r.gatewayRefundNo === p.queryId)
      return refund ? { refund } : {}
    }
    // orderId alone identifies the transaction here: the control endpoints do not carry the txnTime
    // the merchant sent with the payment, so the simulator cannot hold a client to it. Pay orders and
    // refunds are separate transactions; a pay order of that number wins.
    const order = state.getOrder(m.name, p.orderId!)
    if (order) return { order }
    const refund = state.getRefund(m.name, p.orderId!)
    return refund ? { refund } : {}
  }

  function transaction(
    p: Fields,
    t: {
      orderId: string
      createdAt: number
      amount: number
      state: string
      queryId: string | null
      at: number | null
    },
    txnType: string,
    txnSubType: string,
  ): Fields {
    const orig = t.state
    const done = orig === '00' || orig === 'A6'
    const fields: Fields = {
      ...echo(p),
      orderId: t.orderId,
      txnTime: p.txnTime && !p.queryId ? p.txnTime : formatBeijingCompact(t.createdAt),
      txnType,
      txnSubType,
      txnAmt: String(t.amount),
      currencyCode: '156',
      respCode: '00',
      respMsg: RESP_MSG['00']!,
      origRespCode: orig,
      origRespMsg: RESP_MSG[orig] ?? '交易失败',
    }
    if (t.queryId) fields.queryId = t.queryId
    if (done) {
      const at = t.at ?? options.now()
      fields.traceNo = traceNo(t.queryId ?? t.orderId)
      fields.traceTime = traceTime(at)
      fields.settleAmt = String(t.amount)
      fields.settleCurrencyCode = '156'
      fields.settleDate = formatBeijingCompact(at).slice(4, 8)
    }
    return fields
  }

  function query(m: SimMerchant, p: Fields): Fields {
    const { order, refund } = find(m, p)
    if (order) {
      const snapshot = { ...order }
      state.queried(order, options.now())
      if (snapshot.state === 'NOT_CREATED') return failure(p, '34')
      return transaction(
        p,
        {
          orderId: snapshot.orderNo,
          createdAt: snapshot.createdAt,
          amount: snapshot.amount,
          state: snapshot.state,
          queryId: snapshot.gatewayTradeNo,
          at: snapshot.paidAt,
        },
        '01',
        '01',
      )
    }
    if (refund && refund.state !== 'NOT_CREATED') {
      return transaction(
        p,
        {
          orderId: refund.refundNo,
          createdAt: refund.createdAt,
          amount: refund.amount,
          state: refund.state,
          queryId: refund.gatewayRefundNo,
          at: refund.createdAt,
        },
        '04',
        '00',
      )
    }
    return failure(p, '34')
  }

  /** `MMDD` as the latest such day that has ended (the request carries no year); null when no date. */
  function settleDay(mmdd: string): string | null {
    if (!/^\d{4}$/.test(mmdd)) return null
    const today = formatBeijingCompact(options.now()).slice(0, 8)
    const year = Number(today.slice(0, 4))
    for (const y of [year, year - 1]) {
      const date = `${y}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`
      const start = dayStart(date)
      if (Number.isNaN(start) || formatBeijingCompact(start).slice(4, 8) !== mmdd) continue
      if (`${y}${mmdd}` < today) return date
    }
    return null
  }

  /** The day's ZM file, base64(deflate(zip)) in fileContent; 98 when the day has none. */
  function fileTransfer(m: SimMerchant, p: Fields, req: SimRequest): Fields {
    state.stats.billRequests += 1
    if (p.txnType !== '76' || p.txnSubType !== '01' || p.fileType !== '00' || !p.settleDate || !p.txnTime)
      return failure(p, '13')
    const date = settleDay(p.settleDate)
    if (date === null || !/^\d{14}$/.test(p.txnTime)) return failure(p, '10')
    const day = billDay(state, m.name, date, UNIONPAY_BILL)
    let rows = [...billLines(date, day)]
    if (rows.length === 0) return { ...echoFile(p), respCode: '98', respMsg: RESP_MSG['98']! }
    if (req.fault === 'bill_truncated') rows = rows.slice(0, -1)
    const bill = unionpayBill(
      { merId: m.ids.merId!, settleDate: date, rows },
      { utf8NameFlag: req.fault === 'bill_gbk_name_utf8flag' },
    )
    return {
      ...echoFile(p),
      respCode: '00',
      respMsg: RESP_MSG['00']!,
      fileName: bill.fileName,
      fileContent: bill.fileContent,
    }
  }

  function echoFile(p: Fields): Fields {
    const out = echo(p)
    for (const k of ['settleDate', 'fileType']) if (p[k]) out[k] = p[k]!
    return out
  }

  return {
    name: 'unionpay',
    faults: [
      'system_error',
      'rate_limit',
      'timeout',
      'reset',
      'bad_signature',
      'malformed',
      'clock_skew',
      'oversized',
      'bill_truncated',
      'bill_gbk_name_utf8flag',
    ],
    matches: (req) => req.url.pathname === PATH || req.url.pathname === FILE_PATH,
    endpoint: (req) => (req.url.pathname === FILE_PATH ? FILE_ENDPOINT : ENDPOINT),
    rateLimited(req) {
      const p = params(req)
      return respond(req, failure(p, '37'), merchantByMerId(p.merId ?? ''))
    },
    handle(req) {
      if (req.method !== 'POST') {
        return {
          status: 405,
          headers: { 'content-type': 'text/plain', allow: 'POST' },
          body: 'Method Not Allowed',
        }
      }
      const p = params(req)
      if (KEY_FIELDS.some((k) => !p[k])) {
        return {
          status: 200,
          headers: { 'content-type': 'text/plain;charset=UTF-8' },
          body: 'Invalid request.',
        }
      }
      const merchant = merchantByMerId(p.merId ?? '')
      if (!merchant) return respond(req, failure(p, '31'), undefined)
      if (
        p.certId !== merchant.ids.certId ||
        p.signMethod !== '01' ||
        !verifyParams(p, merchant.keys.merchantPublicKey)
      ) {
        state.stats.rejectedSignatures += 1
        return respond(req, failure(p, '11'), merchant)
      }
      if (req.url.pathname === FILE_PATH) {
        if (req.fault === 'system_error') return respond(req, failure(p, '06'), merchant)
        if (req.fault === 'rate_limit') return this.rateLimited(req)
        return respond(req, fileTransfer(merchant, p, req), merchant)
      }
      const byNumber = !!p.orderId && !!p.txnTime
      if (!p.queryId && !byNumber) return respond(req, failure(p, '13'), merchant)
      if (!p.queryId && (!/^\d{14}$/.test(p.txnTime!) || parseBeijing(p.txnTime!) === null))
        return respond(req, failure(p, '10'), merchant)
      if (req.fault === 'system_error') return respond(req, failure(p, '03'), merchant)
      if (req.fault === 'rate_limit') return this.rateLimited(req)
      return respond(req, query(merchant, p), merchant)
    },
  }
}
