import crypto from 'node:crypto'
import { fenToYuan } from '../../../shared/money'
import { formatBeijing, parseBeijing } from '../../../shared/time'
import { requestSignContent, responseNodeName, rsa2Sign, rsa2Verify } from '../alipay/sign'
import { answerKey, cutOff, skewedDate } from './faults'
import type { SimMerchant, SimOrder, SimState } from './state'
import type { ChannelHandler, SimOptions, SimRequest, SimResponse } from './types'

// The Alipay OpenAPI gateway (`POST /gateway.do`) as docs/protocols.md sections 1 and 6 describe
// it: parameters merged from the URL and the form body, the request signature verified with the
// merchant's application public key, every answer signed with the gateway's private key.

const METHODS = ['alipay.trade.query', 'alipay.trade.close', 'alipay.trade.fastpay.refund.query'] as const
type Method = (typeof METHODS)[number]

type Node = Record<string, unknown>

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
    ],
    matches: (req) => req.url.pathname === '/gateway.do',
    endpoint(req) {
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
            : refundQuery(merchant, biz)
      return respond(req, method, node, merchant)
    },
  }
}
