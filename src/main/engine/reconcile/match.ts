import type { TradeType } from '../../../shared/domain'
import type { MatchState } from '../../../shared/statements'
import type { Db } from '../../store/connection'
import { stmt } from '../../store/connection'
import { resolveCarryOver, waitingEntryOf } from '../../store/carry-over'
import type { PayOrderRow } from '../../store/orders'
import type { RefundOrderRow } from '../../store/refunds'
import { upsertStatementDiff } from '../../store/statement-diffs'
import { setLineMatch, type StatementLineRow } from '../../store/statement-lines'
import {
  classifyPay,
  classifyRefund,
  inScope,
  refundLineFailed,
  type LineFacts,
  type Verdict,
} from './classify'
import { diffDraft, type DiffFacts } from './reasons'
import type { MatchScope } from './scope'

// Matching (docs/reconcile.md A6): the statement's lines a page at a time, each page one query whose
// joins find the local pay order (by order no, then gateway trade no) and refund (by refund no, then
// gateway refund no) and whether an earlier line had the same key; then each line's verdict (A7), the
// trade's reconciled mark (A6 rule 7) and the carry-over pool (A8 rule 1), written in one transaction
// per page. Memory holds one page, whatever the number of lines.

const PAGE = 5000

/** What matching reads of a line: not its raw text, which a page of lines would carry for nothing. */
const LINE_COLUMNS = [
  'id',
  'kind',
  'order_no',
  'gateway_trade_no',
  'refund_no',
  'gateway_refund_no',
  'amount',
  'gateway_status',
  'line_time',
  'sub_merchant',
  'account',
  'match_key',
] as const

interface JoinedLine extends Pick<StatementLineRow, (typeof LINE_COLUMNS)[number]> {
  by_order: number | null
  by_gateway: number | null
  refund_by_no: number | null
  refund_by_gateway: number | null
  dup: number
}

export interface MatchTally {
  done: number
  /** Statements whose carried trades this one matched: their results are worked out again. */
  touched: Set<number>
}

function page(db: Db, s: MatchScope, after: number): JoinedLine[] {
  return stmt<[number, number, number, number, number, number, number, number], JoinedLine>(
    db,
    `SELECT ${LINE_COLUMNS.map((c) => `l.${c}`).join(', ')},
       (SELECT p.id FROM pay_orders p WHERE p.merchant_id = ? AND p.order_no = l.order_no) AS by_order,
       CASE WHEN l.gateway_trade_no <> '' THEN (SELECT p.id FROM pay_orders p
         WHERE p.gateway_trade_no = l.gateway_trade_no AND p.merchant_id = ? LIMIT 1) END AS by_gateway,
       CASE WHEN l.kind = 'refund' AND l.refund_no <> '' THEN (SELECT r.id FROM refund_orders r
         WHERE r.merchant_id = ? AND r.refund_no = l.refund_no) END AS refund_by_no,
       CASE WHEN l.kind = 'refund' AND l.gateway_refund_no <> '' THEN (SELECT r.id FROM refund_orders r
         WHERE r.gateway_refund_no = l.gateway_refund_no AND r.merchant_id = ? LIMIT 1) END AS refund_by_gateway,
       EXISTS (SELECT 1 FROM statement_lines f WHERE f.statement_id = l.statement_id AND f.run = l.run
         AND f.kind = l.kind AND f.match_key = l.match_key AND f.id < l.id) AS dup
     FROM statement_lines l WHERE l.statement_id = ? AND l.run = ? AND l.id > ? ORDER BY l.id LIMIT ?`,
  ).all(s.merchantId, s.merchantId, s.merchantId, s.merchantId, s.statementId, s.run, after, PAGE)
}

/** What matching compares of a local pay order and a refund (A6 rule 5), and nothing more per line. */
type PayFacts = Pick<PayOrderRow, 'id' | 'order_no' | 'gateway_trade_no' | 'amount' | 'status' | 'paid_at'>
type RefundFacts = Pick<
  RefundOrderRow,
  'id' | 'pay_order_id' | 'refund_no' | 'amount' | 'status' | 'finished_at'
>

