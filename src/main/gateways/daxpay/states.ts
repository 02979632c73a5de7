import { yuanToFen } from '../../../shared/money'
import type { PayAnswer, RefundAnswer } from '../types'
import type { DaxpayVersion } from './sign'

// What DaxPay's words and figures mean in our terms, by generation (docs/domain.md section 8 and A.2):
// the sync answers' status words, the codes that are answers rather than errors, and how its own
// order states an amount and a number.

/** Trade not found at DaxPay (20041): a verified business answer, not an error. */
export const NOT_FOUND = 20041
/** The close refused because the order is not waiting for payment (paid, closed, failed): 20044. */
export const STATUS_ERROR = 20044
/** The words of DaxPay's own pay order that say it was paid: 3.x `success`; 2.0.x also its refund states. */
export const PAID_ORDER = new Set(['success', 'refunding', 'partial_refund', 'refunded'])

export const PAY_WORDS_3: Record<string, PayAnswer['status']> = {
  success: 'pay_success',
  progress: 'pay_progress',
  wait: 'pay_progress',
  close: 'pay_closed',
  cancel: 'pay_closed',
  timeout: 'pay_closed',
  fail: 'pay_fail',
}

// 2.x answers with the channel's word as DaxPay normalised it (PaySyncStatusEnum, docs/domain.md A.2).
// `pay_fail` there means the *query* failed, so it is an error, never a failed payment (docs/domain.md 9).
// `pay_timeout` is DaxPay's own derivation from a waiting answer on an expired order: it is read as the
// waiting answer it came from, and our engine derives its own timeout from our expiry.
export const PAY_WORDS_2: Record<string, PayAnswer['status']> = {
  pay_success: 'pay_success',
  pay_progress: 'pay_progress',
  pay_timeout: 'pay_progress',
  pay_closed: 'pay_closed',
  pay_refund: 'pay_refund',
  pay_not_found: 'pay_not_found',
  pay_not_found_unknown: 'pay_not_found',
}

export const REFUND_WORDS_3: Record<string, RefundAnswer['status']> = {
  success: 'refund_success',
  progress: 'refund_progress',
  close: 'refund_closed',
  fail: 'refund_closed',
}

// RefundSyncStatusEnum (docs/domain.md A.2); its not-found shares the pay value `pay_not_found`.
export const REFUND_WORDS_2: Record<string, RefundAnswer['status']> = {
  refund_success: 'refund_success',
  refund_progress: 'refund_progress',
  refund_fail: 'refund_closed',
  pay_not_found: 'refund_not_found',
  refund_not_found: 'refund_not_found',
}

/** An amount in DaxPay's order: fen (2.x Integer) or yuan (3.x BigDecimal, a JSON number or text). */
export function amountOf(value: unknown, version: DaxpayVersion): number | null | 'unreadable' {
  if (value === undefined || value === null) return null
  let fen: number | null = null
  if (version === '2') fen = typeof value === 'number' && Number.isSafeInteger(value) ? value : null
  else if (typeof value === 'number' || typeof value === 'string') fen = yuanToFen(String(value))
  return fen === null || fen < 0 ? 'unreadable' : fen
}

/** An order number as DaxPay writes one: no character its signature leaves out or escapes. */
export function plainNumber(no: string): boolean {
  for (const ch of no) {
    const c = ch.charCodeAt(0)
    if (ch === '"' || ch === '\\' || c < 0x20 || c === 0x7f) return false
  }
  return true
}
