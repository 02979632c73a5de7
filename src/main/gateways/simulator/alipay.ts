import crypto from 'node:crypto'
import { fenToYuan } from '../../../shared/money'
import { formatBeijing, parseBeijing } from '../../../shared/time'
import { requestSignContent, responseNodeName, rsa2Sign, rsa2Verify } from '../alipay/sign'
import { alipayBillStream } from './bills/alipay'
import { compactDate, dayStart } from './bills/format'
import { answerKey, cutOff, skewedDate } from './faults'
import type { SimMerchant, SimOrder, SimState } from './state'
import { billDay, billLines, billReadyAt, BillLinks, type BillDay, type BillRules } from './statements'
import type { ChannelHandler, SimOptions, SimRequest, SimResponse } from './types'

// The Alipay OpenAPI gateway (`POST /gateway.do`) as docs/protocols.md sections 1 and 6 describe
// it: parameters merged from the URL and the form body, the request signature verified with the
// merchant's application public key, every answer signed with the gateway's private key. The bill
// application (`alipay.data.dataservice.bill.downloadurl.query`, docs/reconcile.md A1.1 and A14)
// answers a link to `GET /downloadBillFile.resource`, unsigned, valid 30 s, serving the zip.

const BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query'
const METHODS = [
  'alipay.trade.query',
  'alipay.trade.close',
  'alipay.trade.fastpay.refund.query',
  BILL_METHOD,
] as const
type Method = (typeof METHODS)[number]
const DOWNLOAD_PATH = '/downloadBillFile.resource'

type Node = Record<string, unknown>

/** Alipay's trade bill: payments by their pay time (a closed one was refunded whole), refunds done. */
const ALIPAY_BILL: BillRules = {
  paid: (o) =>
    ['TRADE_SUCCESS', 'TRADE_FINISHED'].includes(o.state) || (o.state === 'TRADE_CLOSED' && !!o.paidAt),
  refund: (r) => (r.state === 'REFUND_SUCCESS' ? { time: r.createdAt } : null),
}

/** What a bill link serves, fixed when the link was made. */
interface AlipayBillLink {
  pid: string
  date: string
  day: BillDay
  truncated: boolean
  utf8NameFlag: boolean
}

