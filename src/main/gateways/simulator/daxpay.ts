import crypto from 'node:crypto'
import { fenToYuan } from '../../../shared/money'
import { formatBeijing } from '../../../shared/time'
import {
  Bean,
  formatReqTime,
  parseDaxTime,
  signFields,
  type DaxpaySignType,
  type DaxpayVersion,
} from '../daxpay/sign'
import { cutOff, gatewayNow, skewedDate } from './faults'
import type { SimMerchant, SimOrder, SimRefund, SimState } from './state'
import type { ChannelHandler, SimOptions, SimRequest, SimResponse } from './types'

// A DaxPay server's sync, close and order-query endpoints, 3.x (`/unipay/sync/pay`, `/unipay/sync/refund`,
// `/unipay/query/payOrder`) and 2.x (`/unipay/syncPay`, `/unipay/syncRefund`, `/uni/query/payOrder`), both
// closing through `/unipay/close`, as docs/domain.md section 8, A.4 and A.5 and docs/protocols.md sections 9
// and 11 to 13 describe them. Gateway-side orders hold DaxPay's own word for its order: `success`, `progress`,
// `wait`, `close`, `cancel`, `timeout`, `fail`, or `busy` (its sync lock is held). A 2.x order may also hold
// the 2.x answer word itself (`pay_refund`, `pay_not_found_unknown`, ...). Merchant ids: `mchNo`, `appId`,
// `signSecret`, and optionally `version` ('2' | '3', default '3') and `signType` ('md5' | 'hmac_sha256',
// default 'hmac_sha256').

type Call = 'pay' | 'refund' | 'close' | 'order'
interface Route {
  /** The generations served on the path; on a shared one, a request naming mchNo is a 3.x one. */
  versions: readonly DaxpayVersion[]
  call: Call
  endpoint: string
  /** The fields of DaxPay's parameter class: anything else in the body is dropped before signing. */
  fields: Partial<Record<DaxpayVersion, readonly string[]>>
  /**
   * What the parameter class holds when the body leaves a field out: a Java primitive is never null,
   * so DaxPay signs it anyway (3.x PayCloseParam.useCancel is a `boolean`).
   */
  defaults?: Partial<Record<DaxpayVersion, Fields>>
}

const COMMON_3 = ['mchNo', 'appId', 'clientIp', 'nonceStr', 'reqTime', 'sign'] as const
const COMMON_2 = ['clientIp', 'reqTime', 'sign'] as const

const ROUTES: Record<string, Route> = {
  '/unipay/sync/pay': {
    versions: ['3'],
    call: 'pay',
    endpoint: 'daxpay.sync.pay',
    fields: { '3': [...COMMON_3, 'orderNo', 'bizOrderNo'] },
  },
  '/unipay/sync/refund': {
    versions: ['3'],
    call: 'refund',
    endpoint: 'daxpay.sync.refund',
    fields: { '3': [...COMMON_3, 'refundNo', 'bizRefundNo'] },
  },
  '/unipay/syncPay': {
    versions: ['2'],
    call: 'pay',
    endpoint: 'daxpay.syncPay',
    fields: { '2': ['paymentId', 'businessNo', ...COMMON_2] },
  },
  '/unipay/syncRefund': {
    versions: ['2'],
    call: 'refund',
    endpoint: 'daxpay.syncRefund',
    fields: { '2': ['refundNo', 'bizRefundNo', ...COMMON_2] },
  },
  // PayCloseParam: 3.x orderNo, bizOrderNo, outOrderNo and the primitive useCancel; 2.x paymentId,
  // businessNo and the Boolean cancel.
  '/unipay/close': {
    versions: ['3', '2'],
    call: 'close',
    endpoint: 'daxpay.close',
    fields: {
      '3': [...COMMON_3, 'orderNo', 'bizOrderNo', 'outOrderNo', 'useCancel'],
      '2': ['paymentId', 'businessNo', 'cancel', ...COMMON_2],
    },
    defaults: { '3': { useCancel: false } },
  },
  // QueryPayParam: 3.x orderNo, bizOrderNo, outOrderNo; 2.x (under /uni/query until 2.0.6)
  // paymentId, businessNo.
  '/unipay/query/payOrder': {
    versions: ['3'],
    call: 'order',
    endpoint: 'daxpay.query.payOrder',
    fields: { '3': [...COMMON_3, 'orderNo', 'bizOrderNo', 'outOrderNo'] },
  },
  '/uni/query/payOrder': {
    versions: ['2'],
    call: 'order',
    endpoint: 'daxpay.uni.query.payOrder',
    fields: { '2': ['paymentId', 'businessNo', ...COMMON_2] },
  },
}

