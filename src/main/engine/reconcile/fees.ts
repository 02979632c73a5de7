import { upsertStatementDiffs } from '../../store/statement-diffs'
import type { StoreCalls } from '../../store/sql/calls'
import { all, both, type Exec, type Q } from '../../store/sql/exec'
import type { StatementLineKind } from '../../../shared/statements'
import { diffDraft } from './reasons'
import type { MatchScope } from './scope'

// The optional fee check (docs/reconcile.md A7 `fee_deviation`, A10): when the profile states the
// channel's rate (`feeRate`, e.g. `0.60%`), every payment or refund line whose fee is more than one
// fen from round_half_up(amount × rate) is reported. A report only: no sync, no anomaly, and the day
// still balances (a fee is the channel's, we keep none to compare). Exact: the rate is read as whole
// millionths and the product taken in BigInt, never a float.

/** One fen in the fee unit of the lines (1e-5 yuan). */
const FEN_E5 = 1000
const PAGE = 5000
/** The profile's `feeRate`: a percentage with up to four decimals (the schema holds it so). */
const RATE = /^(\d{1,3})(?:\.(\d{1,4}))?%$/

/** `0.60%` -> 6000 millionths; null for anything else (no check then). */
export function feeRateMillionths(setting: string | undefined): number | null {
  const m = RATE.exec((setting ?? '').trim())
  if (!m) return null
  const millionths = Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0'))
  return millionths <= 1_000_000 ? millionths : null
}

/** round_half_up(amount × rate) in fen, for an amount in fen (never negative on a line). */
export function expectedFeeFen(amountFen: number, millionths: number): number {
  return Number((BigInt(amountFen) * BigInt(millionths) + 500_000n) / 1_000_000n)
}

/** Whether a line's fee (1e-5 yuan, the sign as the file writes it) is more than a fen off. */
export function feeDeviates(feeE5: number, amountFen: number, millionths: number): boolean {
  return Math.abs(Math.abs(feeE5) - expectedFeeFen(amountFen, millionths) * FEN_E5) > FEN_E5
}

interface FeeLine {
  id: number
  kind: StatementLineKind
  order_no: string
  refund_no: string
  gateway_trade_no: string
  gateway_refund_no: string
  match_key: string
  amount: number
  fee_e5: number
  gateway_status: string
  line_time: number | null
  pay_order_id: number | null
  refund_id: number | null
}

const feeLinesOn = both(function* (x: Exec, s: MatchScope, after: number): Q<FeeLine[]> {
  return yield* all<FeeLine>(
    x,
    `SELECT id, kind, order_no, refund_no, gateway_trade_no, gateway_refund_no, match_key, amount, fee_e5,
         gateway_status, line_time, pay_order_id, refund_id
       FROM statement_lines WHERE statement_id = ? AND run = ? AND id > ? AND kind IN ('pay', 'refund')
         AND match_state IN ('matched', 'matched_cross_day', 'discrepancy')
       ORDER BY id LIMIT ?`,
    [s.statementId, s.run, after, PAGE],
  )
})

const upsertDiffsOn = both(upsertStatementDiffs)

/**
 * Records a `fee_deviation` for every payment and refund line of this run that is ours (not foreign,
 * not a duplicate, not an info line) and whose fee is off the rate; answers how many. Runs after
 * matching, before the differences not seen again are closed; each page's differences one transaction.
 */
export async function recordFeeDeviations(
  calls: StoreCalls,
  s: MatchScope,
  millionths: number,
): Promise<number> {
  let after = 0
  let found = 0
  for (;;) {
    const lines = await calls.run(feeLinesOn, s, after)
    if (lines.length === 0) break
    const drafts = lines
      .filter((l) => feeDeviates(l.fee_e5, l.amount, millionths))
      .map((l) => {
        const refund = l.kind === 'refund'
        return diffDraft({
          kind: 'fee_deviation',
          tradeType: refund ? 'refund' : 'pay',
          tradeKey: `line:${l.match_key}`,
          lineId: l.id,
          payOrderId: l.pay_order_id,
          refundId: l.refund_id,
          orderNo: l.order_no || null,
          refundNo: l.refund_no || null,
          gatewayNo: (refund ? l.gateway_refund_no : l.gateway_trade_no) || null,
          localAmount: null,
          statementAmount: l.amount,
          localStatus: null,
          statementStatus: l.gateway_status,
          localTime: null,
          statementTime: l.line_time,
          label: '手续费不匹配',
          fee: { lineE5: l.fee_e5, expectedFen: expectedFeeFen(l.amount, millionths) },
        })
      })
    found += drafts.length
    await calls.inTransaction(upsertDiffsOn, s.statementId, s.merchantId, s.run, drafts, s.now)
    after = lines.at(-1)!.id
    if (lines.length < PAGE) break
  }
  return found
}
