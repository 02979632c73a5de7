import type { TradeType } from '../../shared/domain'
import type { CarryOverView, CarryReason, CarryStatus } from '../../shared/statements'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import { all, both, joinInOrder, one, run, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// The carry-over pool (跨日待核, docs/reconcile.md A8): a local trade expected in another day's bill,
// waiting for it; matched when that bill has its line, expired into a difference when it does not.

export interface CarryOverRow {
  id: number
  merchant_id: number
  trade_type: TradeType
  trade_id: number
  from_statement_id: number
  expected_dates: string
  reason: CarryReason
  status: CarryStatus
  created_at: number
  resolved_at: number | null
  resolved_statement_id: number | null
  from_date?: string
  merchant_name?: string
  trade_no?: string
  amount?: number
  local_time?: number | null
}

export function carryOverView(row: CarryOverRow): CarryOverView {
  return {
    id: row.id,
    merchant: row.merchant_name ?? '',
    tradeType: row.trade_type,
    tradeId: row.trade_id,
    tradeNo: row.trade_no ?? '',
    amount: row.amount ?? 0,
    localTime: isoOrNull(row.local_time),
    fromStatementId: row.from_statement_id,
    fromDate: row.from_date ?? '',
    expectedDates: JSON.parse(row.expected_dates) as string[],
    reason: row.reason,
    status: row.status,
    createdAt: toIsoBeijing(row.created_at),
    resolvedAt: isoOrNull(row.resolved_at),
    resolvedStatementId: row.resolved_statement_id,
  }
}

const select = (x: Pick<Exec, 'dialect'>) => `SELECT c.*, s.bill_date AS from_date, m.name AS merchant_name,
    COALESCE(r.refund_no, p.order_no) AS trade_no, COALESCE(r.amount, p.amount) AS amount,
    CASE WHEN c.trade_type = 'refund' THEN r.finished_at ELSE p.paid_at END AS local_time
  FROM carry_over c
  ${joinInOrder(x)} statements s ON s.id = c.from_statement_id
  ${joinInOrder(x)} merchants m ON m.id = c.merchant_id
  LEFT JOIN pay_orders p ON c.trade_type = 'pay' AND p.id = c.trade_id
  LEFT JOIN refund_orders r ON c.trade_type = 'refund' AND r.id = c.trade_id`

interface NewCarryOver {
  merchantId: number
  tradeType: TradeType
  tradeId: number
  fromStatementId: number
  expectedDates: string[]
  reason: CarryReason
}

/** Puts a trade in the pool; one already waiting keeps its entry (the unique index allows one). */
export const addCarryOverOn = both(function* (x: Exec, e: NewCarryOver, now: number): Q<void> {
  yield* run(
    x,
    `INSERT INTO carry_over (merchant_id, trade_type, trade_id, from_statement_id, expected_dates, reason, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trade_type, trade_id) WHERE status = 'waiting' DO NOTHING`,
    [e.merchantId, e.tradeType, e.tradeId, e.fromStatementId, JSON.stringify(e.expectedDates), e.reason, now],
  )
})

export function* waitingEntryOf(x: Exec, type: TradeType, tradeId: number): Q<CarryOverRow | undefined> {
  return yield* one<CarryOverRow>(
    x,
    "SELECT * FROM carry_over WHERE trade_type = ? AND trade_id = ? AND status = 'waiting'",
    [type, tradeId],
  )
}

/** The waiting entries of these trades of one type, by trade id: one query for a page of lines. */
export function* waitingEntriesOf(
  x: Exec,
  type: TradeType,
  tradeIds: number[],
): Q<Map<number, CarryOverRow>> {
  const rows =
    x.dialect === 'pg'
      ? yield* all<CarryOverRow>(
          x,
          `SELECT * FROM carry_over WHERE trade_type = ? AND status = 'waiting' AND trade_id = ANY(?::bigint[])`,
          [type, tradeIds],
        )
      : yield* all<CarryOverRow>(
          x,
          `SELECT * FROM carry_over WHERE trade_type = ? AND status = 'waiting'
       AND trade_id IN (SELECT value FROM json_each(?))`,
          [type, JSON.stringify(tradeIds)],
        )
  return new Map(rows.map((r) => [r.trade_id, r]))
}

export function* resolveCarryOver(
  x: Exec,
  id: number,
  status: Exclude<CarryStatus, 'waiting'>,
  statementId: number | null,
  now: number,
): Q<void> {
  yield* run(
    x,
    `UPDATE carry_over SET status = ?, resolved_at = ?, resolved_statement_id = ? WHERE id = ? AND status = 'waiting'`,
    [status, now, statementId, id],
  )
}

/** A statement's own entries that it put in the pool in an earlier run: a re-run works them out again. */
export function* dropWaitingFrom(x: Exec, statementId: number): Q<void> {
  yield* run(x, "DELETE FROM carry_over WHERE from_statement_id = ? AND status = 'waiting'", [statementId])
}

/** Entries a re-run's statement had matched: waiting again until the re-run matches them once more. */
export function* reopenMatchedBy(x: Exec, statementId: number): Q<void> {
  yield* run(
    x,
    `UPDATE carry_over SET status = 'waiting', resolved_at = NULL, resolved_statement_id = NULL
     WHERE resolved_statement_id = ? AND status = 'matched'
       AND NOT EXISTS (SELECT 1 FROM carry_over w WHERE w.trade_type = carry_over.trade_type
         AND w.trade_id = carry_over.trade_id AND w.status = 'waiting')`,
    [statementId],
  )
}

export const waitingOfMerchantOn = both(function* (x: Exec, merchantId: number): Q<CarryOverRow[]> {
  return yield* all<CarryOverRow>(
    x,
    `${select(x)} WHERE c.merchant_id = ? AND c.status = 'waiting' ORDER BY c.id`,
    [merchantId],
  )
})

export const waitingOfMerchant = (db: Db, merchantId: number): CarryOverRow[] =>
  waitingOfMerchantOn.sync(sqliteExec(db), merchantId)

export function* waitingFromCount(x: Exec, statementId: number): Q<number> {
  return (yield* one<{ n: number }>(
    x,
    "SELECT count(*) AS n FROM carry_over WHERE from_statement_id = ? AND status = 'waiting'",
    [statementId],
  ))!.n
}

/** The entries a statement sent on, and those another statement resolved into it. */
export function* carryOverOfStatement(
  x: Exec,
  statementId: number,
): Q<{ from: CarryOverRow[]; into: CarryOverRow[] }> {
  return {
    from: yield* all<CarryOverRow>(x, `${select(x)} WHERE c.from_statement_id = ? ORDER BY c.id`, [
      statementId,
    ]),
    into: yield* all<CarryOverRow>(x, `${select(x)} WHERE c.resolved_statement_id = ? ORDER BY c.id`, [
      statementId,
    ]),
  }
}

const carryOverBoth = both(carryOverOfStatement)

export const carryOverOf = (db: Db, statementId: number) => carryOverBoth.sync(sqliteExec(db), statementId)