/**
 * DaxPay checks reqTime within five minutes either way (docs/protocols.md section 12) with these two
 * messages (docs/domain.md A.5).
 */
const REQ_WINDOW_MS = 300_000
const TOO_EARLY = '请求时间晚于服务器接收到的时间，请检查'
const EXPIRED = '请求已过期，请重新发送！'

/** Error codes by generation (docs/domain.md A.6): bootx 100xx in 2.x, 105xx in 3.x, 2xxxx in both. */
const CODES = {
  '2': { system: 10001, parse: 10005, validation: 10006, busy: 10007, noData: 10004 },
  '3': { system: 10500, parse: 10505, validation: 10506, busy: 10507, noData: 10404 },
} as const
const VERIFY_SIGN_FAILED = 20052
const TRADE_NOT_EXIST = 20041
const TRADE_PROCESSING = 20043
const TRADE_STATUS_ERROR = 20044

/** DaxPay order statuses that say the order was paid (2.0.x also its refund states). */
const PAID_STATUS = new Set(['success', 'refunding', 'partial_refund', 'refunded'])

/** The states a close accepts (PayCloseService: only an order waiting for payment). */
const CLOSABLE = new Set(['wait', 'progress', 'pay_progress'])

/**
 * DaxPay's own order status for a gateway-side word: 3.x keeps its words, `busy` being a lock on an
 * order in progress; 2.x words are the sync answer's, and a 2.0.x order that was refunded says so.
 */
function orderStatus(word: string, version: DaxpayVersion): string {
  if (word === 'busy') return 'progress'
  if (version === '3') return word
  const status: Record<string, string> = {
    wait: 'progress',
    timeout: 'progress',
    pay_success: 'success',
    pay_progress: 'progress',
    pay_closed: 'close',
    pay_refund: 'refunded',
    pay_not_found: 'progress',
    pay_not_found_unknown: 'progress',
  }
  return status[word] ?? word
}

/** A BigDecimal of yuan as Jackson writes it into the body (`10.00`); signed without trailing zeros. */
class Yuan {
  constructor(readonly fen: number) {}
  get text(): string {
    return fenToYuan(this.fen)
  }
}
const YUAN_MARK = /"@@yuan:(-?\d+\.\d\d)@@"/g

/** The data as it is signed (a Yuan as a plain number) and as the body carries it (a marked string). */
function withYuan(data: Fields, as: 'signed' | 'body'): Fields {
  const out: Fields = {}
  for (const [k, v] of Object.entries(data))
    out[k] = v instanceof Yuan ? (as === 'signed' ? Number(v.text) : `@@yuan:${v.text}@@`) : v
  return out
}

/** 2.x answers with the channel's word as DaxPay normalised it (PaySyncStatusEnum, docs/domain.md A.2). */
const PAY_WORD_2: Record<string, string> = {
  success: 'pay_success',
  progress: 'pay_progress',
  wait: 'pay_progress',
  close: 'pay_closed',
  cancel: 'pay_closed',
  timeout: 'pay_timeout',
  fail: 'pay_fail',
}
const REFUND_WORD_2: Record<string, string> = {
  success: 'refund_success',
  progress: 'refund_progress',
  close: 'refund_fail',
  fail: 'refund_fail',
}

type Fields = Record<string, unknown>

