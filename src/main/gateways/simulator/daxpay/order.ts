import { formatBeijing } from '../../../../shared/time'
import { formatReqTime, type DaxpayVersion } from '../../daxpay/sign'
import type { SimMerchant, SimState } from '../state'
import type { SimOptions, SimRequest, SimResponse } from '../types'
import { Yuan, type DaxpayAnswers, type Fields } from './answers'
import { findOrder } from './trades'
import {
  CLOSABLE,
  orderStatus,
  PAID_STATUS,
  TRADE_NOT_EXIST,
  TRADE_PROCESSING,
  TRADE_STATUS_ERROR,
} from './words'

// DaxPay's own pay order in the simulator: the close (`/unipay/close`, both generations) and the order
// query that tells its amount, number and payment time (3.x `/unipay/query/payOrder`, 2.x
// `/uni/query/payOrder`).

export function orderCalls(state: SimState, options: SimOptions, answers: DaxpayAnswers) {
  /**
   * `/unipay/close` (PayCloseService): only an order waiting for payment closes, as `cancel` when asked
   * to (3.x useCancel, 2.x cancel); anything else is 20044, a held close lock 20043. The answer has no
   * data (2.x: PayCloseResult, its common fields only).
   */
  function close(req: SimRequest, m: SimMerchant, v: DaxpayVersion, p: Fields): SimResponse {
    const order =
      v === '3'
        ? findOrder(state, m, p.orderNo, p.bizOrderNo)
        : findOrder(state, m, p.paymentId, p.businessNo)
    if (!order) return answers.refuse(req, m, v, TRADE_NOT_EXIST, '支付订单不存在')
    if (order.state === 'busy')
      return answers.refuse(req, m, v, TRADE_PROCESSING, '支付订单已在关闭中，请勿重复发起')
    if (!CLOSABLE.has(order.state))
      return answers.refuse(req, m, v, TRADE_STATUS_ERROR, '订单不是支付中, 无法进行关闭订单')
    order.state = (v === '3' ? p.useCancel : p.cancel) === true ? 'cancel' : 'close'
    state.stats.closes += 1
    return v === '3' ? answers.answer3(req, m, 0, 'success', null) : answers.answer2(req, m, 0, null, {})
  }

  /**
   * The order query (3.x `/unipay/query/payOrder`, 2.x `/uni/query/payOrder`): DaxPay's own order,
   * with its number, amount and times (3.x PayOrderResult in declaration order, amounts in yuan; 2.0.x
   * paymentId, businessNo, amounts in fen, times in epoch seconds). Under `no_amount` the amount is
   * missing.
   */
  function queryOrder(req: SimRequest, m: SimMerchant, v: DaxpayVersion, p: Fields): SimResponse {
    const order =
      v === '3'
        ? findOrder(state, m, p.orderNo, p.bizOrderNo)
        : findOrder(state, m, p.paymentId, p.businessNo)
    if (!order) return answers.refuse(req, m, v, TRADE_NOT_EXIST, '支付订单不存在')
    const status = orderStatus(order.state, v)
    const paid = PAID_STATUS.has(status)
    const amount = req.fault === 'no_amount' ? null : order.amount
    const paidAt = paid ? (order.paidAt ?? options.now()) : null
    if (v === '3') {
      return answers.answer3(req, m, 0, 'success', {
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
    return answers.answer2(req, m, 0, null, {
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

  return { close, queryOrder }
}