function payFacts(db: Db, id: number): PayFacts | undefined {
  return stmt<[number], PayFacts>(
    db,
    'SELECT id, order_no, gateway_trade_no, amount, status, paid_at FROM pay_orders WHERE id = ?',
  ).get(id)
}

function refundFacts(db: Db, id: number): RefundFacts | undefined {
  return stmt<[number], RefundFacts>(
    db,
    'SELECT id, pay_order_id, refund_no, amount, status, finished_at FROM refund_orders WHERE id = ?',
  ).get(id)
}

function facts(l: JoinedLine): LineFacts {
  return { kind: l.kind, amount: l.amount, gatewayStatus: l.gateway_status }
}

/** The only refund of a pay order with this amount: Alipay's refund without out_request_no (A6 rule 4). */
function onlyRefundOfAmount(db: Db, payOrderId: number, amount: number): number | null {
  const rows = stmt<[number, number], { id: number }>(
    db,
    'SELECT id FROM refund_orders WHERE pay_order_id = ? AND amount = ? LIMIT 2',
  ).all(payOrderId, amount)
  return rows.length === 1 ? rows[0]!.id : null
}

function markReconciled(db: Db, type: TradeType, id: number, statementId: number, now: number): void {
  stmt(
    db,
    `UPDATE ${type === 'pay' ? 'pay_orders' : 'refund_orders'} SET reconciled_statement_id = ?, reconciled_at = ?
     WHERE id = ? AND reconciled_statement_id IS NULL`,
  ).run(statementId, now, id)
}

/** Matches every current line of the statement; differences are recorded, nothing is acted on yet. */
export function matchLines(db: Db, s: MatchScope, onPage?: (done: number) => void): MatchTally {
  const tally: MatchTally = { done: 0, touched: new Set() }
  let after = 0
  for (;;) {
    const lines = page(db, s, after)
    if (lines.length === 0) break
    db.transaction(() => {
      for (const l of lines) matchOne(db, s, l, tally)
    }).immediate()
    after = lines.at(-1)!.id
    tally.done += lines.length
    onPage?.(tally.done)
    if (lines.length < PAGE) break
  }
  return tally
}

function matchOne(db: Db, s: MatchScope, l: JoinedLine, tally: MatchTally): void {
  const set = (
    state: MatchState,
    payOrderId: number | null = null,
    refundId: number | null = null,
    note: string | null = null,
  ) => setLineMatch(db, l.id, { state, payOrderId, refundId, note })
  if (l.kind === 'other') return set('info')
  if (s.subMerchant !== null && l.sub_merchant !== s.subMerchant)
    return set('foreign', null, null, 'sub_merchant')
  if (s.account !== null && l.account !== '' && l.account !== s.account)
    return set('foreign', null, null, 'account')
  if (!inScope(l.order_no || l.refund_no, s.prefixes)) return set('foreign', null, null, 'scope')
  if (l.dup) return set('duplicate')

  const payId = l.by_order ?? l.by_gateway
  const pay = payId !== null ? payFacts(db, payId) : undefined
  const base = {
    lineId: l.id,
    orderNo: l.order_no || (pay?.order_no ?? null),
    statementAmount: l.amount,
    statementStatus: l.gateway_status,
    statementTime: l.line_time,
  }

  if (l.kind === 'pay' || l.kind === 'revoke') {
    if (!pay) {
      if (l.kind === 'revoke') return set('info', null, null, 'revoke_unknown')
      return discrepancy(db, s, l, tally, null, null, {
        ...base,
        kind: 'gateway_only',
        tradeType: 'pay',
        tradeKey: `line:${l.match_key}`,
        payOrderId: null,
        refundId: null,
        refundNo: null,
        gatewayNo: l.gateway_trade_no || null,
        localAmount: null,
        localStatus: null,
        localTime: null,
        label: '平台漏单（本地短款）',
      })
    }
    // The same order number under another non-empty gateway number is not the same trade (A6 rule 3).
    if (
      l.by_order !== null &&
      pay.gateway_trade_no &&
      l.gateway_trade_no &&
      pay.gateway_trade_no !== l.gateway_trade_no
    )
      return discrepancy(db, s, l, tally, pay.id, null, {
        ...base,
        kind: 'trade_no_conflict',
        tradeType: 'pay',
        tradeKey: `pay:${pay.id}`,
        payOrderId: pay.id,
        refundId: null,
        refundNo: null,
        gatewayNo: l.gateway_trade_no,
        localGatewayNo: pay.gateway_trade_no,
        localAmount: pay.amount,
        localStatus: pay.status,
        localTime: pay.paid_at,
        label: null,
      })
    const verdict = classifyPay(facts(l), pay, s.toleranceFen)
    return settleFound(db, s, l, tally, 'pay', pay, verdict, base)
  }

  // A refund line.
  let refundId = l.refund_by_no ?? l.refund_by_gateway
  if (refundId === null && pay && (l.refund_no === '' || l.refund_no === l.order_no))
    refundId = onlyRefundOfAmount(db, pay.id, l.amount)
  const refund = refundId !== null ? refundFacts(db, refundId) : undefined
  if (!refund) {
    if (refundLineFailed(l.gateway_status)) return set('info', pay?.id ?? null, null, 'refund_failed')
    return discrepancy(db, s, l, tally, pay?.id ?? null, null, {
      ...base,
      kind: pay ? 'refund_unrecorded' : 'gateway_only',
      tradeType: 'refund',
      tradeKey: `line:${l.match_key}`,
      payOrderId: pay?.id ?? null,
      refundId: null,
      refundNo: l.refund_no || null,
      gatewayNo: l.gateway_refund_no || l.gateway_trade_no || null,
      localAmount: null,
      localStatus: null,
      localTime: null,
      label: pay ? '平台漏单（退款）' : '平台漏单（本地短款）',
    })
  }
  const verdict = classifyRefund(facts(l), refund, s.toleranceFen)
  return settleFound(db, s, l, tally, 'refund', refund, verdict, {
    ...base,
    orderNo: l.order_no || (pay?.order_no ?? null),
  })
}

