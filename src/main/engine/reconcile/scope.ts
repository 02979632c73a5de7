import type { Channel } from '../../../shared/domain'
import type { DayWindow } from './windows'

// What one run matches against: the statement's current lines, the merchant's trades and the rules
// of its profile (docs/reconcile.md A6: scope prefixes, the amount tolerance; A5.4: a partner's
// sub-merchant; A5.5: UnionPay's 商户代码; A7: the fee rate).

export interface MatchScope {
  statementId: number
  run: number
  billDate: string
  merchantId: number
  channel: Channel
  /** Order-number prefixes of this system's orders; empty: every line is ours. */
  prefixes: string[]
  /** A WeChat partner profile's sub-merchant: lines of another 特约商户号 are foreign. */
  subMerchant: string | null
  /** UnionPay: the profile's merId; a line of another 商户代码 is foreign. */
  account: string | null
  toleranceFen: number
  /** The profile's `feeRate` in millionths (`0.60%` = 6000), or null: no fee check (A7 `fee_deviation`). */
  feeRateMillionths: number | null
  window: DayWindow
  now: number
}
