import type { SimMerchant, SimState } from '../state'
import type { SimOptions, SimRequest, SimResponse } from '../types'
import type { DaxpayAnswers, Fields } from './answers'
import { findOrder, findRefund } from './trades'
import { CODES, PAY_WORD_2, REFUND_WORD_2, TRADE_NOT_EXIST, TRADE_STATUS_ERROR } from './words'

// The sync endpoints of the simulated DaxPay, pay and refund, 3.x (`/unipay/sync/pay`,
// `/unipay/sync/refund`) and 2.x (`/unipay/syncPay`, `/unipay/syncRefund`): the gateway-side word of
// the trade, in each generation's answer (docs/domain.md A.3).

export function syncCalls(state: SimState, options: SimOptions, answers: DaxpayAnswers) {
  function syncPay3(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const order = findOrder(state, m, p.orderNo, p.bizOrderNo)
    if (!order) return answers.answer3(req, m, TRADE_NOT_EXIST, '支付订单不存在', null)
    const word = order.state
    state.queried(order, options.now())
    if (word === 'busy') return answers.answer3(req, m, CODES['3'].busy, '支付同步处理中，请勿重复操作', null)
    // 3.x refuses to sync a cashier order no channel was chosen for (PaySyncService, docs/domain.md A.3).
    if (word === 'wait')
      return answers.answer3(req, m, TRADE_STATUS_ERROR, '订单未开始支付, 请重新确认支付状态', null)
    // `adjust` is reported inverted by DaxPay 3.0 (docs/domain.md A.3): true when nothing was adjusted.
    return answers.answer3(req, m, 0, 'success', { orderStatus: word, adjust: true })
  }

  function syncRefund3(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const refund = findRefund(state, m, p.refundNo, p.bizRefundNo)
    if (!refund) return answers.answer3(req, m, TRADE_NOT_EXIST, '退款订单不存在', null)
    if (refund.state === 'busy')
      return answers.answer3(req, m, CODES['3'].busy, '退款同步处理中，请勿重复操作', null)
    return answers.answer3(req, m, 0, 'success', { orderStatus: refund.state, adjust: true })
  }

  function syncPay2(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const order = findOrder(state, m, p.paymentId, p.businessNo)
    if (!order) return answers.answer2(req, m, TRADE_NOT_EXIST, '支付订单不存在', {})
    const word = order.state
    state.queried(order, options.now())
    if (word === 'busy') return answers.unsigned(req, '2', CODES['2'].busy, '支付同步处理中，请勿重复操作')
    const gatewayStatus = PAY_WORD_2[word] ?? word
    if (gatewayStatus === 'pay_timeout') {
      // 2.x closes an expired, unpaid order at the channel and locally in the same sync (docs/domain.md A.3).
      order.state = 'close'
      state.stats.closes += 1
      return answers.answer2(req, m, 0, null, {
        gatewayStatus,
        repair: true,
        repairOrderNo: state.nextTradeNo('X', options.now()),
      })
    }
    return answers.answer2(req, m, 0, null, { gatewayStatus, repair: false })
  }

  function syncRefund2(req: SimRequest, m: SimMerchant, p: Fields): SimResponse {
    const refund = findRefund(state, m, p.refundNo, p.bizRefundNo)
    if (!refund) return answers.answer2(req, m, TRADE_NOT_EXIST, '退款订单不存在', {})
    if (refund.state === 'busy')
      return answers.unsigned(req, '2', CODES['2'].busy, '退款同步处理中，请勿重复操作')
    return answers.answer2(req, m, 0, null, {
      refundNo: refund.gatewayRefundNo,
      bizRefundNo: refund.refundNo,
      status: REFUND_WORD_2[refund.state] ?? refund.state,
    })
  }

  return { syncPay3, syncRefund3, syncPay2, syncRefund2 }
}