export function alipayHandler(state: SimState, options: SimOptions): ChannelHandler {
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

  function respond(
    req: SimRequest,
    method: string,
    node: Node,
    merchant: SimMerchant | undefined,
  ): SimResponse {
    const nodeName = METHODS.includes(method as Method) ? responseNodeName(method) : 'error_response'
    const nodeJson = JSON.stringify(node)
    const headers: Record<string, string> = {
      'content-type': 'text/html;charset=utf-8',
      trace_id: crypto.randomBytes(16).toString('hex'),
    }
    if (req.fault === 'malformed')
      return { status: 200, headers, body: cutOff(`{"${nodeName}":${nodeJson},"sign":"x"}`) }
    Object.assign(headers, skewedDate(req, options.now()))
    if (!merchant) return { status: 200, headers, body: `{"${nodeName}":${nodeJson}}` }
    const sign = rsa2Sign(nodeJson, answerKey(req, merchant))
    return { status: 200, headers, body: `{"${nodeName}":${nodeJson},"sign":"${sign}"}` }
  }

  const links = new BillLinks<AlipayBillLink>()

  const fail = (code: string, msg: string, subCode: string, subMsg: string): Node => ({
    code,
    msg,
    sub_code: subCode,
    sub_msg: subMsg,
  })

  function tradeQuery(m: SimMerchant, biz: Node): Node {
    const order = findOrder(m, biz)
    if (!order || order.state === 'NOT_CREATED') {
      if (order) state.queried(order, options.now())
      return {
        ...fail('40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在'),
        buyer_pay_amount: '0.00',
        invoice_amount: '0.00',
        out_trade_no: String(biz.out_trade_no ?? ''),
        point_amount: '0.00',
        receipt_amount: '0.00',
      }
    }
    const paid = order.paidAt !== null && order.state !== 'WAIT_BUYER_PAY'
    const snapshot = { ...order }
    state.queried(order, options.now())
    return queryNode(snapshot, paid)
  }

  function queryNode(order: SimOrder, paid: boolean): Node {
    const node: Node = {
      code: '10000',
      msg: 'Success',
      trade_no: order.gatewayTradeNo,
      out_trade_no: order.orderNo,
      buyer_logon_id: '159****5620',
      trade_status: order.state,
      total_amount: fenToYuan(order.amount),
      buyer_pay_amount: paid ? fenToYuan(order.amount) : '0.00',
      point_amount: '0.00',
      invoice_amount: paid ? fenToYuan(order.amount) : '0.00',
      receipt_amount: paid ? fenToYuan(order.amount) : '0.00',
    }
    if (paid) {
      node.send_pay_date = formatBeijing(order.paidAt!)
      node.buyer_user_id = '2088101117955611'
    }
    return node
  }

  function findOrder(m: SimMerchant, biz: Node): SimOrder | undefined {
    // trade_no wins when both are given, as on the real gateway.
    if (typeof biz.trade_no === 'string' && biz.trade_no)
      return state.findOrderByTradeNo(m.name, biz.trade_no)
    if (typeof biz.out_trade_no === 'string') return state.getOrder(m.name, biz.out_trade_no)
    return undefined
  }

  function tradeClose(m: SimMerchant, biz: Node): Node {
    const order = findOrder(m, biz)
    if (!order || order.state === 'NOT_CREATED')
      return fail('40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在')
    if (order.state !== 'WAIT_BUYER_PAY') {
      return fail('40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法')
    }
    order.state = 'TRADE_CLOSED'
    state.stats.closes += 1
    return { code: '10000', msg: 'Success', trade_no: order.gatewayTradeNo, out_trade_no: order.orderNo }
  }

  function refundQuery(m: SimMerchant, biz: Node): Node {
    if (typeof biz.out_request_no !== 'string' || !biz.out_request_no) {
      return fail('40004', 'Business Failed', 'ACQ.INVALID_PARAMETER', '参数无效: out_request_no')
    }
    const order = findOrder(m, biz)
    if (!order || order.state === 'NOT_CREATED')
      return fail('40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在')
    const refund = state.getRefund(m.name, biz.out_request_no)
    if (!refund || refund.orderNo !== order.orderNo) return { code: '10000', msg: 'Success' }
    return {
      code: '10000',
      msg: 'Success',
      trade_no: order.gatewayTradeNo,
      out_trade_no: order.orderNo,
      out_request_no: refund.refundNo,
      total_amount: fenToYuan(order.amount),
      refund_amount: fenToYuan(refund.amount),
      refund_status: refund.state,
    }
  }

  /**
   * The bill application: a day (yyyy-MM-dd) of `trade`, ready from 09:00 the next day ("当日数据一般
   * 于次日 9 点前生成"); no bill, or not yet, is `isp.bill_not_exist` as the live gateway writes it.
   */
  function billApply(m: SimMerchant, biz: Node, req: SimRequest): Node {
    state.stats.billRequests += 1
    const type = biz.bill_type
    const date = biz.bill_date
    const notExist = fail('40004', 'Business Failed', 'isp.bill_not_exist', '账单不存在')
    if (type !== 'trade' && type !== 'signcustomer')
      return fail('40004', 'Business Failed', 'isv.invalid_arguments', '参数有误bill_type')
    // A month (yyyy-MM) is a valid question; the simulator keeps no month bills.
    if (typeof date === 'string' && /^\d{4}-\d{2}$/.test(date)) return notExist
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || date < '2016-01-01')
      return fail('40004', 'Business Failed', 'isv.invalid_arguments', '参数有误bill_date')
    const start = dayStart(date)
    if (Number.isNaN(start) || formatBeijing(start).slice(0, 10) !== date)
      return fail('40004', 'Business Failed', 'isv.invalid_arguments', '参数有误bill_date')
    // No balance movements are simulated: a fund bill has nothing (A1.1 says the gateway answers so).
    if (type === 'signcustomer') return notExist
    const now = options.now()
    if (req.fault === 'bill_not_ready' || now < billReadyAt(date)) return notExist
    const day = billDay(state, m.name, date, ALIPAY_BILL)
    if (day.count === 0) return notExist
    const pid = m.ids.pid ?? '2088000000000000'
    const token = links.add(
      {
        pid,
        date,
        day,
        truncated: req.fault === 'bill_truncated',
        utf8NameFlag: req.fault === 'bill_gbk_name_utf8flag',
      },
      now,
    )
    const stamp = compactDate(date)
    const url = new URL(`http://${String(req.headers.host ?? '127.0.0.1')}${DOWNLOAD_PATH}`)
    for (const [k, v] of Object.entries({
      bizType: 'trade',
      userId: pid,
      fileType: 'csv.zip',
      bizDates: stamp,
      downloadFileName: `${pid}_${stamp}.csv.zip`,
      fileId: `/trade/${pid}/${stamp}.csv.zip`,
      timestamp: String(Math.floor(now / 1000)),
      token,
    }))
      url.searchParams.set(k, v)
    return { code: '10000', msg: 'Success', bill_download_url: url.toString() }
  }

  /** The link's GET: the zip, streamed; unsigned, as on the real download host. */
  function billDownload(req: SimRequest): SimResponse {
    state.stats.billRequests += 1
    const link = links.get(req.url.searchParams.get('token') ?? '', options.now())
    if (req.method !== 'GET' || !link)
      return {
        status: 404,
        headers: { 'content-type': 'text/html;charset=utf-8' },
        body: '<html><body>下载链接已失效，请重新获取</body></html>',
      }
    const { name, body } = alipayBillStream(
      {
        pid: link.pid,
        date: link.date,
        // The file is exported once, early the next morning, whenever it is downloaded.
        exportedAt: dayStart(link.date) + 86_400_000 + 5 * 3600_000 + 46 * 60_000 + 49_000,
        truncated: link.truncated || req.fault === 'bill_truncated',
        utf8NameFlag: link.utf8NameFlag || req.fault === 'bill_gbk_name_utf8flag',
      },
      // Alipay's trade bill has no revoke rows.
      function* () {
        for (const t of billLines(link.date, link.day)) if (t.kind !== 'revoke') yield t
      },
    )
    return {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${name}"`,
      },
      body: '',
      stream: body,
    }
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
      if (req.url.pathname === DOWNLOAD_PATH) return billDownload(req)
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
          ? tradeQuery(merchant, biz)
          : method === 'alipay.trade.close'
            ? tradeClose(merchant, biz)
            : method === BILL_METHOD
              ? billApply(merchant, biz, req)
              : refundQuery(merchant, biz)
      return respond(req, method, node, merchant)
    },
  }
}
