import type { MatchState, StatementLineKind, StatementLineView } from '../../shared/statements'
import { isoOrNull } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { Where } from './where'
import { all, both, one, run as runSql, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// A statement's lines (通道明细, docs/reconcile.md A3), exactly as the file gave them, under the load
// (`run`) that stored them: a different file for the same day adds a new run and the old lines stay.

export interface StatementLineRow {
  id: number
  statement_id: number
  run: number
  line_no: number
  kind: StatementLineKind
  order_no: string
  gateway_trade_no: string
  refund_no: string
  gateway_refund_no: string
  amount: number
  settle_amount: number
  fee_e5: number
  gateway_status: string
  line_time: number | null
  sub_merchant: string
  account: string
  raw: string
  match_key: string
  match_state: MatchState | null
  pay_order_id: number | null
  refund_id: number | null
  note: string | null
  local_no?: string | null
}

/** A line as a statement parser reads it (files/statement/types.ts StatementLine has this shape). */
export interface NewStatementLine {
  lineNo: number
  kind: StatementLineKind
  orderNo: string
  gatewayTradeNo: string
  refundNo: string
  gatewayRefundNo: string
  amount: number
  settleAmount: number
  feeE5: number
  gatewayStatus: string
  lineTime: number | null
  subMerchant: string
  account: string
  raw: string
}

/** Two lines of one kind with this key are one trade (A6 rule 2). */
export function matchKey(l: NewStatementLine): string {
  if (l.kind === 'refund') {
    if (l.refundNo) return `r:${l.refundNo}`
    if (l.gatewayRefundNo) return `g:${l.gatewayRefundNo}`
    return `l:${l.lineNo}`
  }
  if (l.orderNo) return `o:${l.orderNo}`
  if (l.gatewayTradeNo) return `g:${l.gatewayTradeNo}`
  return `l:${l.lineNo}`
}

const LINE_INSERT = `INSERT INTO statement_lines (statement_id, run, line_no, kind, order_no, gateway_trade_no,
       refund_no, gateway_refund_no, amount, settle_amount, fee_e5, gateway_status, line_time, sub_merchant, account,
       raw, match_key)`
const LINE_VALUES = `${LINE_INSERT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/**
 * Stores one batch of parsed lines (the reader hands out 5 000 at a time, A4); the caller holds the
 * transaction. On the file each line is its prepared statement, which costs no round trip; on a team
 * database the batch is one statement over arrays (`unnest`), never one round trip per line
 * (docs/team-mode.md B8.12).
 */
export const insertStatementLinesOn = both(function* (
  x: Exec,
  statementId: number,
  run: number,
  lines: NewStatementLine[],
): Q<void> {
  if (x.dialect === 'pg') {
    if (lines.length === 0) return
    yield* runSql(
      x,
      `${LINE_INSERT}
       SELECT ?::bigint, ?::bigint, t.* FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
         ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[],
         ?::text[], ?::text[]) AS t`,
      [
        statementId,
        run,
        lines.map((l) => l.lineNo),
        lines.map((l) => l.kind),
        lines.map((l) => l.orderNo),
        lines.map((l) => l.gatewayTradeNo),
        lines.map((l) => l.refundNo),
        lines.map((l) => l.gatewayRefundNo),
        lines.map((l) => l.amount),
        lines.map((l) => l.settleAmount),
        lines.map((l) => l.feeE5),
        lines.map((l) => l.gatewayStatus),
        lines.map((l) => l.lineTime),
        lines.map((l) => l.subMerchant),
        lines.map((l) => l.account),
        lines.map((l) => l.raw),
        lines.map(matchKey),
      ],
    )
    return
  }
  for (const l of lines)
    yield* runSql(x, LINE_VALUES, [
      statementId,
      run,
      l.lineNo,
      l.kind,
      l.orderNo,
      l.gatewayTradeNo,
      l.refundNo,
      l.gatewayRefundNo,
      l.amount,
      l.settleAmount,
      l.feeE5,
      l.gatewayStatus,
      l.lineTime,
      l.subMerchant,
      l.account,
      l.raw,
      matchKey(l),
    ])
})

/** Forgets a load that did not prove itself (an integrity failure): its lines are no evidence. */
export const deleteStatementRunOn = both(function* (x: Exec, statementId: number, run: number): Q<void> {
  yield* runSql(x, 'DELETE FROM statement_lines WHERE statement_id = ? AND run = ?', [statementId, run])
})

export function statementLineView(row: StatementLineRow): StatementLineView {
  return {
    id: row.id,
    lineNo: row.line_no,
    kind: row.kind,
    orderNo: row.order_no,
    gatewayTradeNo: row.gateway_trade_no,
    refundNo: row.refund_no,
    gatewayRefundNo: row.gateway_refund_no,
    amount: row.amount,
    settleAmount: row.settle_amount,
    feeE5: row.fee_e5,
    gatewayStatus: row.gateway_status,
    lineTime: isoOrNull(row.line_time),
    subMerchant: row.sub_merchant,
    matchState: row.match_state,
    payOrderId: row.pay_order_id,
    refundId: row.refund_id,
    localNo: row.local_no ?? null,
    note: row.note,
    raw: row.raw,
  }
}

export function* statementLineById(x: Exec, id: number): Q<StatementLineRow | undefined> {
  return yield* one<StatementLineRow>(x, 'SELECT * FROM statement_lines WHERE id = ?', [id])
}

export interface LineFilter {
  state?: MatchState
  kind?: StatementLineKind
  withFee?: boolean
  limit: number
  offset: number
}

/** A page of the current lines of a statement, in file order, with the local number each matched. */
export function* statementLinePage(
  x: Exec,
  statementId: number,
  run: number,
  f: LineFilter,
): Q<{ total: number; rows: StatementLineRow[] }> {
  const w = new Where().add('l.statement_id = ?', statementId).add('l.run = ?', run)
  w.when(f.state, 'l.match_state = ?', f.state)
  w.when(f.kind, 'l.kind = ?', f.kind)
  if (f.withFee) w.add('l.fee_e5 <> 0')
  const { n: total } = (yield* one<{ n: number }>(
    x,
    `SELECT count(*) AS n FROM statement_lines l ${w}`,
    w.params,
  ))!
  const rows = yield* all<StatementLineRow>(
    x,
    `SELECT l.*, COALESCE(r.refund_no, p.order_no) AS local_no FROM statement_lines l
       LEFT JOIN pay_orders p ON p.id = l.pay_order_id
       LEFT JOIN refund_orders r ON r.id = l.refund_id
       ${w} ORDER BY l.line_no, l.id LIMIT ? OFFSET ?`,
    [...w.params, f.limit, f.offset],
  )
  return { total, rows }
}

const statementLinePageBoth = both(statementLinePage)

export const listStatementLines = (db: Db, statementId: number, run: number, f: LineFilter) =>
  statementLinePageBoth.sync(sqliteExec(db), statementId, run, f)

export interface LineMatch {
  id: number
  state: MatchState
  payOrderId: number | null
  refundId: number | null
  note: string | null
}

/**
 * What matching made of lines: on the file each line's own statement as it is matched; on a team
 * database a page's lines in one statement over arrays (docs/team-mode.md B8.12).
 */
export function* setLineMatches(x: Exec, ms: LineMatch[]): Q<void> {
  if (x.dialect === 'sqlite') {
    for (const m of ms)
      yield* runSql(
        x,
        'UPDATE statement_lines SET match_state = ?, pay_order_id = ?, refund_id = ?, note = ? WHERE id = ?',
        [m.state, m.payOrderId, m.refundId, m.note, m.id],
      )
    return
  }
  if (ms.length === 0) return
  yield* runSql(
    x,
    `UPDATE statement_lines l SET match_state = t.s, pay_order_id = t.p, refund_id = t.r, note = t.n
     FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::text[]) AS t(id, s, p, r, n)
     WHERE l.id = t.id`,
    [
      ms.map((m) => m.id),
      ms.map((m) => m.state),
      ms.map((m) => m.payOrderId),
      ms.map((m) => m.refundId),
      ms.map((m) => m.note),
    ],
  )
}

/** Counts of the current lines per match state. */
export function* lineStateCounts(
  x: Exec,
  statementId: number,
  run: number,
): Q<Partial<Record<MatchState, number>>> {
  const rows = yield* all<{ match_state: MatchState | null; n: number }>(
    x,
    `SELECT match_state, count(*) AS n FROM statement_lines WHERE statement_id = ? AND run = ? GROUP BY match_state`,
    [statementId, run],
  )
  const out: Partial<Record<MatchState, number>> = {}
  for (const r of rows) if (r.match_state) out[r.match_state] = r.n
  return out
}

/** A line the channel side counts (A10): neither another merchant's nor a repeated one. */
const inScope = (x: Pick<Exec, 'dialect'>) =>
  x.dialect === 'pg'
    ? "match_state IS DISTINCT FROM 'foreign' AND match_state IS DISTINCT FROM 'duplicate'"
    : "match_state IS NOT 'foreign' AND match_state IS NOT 'duplicate'"

/** Per kind: every line, and the count, Σ amount and Σ fee of the lines in scope (the channel side of A10). */
export interface KindTotals {
  kind: StatementLineKind
  all: number
  n: number
  amount: number
  fee: number
}

/**
 * The run's lines per kind in one pass, through the kind index so that no sort is needed: the count
 * of every line and the totals of those in scope (neither another merchant's nor a repeated one). It
 * replaced two passes; each pass over a large run reads its lines' pages again (docs/reconcile.md A11).
 * Grouping by kind and state at once sorted every line, and held tens of MB at a million lines.
 */
export function* kindTotals(x: Exec, statementId: number, run: number): Q<KindTotals[]> {
  const IN_SCOPE = inScope(x)
  return yield* all<KindTotals>(
    x,
    `SELECT kind, count(*) AS "all", count(*) FILTER (WHERE ${IN_SCOPE}) AS n,
       COALESCE(sum(amount) FILTER (WHERE ${IN_SCOPE}), 0) AS amount,
       COALESCE(sum(fee_e5) FILTER (WHERE ${IN_SCOPE}), 0) AS fee
     FROM statement_lines WHERE statement_id = ? AND run = ? GROUP BY kind`,
    [statementId, run],
  )
}

/**
 * The local trades the run's lines of a kind found (each once, however many lines found it) and Σ
 * their amounts: the local side of A10 for the trades the bill names, read in one pass of those lines.
 */
export function* foundTradeTotals(
  x: Exec,
  statementId: number,
  run: number,
  type: 'pay' | 'refund',
): Q<{ n: number; amount: number }> {
  const [column, table] = type === 'pay' ? ['pay_order_id', 'pay_orders'] : ['refund_id', 'refund_orders']
  return (yield* one<{ n: number; amount: number }>(
    x,
    `SELECT count(*) AS n, COALESCE(sum(t.amount), 0) AS amount
     FROM (SELECT DISTINCT l.${column} AS id FROM statement_lines l
       WHERE l.statement_id = ? AND l.run = ? AND l.kind = ? AND l.${column} IS NOT NULL) f
     LEFT JOIN ${table} t ON t.id = f.id`,
    [statementId, run, type],
  ))!
}

/** The rows of the 通道明细 export (A16): the current lines of a statement in file order. */
export function statementLinesExportQuery(
  statementId: number,
  run: number,
  columns: readonly string[],
): RowQuery {
  return {
    sql: `SELECT ${columns.join(', ')} FROM statement_lines l
       LEFT JOIN pay_orders p ON p.id = l.pay_order_id LEFT JOIN refund_orders r ON r.id = l.refund_id
       WHERE l.statement_id = ? AND l.run = ? ORDER BY l.line_no, l.id`,
    params: [statementId, run],
  }
}
