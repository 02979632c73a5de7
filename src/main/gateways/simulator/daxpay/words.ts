import type { DaxpayVersion } from '../../daxpay/sign'

// The simulated DaxPay's words: its error codes by generation, which of its order states are paid or
// closable, and the 2.x answer words for the gateway-side states (docs/domain.md A.2, A.6).

/** Error codes by generation (docs/domain.md A.6): bootx 100xx in 2.x, 105xx in 3.x, 2xxxx in both. */
export const CODES = {
  '2': { system: 10001, parse: 10005, validation: 10006, busy: 10007, noData: 10004 },
  '3': { system: 10500, parse: 10505, validation: 10506, busy: 10507, noData: 10404 },
} as const
export const VERIFY_SIGN_FAILED = 20052
export const TRADE_NOT_EXIST = 20041
export const TRADE_PROCESSING = 20043
export const TRADE_STATUS_ERROR = 20044

/** DaxPay order statuses that say the order was paid (2.0.x also its refund states). */
export const PAID_STATUS = new Set(['success', 'refunding', 'partial_refund', 'refunded'])

/** The states a close accepts (PayCloseService: only an order waiting for payment). */
export const CLOSABLE = new Set(['wait', 'progress', 'pay_progress'])

/**
 * DaxPay's own order status for a gateway-side word: 3.x keeps its words, `busy` being a lock on an
 * order in progress; 2.x words are the sync answer's, and a 2.0.x order that was refunded says so.
 */
export function orderStatus(word: string, version: DaxpayVersion): string {
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

/** 2.x answers with the channel's word as DaxPay normalised it (PaySyncStatusEnum, docs/domain.md A.2). */
export const PAY_WORD_2: Record<string, string> = {
  success: 'pay_success',
  progress: 'pay_progress',
  wait: 'pay_progress',
  close: 'pay_closed',
  cancel: 'pay_closed',
  timeout: 'pay_timeout',
  fail: 'pay_fail',
}
export const REFUND_WORD_2: Record<string, string> = {
  success: 'refund_success',
  progress: 'refund_progress',
  close: 'refund_fail',
  fail: 'refund_fail',
}
