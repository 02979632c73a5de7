import type { TradeType } from '../../shared/domain'
import type { CarryOverView, CarryReason, CarryStatus } from '../../shared/statements'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import { stmt } from './connection'
import { all, both, joinInOrder, SQLITE, type Exec, type Q } from './sql/exec'
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
const SELECT = select(SQLITE)

/** Puts a trade in the pool; one already waiting keeps its entry (the unique index allows one). */
export function addCarryOver(
  db: Db,
  e: {
    merchantId: number
    tradeType: TradeType
    tradeId: number
    fromStatementId: number
    expectedDates: string[]
    reason: CarryReason
  },
  now: number,
): void {
  stmt(
    db,
    `INSERT INTO carry_over (merchant_id, trade_type, trade_id, from_statement_id, expected_dates, reason, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trade_type, trade_id) WHERE status = 'waiting' DO NOTHING`,
  ).run(
    e.merchantId,
    e.tradeType,
    e.tradeId,
    e.fromStatementId,
    JSON.stringify(e.expectedDates),
    e.reason,
    now,
  )
}

export function waitingEntryOf(db: Db, type: TradeType, tradeId: number): CarryOverRow | undefined {
  return stmt<[TradeType, number], CarryOverRow>(
    db,
    "SELECT * FROM carry_over WHERE trade_type = ? AND trade_id = ? AND status = 'waiting'",
  ).get(type, tradeId)
}

/** The waiting entries of these trades of one type, by trade id: one query for a page of lines. */
export function waitingEntriesOf(db: Db, type: TradeType, tradeIds: number[]): Map<number, CarryOverRow> {
  const rows = stmt<[TradeType, string], CarryOverRow>(
    db,
    `SELECT * FROM carry_over WHERE trade_type = ? AND status = 'waiting'
       AND trade_id IN (SELECT value FROM json_each(?))`,
  ).all(type, JSON.stringify(tradeIds))
  return new Map(rows.map((r) => [r.trade_id, r]))
}

export function resolveCarryOver(
  db: Db,
  id: number,
  status: Exclude<CarryStatus, 'waiting'>,
  statementId: number | null,
  now: number,
): void {
  stmt(
    db,
    `UPDATE carry_over SET status = ?, resolved_at = ?, resolved_statement_id = ? WHERE id = ? AND status = 'waiting'`,
  ).run(status, now, statementId, id)
}

/** A statement's own entries that it put in the pool in an earlier run: a re-run works them out again. */
export function dropWaitingFrom(db: Db, statementId: number): void {
  stmt(db, "DELETE FROM carry_over WHERE from_statement_id = ? AND status = 'waiting'").run(statementId)
}

/** Entries a re-run's statement had matched: waiting again until the re-run matches them once more. */
export function reopenMatchedBy(db: Db, statementId: number): void {
  stmt(
    db,
    `UPDATE carry_over SET status = 'waiting', resolved_at = NULL, resolved_statement_id = NULL
     WHERE resolved_statement_id = ? AND status = 'matched'
       AND NOT EXISTS (SELECT 1 FROM carry_over w WHERE w.trade_type = carry_over.trade_type
         AND w.trade_id = carry_over.trade_id AND w.status = 'waiting')`,
  ).run(statementId)
}

export function waitingOfMerchant(db: Db, merchantId: number): CarryOverRow[] {
  return stmt<[number], CarryOverRow>(
    db,
    `${SELECT} WHERE c.merchant_id = ? AND c.status = 'waiting' ORDER BY c.id`,
  ).all(merchantId)
}

export function waitingFromCount(db: Db, statementId: number): number {
  return stmt<[number], { n: number }>(
    db,
    "SELECT count(*) AS n FROM carry_over WHERE from_statement_id = ? AND status = 'waiting'",
  ).get(statementId)!.n
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
