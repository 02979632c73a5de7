import type { TradeType } from '../../../shared/domain'
import type { MatchState } from '../../../shared/statements'
import type { Db } from '../../store/connection'
import { resolveCarryOver, waitingEntriesOf, waitingEntryOf, type CarryOverRow } from '../../store/carry-over'
import { upsertStatementDiffs, type DiffDraft } from '../../store/statement-diffs'
import { setLineMatches, type LineMatch } from '../../store/statement-lines'
import type { StoreCalls } from '../../store/sql/calls'
import { all, both, run, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import { classifyPay, classifyRefund, inScope, refundLineFailed, type Verdict } from './classify'
import { diffDraft, type DiffFacts } from './reasons'
import {
  facts,
  pageOn,
  PAGE,
  payOf,
  refundFacts,
  refundOf,
  type JoinedLine,
  type PayFacts,
  type RefundFacts,
} from './match-page'
import type { MatchScope } from './scope'

// Matching (docs/reconcile.md A6): the statement's lines a page at a time, each page one query whose
// joins find the local pay order (by order no, then gateway trade no) and refund (by refund no, then
// gateway refund no) and whether an earlier line had the same key; then each line's verdict (A7), the
// trade's reconciled mark (A6 rule 7) and the carry-over pool (A8 rule 1), written in the page's
// transaction (a few pages share one). Memory holds one page, whatever the number of lines. Written
// once over Exec (docs/team-mode.md B8.12): a page's line states and differences are gathered and
// written at its end, on a team database each kind one statement over arrays.

/**
 * Pages matched in one transaction. Each commit writes every page it changed to the log and the
 * checkpoint copies it back, and neighbouring pages of lines share their index pages: five pages a
 * commit wrote fewer pages to the log (measured), and hold the write lock about as long as one batch
 * of stored lines does.
 */
const PAGES_PER_COMMIT = 5

export interface MatchTally {
  done: number
  /** Statements whose carried trades this one matched: their results are worked out again. */
  touched: Set<number>
}

/** The only refund of a pay order with this amount: Alipay's refund without out_request_no (A6 rule 4). */
function* onlyRefundOfAmount(x: Exec, payOrderId: number, amount: number): Q<number | null> {
  const rows = yield* all<{ id: number }>(
    x,
    'SELECT id FROM refund_orders WHERE pay_order_id = ? AND amount = ? LIMIT 2',
    [payOrderId, amount],
  )
  return rows.length === 1 ? rows[0]!.id : null
}

/**
 * What a page's lines do to their trades, gathered while the page is matched and written at its end,
 * in its transaction: the lines' states and the differences, the reconciled marks in one statement
 * per kind of trade (A6 rule 7: the first statement to match a trade keeps it, so the order within a
 * page does not matter), and the pool's waiting entries of the page's trades read in one query per
 * kind (A8 rule 1).
 */
class PageWrites {
  private readonly marks: Record<TradeType, number[]> = { pay: [], refund: [] }
  readonly lines: LineMatch[] = []
  readonly diffs: DiffDraft[] = []

  private constructor(
    /** The waiting entries of the trades the page's query found, read once; one taken is gone. */
    private readonly waiting: Record<TradeType, Map<number, CarryOverRow>>,
  ) {}

  static *read(x: Exec, lines: JoinedLine[]): Q<PageWrites> {
    const pay: number[] = []
    const refund: number[] = []
    for (const l of lines) {
      if (l.pay_id !== null) pay.push(l.pay_id)
      if (l.refund_id !== null) refund.push(l.refund_id)
    }
    return new PageWrites({
      pay: yield* waitingEntriesOf(x, 'pay', pay),
      refund: yield* waitingEntriesOf(x, 'refund', refund),
    })
  }

  markReconciled(type: TradeType, id: number): void {
    this.marks[type].push(id)
  }

  /**
   * The entry waiting for this trade, once: the line that takes it resolves it at once. A trade the
   * page's query did not find (a refund found by its amount alone) is asked of the pool itself.
   */
  *takeWaiting(x: Exec, type: TradeType, id: number, readWithPage: boolean): Q<CarryOverRow | undefined> {
    const entry = readWithPage ? this.waiting[type].get(id) : yield* waitingEntryOf(x, type, id)
    this.waiting[type].delete(id)
    return entry
  }

  *flush(x: Exec, s: MatchScope): Q<void> {
    yield* setLineMatches(x, this.lines)
    yield* upsertStatementDiffs(x, s.statementId, s.merchantId, s.run, this.diffs, s.now)
    for (const type of ['pay', 'refund'] as const) {
      if (this.marks[type].length === 0) continue
      const table = type === 'pay' ? 'pay_orders' : 'refund_orders'
      if (x.dialect === 'pg')
        yield* run(
          x,
          `UPDATE ${table} SET reconciled_statement_id = ?, reconciled_at = ?
           WHERE id = ANY(?::bigint[]) AND reconciled_statement_id IS NULL`,
          [s.statementId, s.now, this.marks[type]],
        )
      else
        yield* run(
          x,
          `UPDATE ${table} SET reconciled_statement_id = ?, reconciled_at = ?
           WHERE id IN (SELECT value FROM json_each(?)) AND reconciled_statement_id IS NULL`,
          [s.statementId, s.now, JSON.stringify(this.marks[type])],
        )
    }
  }
}

/** Up to PAGES_PER_COMMIT pages from the line after `after`, in the caller's transaction. */
const matchPagesOn = both(function* (
  x: Exec,
  s: MatchScope,
  after: number,
  tally: MatchTally,
): Q<{ sizes: number[]; after: number; more: boolean }> {
  // Read inside the transaction: the trades' facts each page joins are those its verdicts compare.
  const sizes: number[] = []
  let more = true
  for (let i = 0; i < PAGES_PER_COMMIT && more; i++) {
    const lines = yield* pageOn(x, s, after)
    const writes = yield* PageWrites.read(x, lines)
    for (const l of lines) yield* matchOne(x, s, l, tally, writes)
    yield* writes.flush(x, s)
    if (lines.length > 0) {
      after = lines.at(-1)!.id
      sizes.push(lines.length)
    }
    more = lines.length === PAGE
  }
  return { sizes, after, more }
})

/** Matches every current line of the statement on the file; differences are recorded, nothing is acted on yet. */
export function matchLines(db: Db, s: MatchScope, onPage?: (done: number) => void): MatchTally {
  const x = sqliteExec(db)
  const tally: MatchTally = { done: 0, touched: new Set() }
  let after = 0
  let more = true
  while (more) {
    const step = db.transaction(() => matchPagesOn.sync(x, s, after, tally)).immediate()
    ;({ after, more } = step)
    for (const n of step.sizes) {
      tally.done += n
      onPage?.(tally.done)
    }
  }
  return tally
}

/** The same on either store: each few pages one transaction of the file or of the team database. */
export async function matchLinesOn(
  calls: StoreCalls,
  s: MatchScope,
  onPage?: (done: number) => void,
): Promise<MatchTally> {
  const tally: MatchTally = { done: 0, touched: new Set() }
  let after = 0
  let more = true
  while (more) {
    const step = await calls.inTransaction(matchPagesOn, s, after, tally)
    ;({ after, more } = step)
    for (const n of step.sizes) {
      tally.done += n
      onPage?.(tally.done)
    }
  }
  return tally
}

function* matchOne(x: Exec, s: MatchScope, l: JoinedLine, tally: MatchTally, writes: PageWrites): Q<void> {
  const set = (
    state: MatchState,
    payOrderId: number | null = null,
    refundId: number | null = null,
    note: string | null = null,
  ) => void writes.lines.push({ id: l.id, state, payOrderId, refundId, note })
  if (l.kind === 'other') return set('info')
  if (s.subMerchant !== null && l.sub_merchant !== s.subMerchant)
    return set('foreign', null, null, 'sub_merchant')
  if (s.account !== null && l.account !== '' && l.account !== s.account)
    return set('foreign', null, null, 'account')
  if (!inScope(l.order_no || l.refund_no, s.prefixes)) return set('foreign', null, null, 'scope')
  if (l.dup) return set('duplicate')

  const pay = payOf(l)
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
      return discrepancy(l, writes, null, null, {
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
      return discrepancy(l, writes, pay.id, null, {
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
    return yield* settleFound(x, s, l, tally, writes, 'pay', pay, verdict, base)
  }

  // A refund line.
  let refund = refundOf(l)
  if (l.refund_id === null && pay && (l.refund_no === '' || l.refund_no === l.order_no)) {
    const only = yield* onlyRefundOfAmount(x, pay.id, l.amount)
    if (only !== null) refund = yield* refundFacts(x, only)
  }
  if (!refund) {
    if (refundLineFailed(l.gateway_status)) return set('info', pay?.id ?? null, null, 'refund_failed')
    return discrepancy(l, writes, pay?.id ?? null, null, {
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
  return yield* settleFound(x, s, l, tally, writes, 'refund', refund, verdict, {
    ...base,
    orderNo: l.order_no || (pay?.order_no ?? null),
  })
}

function* settleFound(
  x: Exec,
  s: MatchScope,
  l: JoinedLine,
  tally: MatchTally,
  writes: PageWrites,
  type: TradeType,
  trade: PayFacts | RefundFacts,
  verdict: Verdict,
  base: Pick<DiffFacts, 'lineId' | 'orderNo' | 'statementAmount' | 'statementStatus' | 'statementTime'>,
): Q<void> {
  const payOrderId = type === 'pay' ? trade.id : (trade as RefundFacts).pay_order_id
  const refundId = type === 'refund' ? trade.id : null
  const localTime = type === 'pay' ? (trade as PayFacts).paid_at : (trade as RefundFacts).finished_at
  // The line found its trade: whatever its own time, the trade is this statement's now (A6 rule 7),
  // and a pool entry waiting for it is matched (A8 rule 1).
  writes.markReconciled(type, trade.id)
  const pooled = yield* writes.takeWaiting(
    x,
    type,
    trade.id,
    (type === 'pay' ? l.pay_id : l.refund_id) === trade.id,
  )
  if (pooled) {
    yield* resolveCarryOver(x, pooled.id, 'matched', s.statementId, s.now)
    tally.touched.add(pooled.from_statement_id)
  }
  if (verdict.state === 'matched') {
    const outside = localTime !== null && (localTime < s.window.start || localTime >= s.window.end)
    writes.lines.push({
      id: l.id,
      state: pooled || outside ? 'matched_cross_day' : 'matched',
      payOrderId,
      refundId,
      note: verdict.note,
    })
    return
  }
  discrepancy(l, writes, payOrderId, refundId, {
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
  l: JoinedLine,
  writes: PageWrites,
  payOrderId: number | null,
  refundId: number | null,
  facts: DiffFacts,
): void {
  writes.lines.push({ id: l.id, state: 'discrepancy', payOrderId, refundId, note: facts.kind })
  writes.diffs.push(diffDraft(facts))
}