function settleFound(
  db: Db,
  s: MatchScope,
  l: JoinedLine,
  tally: MatchTally,
  type: TradeType,
  trade: PayFacts | RefundFacts,
  verdict: Verdict,
  base: Pick<DiffFacts, 'lineId' | 'orderNo' | 'statementAmount' | 'statementStatus' | 'statementTime'>,
): void {
  const payOrderId = type === 'pay' ? trade.id : (trade as RefundFacts).pay_order_id
  const refundId = type === 'refund' ? trade.id : null
  const localTime = type === 'pay' ? (trade as PayFacts).paid_at : (trade as RefundFacts).finished_at
  // The line found its trade: whatever its own time, the trade is this statement's now (A6 rule 7),
  // and a pool entry waiting for it is matched (A8 rule 1).
  markReconciled(db, type, trade.id, s.statementId, s.now)
  const pooled = waitingEntryOf(db, type, trade.id)
  if (pooled) {
    resolveCarryOver(db, pooled.id, 'matched', s.statementId, s.now)
    tally.touched.add(pooled.from_statement_id)
  }
  if (verdict.state === 'matched') {
    const outside = localTime !== null && (localTime < s.window.start || localTime >= s.window.end)
    setLineMatch(db, l.id, {
      state: pooled || outside ? 'matched_cross_day' : 'matched',
      payOrderId,
      refundId,
      note: verdict.note,
    })
    return
  }
  discrepancy(db, s, l, tally, payOrderId, refundId, {
    ...base,
    kind: verdict.kind,
    tradeType: type,
    tradeKey: `${type}:${trade.id}`,
    payOrderId,
    refundId,
    refundNo: type === 'refund' ? (trade as RefundFacts).refund_no : null,
    gatewayNo:
      type === 'refund' ? l.gateway_refund_no || l.gateway_trade_no || null : l.gateway_trade_no || null,
    localAmount: trade.amount,
    localStatus: trade.status,
    localTime,
    label: verdict.label,
  })
}

function discrepancy(
  db: Db,
  s: MatchScope,
  l: JoinedLine,
  tally: MatchTally,
  payOrderId: number | null,
  refundId: number | null,
  facts: DiffFacts,
): void {
  setLineMatch(db, l.id, { state: 'discrepancy', payOrderId, refundId, note: facts.kind })
  upsertStatementDiff(db, s.statementId, s.merchantId, s.run, diffDraft(facts), s.now)
}
