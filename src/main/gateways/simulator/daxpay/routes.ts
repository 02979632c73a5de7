import type { DaxpayVersion } from '../../daxpay/sign'
import type { Fields } from './answers'

// The paths the simulated DaxPay serves, by generation (docs/domain.md section 8 and A.4), with the
// fields of the parameter class each one reads.

export type Call = 'pay' | 'refund' | 'close' | 'order'
export interface Route {
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

export const ROUTES: Record<string, Route> = {
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
