import type { PayAnswer, PayTradeRef, RefundAnswer } from '../types'

// What WeChat Pay's words mean in our terms (docs/protocols.md section 2.6), and what a verified
// answer to a close, a payscore cancel or a payscore sync must look like to say it was done.

export type Json = Record<string, unknown>

/** trade_state of a pay order. */
export const PAY_STATES: Record<string, PayAnswer['status']> = {
  SUCCESS: 'pay_success',
  NOTPAY: 'pay_progress',
  USERPAYING: 'pay_progress',
  CLOSED: 'pay_closed',
  REVOKED: 'pay_closed',
  PAYERROR: 'pay_fail',
  REFUND: 'pay_refund',
}

/** state of a payscore order; `DOING` + `MCH_COMPLETE` is read with its description (payscore.ts). */
export const PAYSCORE_STATES: Record<string, PayAnswer['status']> = {
  DONE: 'pay_success',
  CREATED: 'pay_progress',
  DOING: 'pay_progress',
  REVOKED: 'pay_closed',
  EXPIRED: 'pay_closed',
}

/** status of a refund. */
export const REFUND_STATES: Record<string, RefundAnswer['status']> = {
  SUCCESS: 'refund_success',
  PROCESSING: 'refund_progress',
  CLOSED: 'refund_closed',
  ABNORMAL: 'refund_abnormal',
}

/** Error codes of a verified refusal to close or cancel that mean the order is no longer open. */
export const CLOSED_ALREADY = new Set(['ORDER_CLOSED', 'ORDER_CANCELED'])
export const PAID_ALREADY = new Set(['ORDER_PAID', 'ORDERPAID', 'ORDER_DONE'])

/**
 * Whether a verified answer to a close, a payscore cancel or a payscore sync says it was done. The
 * signature covers timestamp, nonce and body but not the status line, so a 200 or 204 status alone
 * proves nothing: a signed refusal (ORDER_PAID) or a signed answer about something else, sent with a
 * success status, was read as "closed" (found by tests/gateways/parsers-fuzz.test.ts). Done means a
 * success status with an empty body (204 No Content, a pay order's close) or with the payscore order
 * it was about, and no error code.
 */
export function acknowledged(
  r: { status: number; body: string; json: Json | null },
  trade: PayTradeRef,
  code: string | null,
): boolean {
  if (r.status !== 204 && r.status !== 200) return false
  if (r.json === null) return r.body.trim() === ''
  return code === null && trade.kind === 'payscore' && r.json.out_order_no === trade.orderNo
}
