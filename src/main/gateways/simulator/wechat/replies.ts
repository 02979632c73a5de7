import type { SimMerchant } from '../state'
import type { SimRequest } from '../types'

// What the simulated WeChat Pay answers are made of, shared by its routes (pay.ts, refund.ts,
// certificates.ts, bills.ts, payscore.ts): a reply before it is signed, a route, WeChat's not found,
// the states of a paid order.

export type Json = Record<string, unknown>

export interface Reply {
  status: number
  body?: Json
  /** Sent when the answer is an error: the numeric suffix of Request-ID. */
  code?: number
}

export interface WechatRoute {
  method: string
  re: RegExp
  /** The stats key. */
  name: string
  run: (m: SimMerchant, req: SimRequest, g: string[], body: Json) => Reply
}

/** WeChat's answer for an order it does not have (or not for this merchant), pay and payscore alike. */
export const NOT_FOUND_ORDER: Reply = {
  status: 404,
  body: { code: 'ORDER_NOT_EXIST', message: '订单不存在' },
  code: 268512771,
}

/** The gateway states of an order the buyer has paid. */
export const PAID = new Set(['SUCCESS', 'REFUND'])
