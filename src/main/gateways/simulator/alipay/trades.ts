import { fenToYuan } from '../../../../shared/money'
import { formatBeijing } from '../../../../shared/time'
import type { SimMerchant, SimOrder, SimState } from '../state'
import type { SimOptions } from '../types'
import { fail, type Node } from './replies'

// The trade methods of the simulated Alipay: `alipay.trade.query`, `alipay.trade.close` and
// `alipay.trade.fastpay.refund.query` (docs/protocols.md section 1), each answering a node.

export function tradeCalls(state: SimState, options: SimOptions) {
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

  return { tradeQuery, tradeClose, refundQuery }
}