const versionOf = (m: SimMerchant): DaxpayVersion => (m.ids.version === '2' ? '2' : '3')
const signTypeOf = (m: SimMerchant): DaxpaySignType => (m.ids.signType === 'md5' ? 'md5' : 'hmac_sha256')
const secretOf = (m: SimMerchant): string => m.ids.signSecret ?? ''
const traceId = () => crypto.randomBytes(9).toString('base64url')

export function daxpayHandler(state: SimState, options: SimOptions): ChannelHandler {
  const merchants = (version: DaxpayVersion) =>
    [...state.merchants.values()].filter((m) => m.channel === 'daxpay' && versionOf(m) === version)

  function json(status: number, body: string, headers: Record<string, string> = {}): SimResponse {
    return { status, headers: { 'content-type': 'application/json;charset=UTF-8', ...headers }, body }
  }

  /** The body as sent, with the faults that spoil a body applied. */
  function finish(req: SimRequest, body: string, resTimeShifted: boolean): SimResponse {
    const headers = resTimeShifted ? skewedDate(req, options.now()) : {}
    return json(200, req.fault === 'malformed' ? cutOff(body) : body, headers)
  }

  /** The answer time; the clock_skew fault puts it (and the Date header) 400 s in the past. */
  const answerTime = (req: SimRequest) => gatewayNow(req, options.now())

  /** Signing secret of an answer; bad_signature signs with another one: it looks right and verifies wrong. */
  const answerSecret = (req: SimRequest, m: SimMerchant) =>
    req.fault === 'bad_signature' ? `${secretOf(m)}-not-the-secret` : secretOf(m)

  /** A refusal raised outside the handler: the global exception handler writes it, unsigned. */
  function unsigned(req: SimRequest, version: DaxpayVersion, code: number, msg: string): SimResponse {
    const body =
      version === '2'
        ? { msg, code, data: null, traceId: traceId() }
        : { code, msg, data: null, sign: null, resTime: null, traceId: traceId() }
    return finish(req, JSON.stringify(body), false)
  }

  /**
   * 3.x: the whole wrapper is signed, `data` as bean JSON in declaration order (docs/domain.md A.5). A
   * refusal from inside the handler (BizException) is signed too, without data; it carries its time
   * and trace id as the answers do, except under `unstamped`: DaxPay 3.0.0 itself signs such a refusal
   * with neither (PaymentVerifyAspect), so nothing tells a fresh one from a copy.
   */
  function answer3(
    req: SimRequest,
    m: SimMerchant,
    code: number,
    msg: string,
    data: Fields | null,
  ): SimResponse {
    const bare = code !== 0 && req.fault === 'unstamped'
    const resTime = bare ? null : formatBeijing(answerTime(req))
    const wrapper: Fields = {
      code,
      msg,
      data: data ? withYuan(data, 'body') : null,
      sign: null,
      resTime,
      traceId: bare ? null : traceId(),
    }
    const signed: Fields = { ...wrapper, data: data ? new Bean(withYuan(data, 'signed')) : null }
    wrapper.sign = signFields(signed, answerSecret(req, m), signTypeOf(m), '3')
    const body = JSON.stringify(wrapper).replace(YUAN_MARK, '$1')
    return finish(req, body, req.fault === 'clock_skew')
  }

  /** 2.x: the signature lives inside `data` (PaymentCommonResult), the wrapper is plain (docs/domain.md A.5). */
  function answer2(
    req: SimRequest,
    m: SimMerchant,
    code: number,
    msg: string | null,
    fields: Fields,
  ): SimResponse {
    // PaymentCommonResult stamps resTime; under `unstamped` a refusal comes without one.
    const bare = code !== 0 && req.fault === 'unstamped'
    const data: Fields = {
      ...fields,
      code,
      ...(msg ? { msg } : {}),
      ...(bare ? {} : { resTime: formatReqTime(answerTime(req), '2') }),
    }
    data.sign = signFields(data, answerSecret(req, m), signTypeOf(m), '2')
    const body = { msg: 'success', code: 0, data, traceId: traceId() }
    return finish(req, JSON.stringify(body), req.fault === 'clock_skew')
  }

  function findOrder(m: SimMerchant, platformNo: unknown, merchantNo: unknown): SimOrder | undefined {
    // DaxPay's own number wins when both are given (docs/protocols.md section 11, docs/protocols.md section
    // 12).
    const order =
      typeof platformNo === 'string' && platformNo
        ? state.findOrderByTradeNo(m.name, platformNo)
        : typeof merchantNo === 'string' && merchantNo
          ? state.getOrder(m.name, merchantNo)
          : undefined
    return order && order.state !== 'NOT_CREATED' ? order : undefined
  }

  function findRefund(m: SimMerchant, platformNo: unknown, merchantNo: unknown): SimRefund | undefined {
    if (typeof platformNo === 'string' && platformNo)
      return state.allRefunds().find((r) => r.merchant === m.name && r.gatewayRefundNo === platformNo)
    if (typeof merchantNo === 'string' && merchantNo) return state.getRefund(m.name, merchantNo)
    return undefined
  }

  function syncPay3(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const order = findOrder(m, p.orderNo, p.bizOrderNo)
    if (!order) return answer3(req, m, TRADE_NOT_EXIST, '支付订单不存在', null)
    const word = order.state
    state.queried(order, options.now())
    if (word === 'busy') return answer3(req, m, CODES['3'].busy, '支付同步处理中，请勿重复操作', null)
    // 3.x refuses to sync a cashier order no channel was chosen for (PaySyncService, docs/domain.md A.3).
    if (word === 'wait')
      return answer3(req, m, TRADE_STATUS_ERROR, '订单未开始支付, 请重新确认支付状态', null)
    // `adjust` is reported inverted by DaxPay 3.0 (docs/domain.md A.3): true when nothing was adjusted.
    return answer3(req, m, 0, 'success', { orderStatus: word, adjust: true })
  }

  function syncRefund3(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const refund = findRefund(m, p.refundNo, p.bizRefundNo)
    if (!refund) return answer3(req, m, TRADE_NOT_EXIST, '退款订单不存在', null)
    if (refund.state === 'busy') return answer3(req, m, CODES['3'].busy, '退款同步处理中，请勿重复操作', null)
    return answer3(req, m, 0, 'success', { orderStatus: refund.state, adjust: true })
  }

  function syncPay2(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const order = findOrder(m, p.paymentId, p.businessNo)
    if (!order) return answer2(req, m, TRADE_NOT_EXIST, '支付订单不存在', {})
    const word = order.state
    state.queried(order, options.now())
    if (word === 'busy') return unsigned(req, '2', CODES['2'].busy, '支付同步处理中，请勿重复操作')
    const gatewayStatus = PAY_WORD_2[word] ?? word
    if (gatewayStatus === 'pay_timeout') {
      // 2.x closes an expired, unpaid order at the channel and locally in the same sync (docs/domain.md A.3).
      order.state = 'close'
      state.stats.closes += 1
      return answer2(req, m, 0, null, {
        gatewayStatus,
        repair: true,
        repairOrderNo: state.nextTradeNo('X', options.now()),
      })
    }
    return answer2(req, m, 0, null, { gatewayStatus, repair: false })
  }

  function syncRefund2(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const refund = findRefund(m, p.refundNo, p.bizRefundNo)
    if (!refund) return answer2(req, m, TRADE_NOT_EXIST, '退款订单不存在', {})
    if (refund.state === 'busy') return unsigned(req, '2', CODES['2'].busy, '退款同步处理中，请勿重复操作')
    return answer2(req, m, 0, null, {
      refundNo: refund.gatewayRefundNo,
      bizRefundNo: refund.refundNo,
      status: REFUND_WORD_2[refund.state] ?? refund.state,
    })
  }

  /** The merchant whose secret verifies the request (3.x: the one named by mchNo and appId). */
  function verifiedMerchant(v: DaxpayVersion, p: Fields): SimMerchant | 'unknown' | 'bad_signature' {
    const candidates =
      v === '3'
        ? merchants('3').filter((m) => m.ids.mchNo === p.mchNo && m.ids.appId === p.appId)
        : merchants('2')
    if (candidates.length === 0) return 'unknown'
    const { sign, ...rest } = p
    // Compared exactly, as DaxPay does (Objects.equals / String.equals on the hex).
    const ok = candidates.find((m) => signFields(rest, secretOf(m), signTypeOf(m), v) === sign)
    return ok ?? 'bad_signature'
  }

  /** A signed refusal raised in the handler: 3.x in the wrapper, 2.x inside data. */
  function refuse(req: SimRequest, m: SimMerchant, v: DaxpayVersion, code: number, msg: string): SimResponse {
    return v === '3' ? answer3(req, m, code, msg, null) : answer2(req, m, code, msg, {})
  }

  /**
   * `/unipay/close` (PayCloseService): only an order waiting for payment closes, as `cancel` when asked
   * to (3.x useCancel, 2.x cancel); anything else is 20044, a held close lock 20043. The answer has no
   * data (2.x: PayCloseResult, its common fields only).
   */
  function close(req: SimRequest, m: SimMerchant, v: DaxpayVersion, p: Fields): SimResponse {
    const order = v === '3' ? findOrder(m, p.orderNo, p.bizOrderNo) : findOrder(m, p.paymentId, p.businessNo)
    if (!order) return refuse(req, m, v, TRADE_NOT_EXIST, '支付订单不存在')
    if (order.state === 'busy') return refuse(req, m, v, TRADE_PROCESSING, '支付订单已在关闭中，请勿重复发起')
    if (!CLOSABLE.has(order.state))
      return refuse(req, m, v, TRADE_STATUS_ERROR, '订单不是支付中, 无法进行关闭订单')
    order.state = (v === '3' ? p.useCancel : p.cancel) === true ? 'cancel' : 'close'
    state.stats.closes += 1
    return v === '3' ? answer3(req, m, 0, 'success', null) : answer2(req, m, 0, null, {})
  }

  /**
   * The order query (3.x `/unipay/query/payOrder`, 2.x `/uni/query/payOrder`): DaxPay's own order,
   * with its number, amount and times (3.x PayOrderResult in declaration order, amounts in yuan; 2.0.x
   * paymentId, businessNo, amounts in fen, times in epoch seconds). Under `no_amount` the amount is
   * missing.
   */
  function queryOrder(req: SimRequest, m: SimMerchant, v: DaxpayVersion, p: Fields): SimResponse {
    const order = v === '3' ? findOrder(m, p.orderNo, p.bizOrderNo) : findOrder(m, p.paymentId, p.businessNo)
    if (!order) return refuse(req, m, v, TRADE_NOT_EXIST, '支付订单不存在')
    const status = orderStatus(order.state, v)
    const paid = PAID_STATUS.has(status)
    const amount = req.fault === 'no_amount' ? null : order.amount
    const paidAt = paid ? (order.paidAt ?? options.now()) : null
    if (v === '3') {
      return answer3(req, m, 0, 'success', {
        bizOrderNo: order.orderNo,
        orderNo: order.gatewayTradeNo,
        outOrderNo: paid ? `OUT${order.gatewayTradeNo ?? ''}` : null,
        title: '模拟订单',
        description: null,
        allocation: false,
        autoAllocation: false,
        channel: 'ali_pay',
        method: 'qrcode',
        otherMethod: null,
        limitPay: null,
        amount: amount === null ? null : new Yuan(amount),
        realAmount: paid && amount !== null ? new Yuan(amount) : null,
        refundableBalance: paid && amount !== null ? new Yuan(amount) : null,
        status,
        refundStatus: 'no_refund',
        allocStatus: null,
        settleStatus: null,
        payTime: paidAt === null ? null : formatBeijing(paidAt),
        closeTime: null,
        expiredTime: null,
        attach: null,
        errorMsg: null,
      })
    }
    return answer2(req, m, 0, null, {
      paymentId: order.gatewayTradeNo,
      businessNo: order.orderNo,
      title: '模拟订单',
      asyncPay: true,
      asyncChannel: 'ali_pay',
      ...(amount === null ? {} : { amount, refundableBalance: paid ? amount : 0 }),
      status,
      ...(paidAt === null ? {} : { payTime: formatReqTime(paidAt, '2') }),
    })
  }

  function handle(req: SimRequest): SimResponse {
    const route = ROUTES[req.url.pathname]!
    let body: unknown = null
    try {
      body = JSON.parse(req.body)
    } catch {
      // Answered below, in the words of the generation the path serves.
    }
    const named = typeof body === 'object' && body !== null && 'mchNo' in body
    const v: DaxpayVersion = route.versions.length === 1 || named ? route.versions[0]! : route.versions[1]!
    if (req.method !== 'POST') return unsigned(req, v, CODES[v].parse, `不支持的请求方式: ${req.method}`)
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return unsigned(req, v, CODES[v].parse, '参数处理失败')
    const p: Fields = { ...route.defaults?.[v] }
    for (const f of route.fields[v] ?? []) {
      const value = (body as Fields)[f]
      if (value !== null && value !== undefined) p[f] = value
    }
    if (p.reqTime === undefined) return unsigned(req, v, CODES[v].validation, 'reqTime: 请求时间不可为空')
    if (v === '3' && (!p.mchNo || !p.appId))
      return unsigned(req, v, CODES[v].validation, 'mchNo/appId: 商户号和应用号不可为空')
    const reqTime = parseDaxTime(p.reqTime, v)
    if (reqTime === null) return unsigned(req, v, CODES[v].parse, '参数处理失败: reqTime')

    const merchant = verifiedMerchant(v, p)
    if (merchant === 'unknown') return unsigned(req, v, CODES[v].noData, '未获取到商户和应用信息，请检查')
    if (merchant === 'bad_signature') {
      state.stats.rejectedSignatures += 1
      return unsigned(req, v, VERIFY_SIGN_FAILED, '验签失败')
    }
    const now = options.now()
    if (reqTime - now > REQ_WINDOW_MS) return unsigned(req, v, CODES[v].validation, TOO_EARLY)
    if (now - reqTime > REQ_WINDOW_MS) return unsigned(req, v, CODES[v].validation, EXPIRED)

    if (req.fault === 'system_error') return unsigned(req, v, CODES[v].system, '系统错误')
    if (req.fault === 'rate_limit') return rateLimited()

    const numbers =
      route.call === 'refund'
        ? ['refundNo', 'bizRefundNo']
        : ['orderNo', 'bizOrderNo', 'outOrderNo', 'paymentId', 'businessNo']
    if (!numbers.some((f) => typeof p[f] === 'string' && p[f] !== '')) {
      const msg =
        route.call === 'refund'
          ? '退款号与商户退款号不可以同时为空'
          : route.call === 'pay'
            ? '订单号与商户订单号不可以同时为空'
            : '支付订单号不能都为空'
      return v === '3'
        ? answer3(req, merchant, CODES[v].validation, msg, null)
        : unsigned(req, v, CODES[v].validation, msg)
    }
    switch (route.call) {
      case 'pay':
        return v === '3' ? syncPay3(req, merchant, p) : syncPay2(req, merchant, p)
      case 'refund':
        return v === '3' ? syncRefund3(req, merchant, p) : syncRefund2(req, merchant, p)
      case 'close':
        return close(req, merchant, v, p)
      case 'order':
        return queryOrder(req, merchant, v, p)
    }
  }

  /** DaxPay has no rate limit of its own; the reverse proxy in front of it answers 429. */
  function rateLimited(): SimResponse {
    return {
      status: 429,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too Many Requests</h1></center></body></html>',
    }
  }

  return {
    name: 'daxpay',
    faults: [
      'system_error',
      'rate_limit',
      'timeout',
      'reset',
      'bad_signature',
      'malformed',
      'clock_skew',
      'oversized',
      'no_amount',
      'unstamped',
    ],
    matches: (req) => Object.hasOwn(ROUTES, req.url.pathname),
    endpoint: (req) => ROUTES[req.url.pathname]!.endpoint,
    rateLimited,
    handle,
  }
}
