import type { Db } from '../../store/connection'
import { stmt } from '../../store/connection'
import { all, one, type Exec, type Q } from '../../store/sql/exec'
import { sqliteDbOf } from '../../store/sql/sqlite-exec'
import type { PayOrderRow } from '../../store/orders'
import type { RefundOrderRow } from '../../store/refunds'
import type { StatementLineRow } from '../../store/statement-lines'
import type { LineFacts } from './classify'
import type { MatchScope } from './scope'

// The page of lines matching reads (docs/reconcile.md A6): one query per page joins each line to the
// local trade its numbers name and to any earlier line with its key, and hands back the facts the
// verdicts compare (match.ts).

// A page of 1 000 lines: with 5 000, each page's rows lived through its whole matching and V8 kept
// about 60 MB more heap at the peak of a 100,000-line bill, for no gain in speed (measured both ways).
export const PAGE = 1000

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

/** What matching compares of a local pay order and a refund (A6 rule 5), and nothing more per line. */
export type PayFacts = Pick<
  PayOrderRow,
  'id' | 'order_no' | 'gateway_trade_no' | 'amount' | 'status' | 'paid_at'
>
export type RefundFacts = Pick<
  RefundOrderRow,
  'id' | 'pay_order_id' | 'refund_no' | 'amount' | 'status' | 'finished_at'
>

export interface JoinedLine extends Pick<StatementLineRow, (typeof LINE_COLUMNS)[number]> {
  by_order: number | null
  /** The local pay order: by order no, else by gateway trade no (A6 rule 1). */
  pay_id: number | null
  /** The local refund: by refund no, else by gateway refund no. */
  refund_id: number | null
  dup: number
  p_order_no: string | null
  p_gateway_trade_no: string | null
  p_amount: number | null
  p_status: PayOrderRow['status'] | null
  p_paid_at: number | null
  r_pay_order_id: number | null
  r_refund_no: string | null
  r_amount: number | null
  r_status: RefundOrderRow['status'] | null
  r_finished_at: number | null
}

/** The page query's columns in the order its row arrays hold them (read raw, see `page`). */
type PageRow = [
  id: number,
  kind: JoinedLine['kind'],
  order_no: string,
  gateway_trade_no: string,
  refund_no: string,
  gateway_refund_no: string,
  amount: number,
  gateway_status: string,
  line_time: number | null,
  sub_merchant: string,
  account: string,
  match_key: string,
  pay_id: number | null,
  by_order: number | null,
  refund_id: number | null,
  dup: number,
  p_order_no: string | null,
  p_gateway_trade_no: string | null,
  p_amount: number | null,
  p_status: PayOrderRow['status'] | null,
  p_paid_at: number | null,
  r_pay_order_id: number | null,
  r_refund_no: string | null,
  r_amount: number | null,
  r_status: RefundOrderRow['status'] | null,
  r_finished_at: number | null,
]

/**
 * A page of lines with their trades' facts, in one statement that walks the run's lines in id order
 * through idx_statement_lines_run. COALESCE stops at its first value, so the lookup by gateway number
 * runs only for a line its own number did not find (A6 rule 1); a trade found by order number is one
 * whose order number is the line's (the lookup by gateway number never finds another trade with it).
 *
 * Read as arrays: better-sqlite3 builds a row object property by property, and for these 26 columns
 * that was half of the query's time (6 of 12 µs a line, measured); a literal of known shape costs
 * next to nothing.
 */
export function page(db: Db, s: MatchScope, after: number): JoinedLine[] {
  const query = stmt<{ m: number; s: number; r: number; after: number; n: number }, PageRow>(
    db,
    `SELECT ${LINE_COLUMNS.map((c) => `l.${c}`).join(', ')},
       p.id AS pay_id, CASE WHEN p.order_no = l.order_no THEN p.id END AS by_order, r.id AS refund_id,
       EXISTS (SELECT 1 FROM statement_lines f WHERE f.statement_id = l.statement_id AND f.run = l.run
         AND f.kind = l.kind AND f.match_key = l.match_key AND f.id < l.id) AS dup,
       p.order_no AS p_order_no, p.gateway_trade_no AS p_gateway_trade_no, p.amount AS p_amount,
       p.status AS p_status, p.paid_at AS p_paid_at, r.pay_order_id AS r_pay_order_id, r.refund_no AS r_refund_no,
       r.amount AS r_amount, r.status AS r_status, r.finished_at AS r_finished_at
     FROM statement_lines l
     LEFT JOIN pay_orders p ON p.id = COALESCE(
       (SELECT o.id FROM pay_orders o WHERE o.merchant_id = @m AND o.order_no = l.order_no),
       CASE WHEN l.gateway_trade_no <> '' THEN (SELECT o.id FROM pay_orders o
         WHERE o.gateway_trade_no = l.gateway_trade_no AND o.merchant_id = @m LIMIT 1) END)
     LEFT JOIN refund_orders r ON l.kind = 'refund' AND r.id = COALESCE(
       CASE WHEN l.refund_no <> '' THEN (SELECT o.id FROM refund_orders o
         WHERE o.merchant_id = @m AND o.refund_no = l.refund_no) END,
       CASE WHEN l.gateway_refund_no <> '' THEN (SELECT o.id FROM refund_orders o
         WHERE o.gateway_refund_no = l.gateway_refund_no AND o.merchant_id = @m LIMIT 1) END)
     WHERE l.statement_id = @s AND l.run = @r AND l.id > @after ORDER BY l.id LIMIT @n`,
  )
  // The statement is this query's alone (stmt caches it by its text), so its raw mode stays set.
  query.raw(true)
  return query
    .all({ m: s.merchantId, s: s.statementId, r: s.run, after, n: PAGE })
    .map(
      ([
        id,
        kind,
        order_no,
        gateway_trade_no,
        refund_no,
        gateway_refund_no,
        amount,
        gateway_status,
        line_time,
        sub_merchant,
        account,
        match_key,
        pay_id,
        by_order,
        refund_id,
        dup,
        p_order_no,
        p_gateway_trade_no,
        p_amount,
        p_status,
        p_paid_at,
        r_pay_order_id,
        r_refund_no,
        r_amount,
        r_status,
        r_finished_at,
      ]) => ({
        id,
        kind,
        order_no,
        gateway_trade_no,
        refund_no,
        gateway_refund_no,
        amount,
        gateway_status,
        line_time,
        sub_merchant,
        account,
        match_key,
        pay_id,
        by_order,
        refund_id,
        dup,
        p_order_no,
        p_gateway_trade_no,
        p_amount,
        p_status,
        p_paid_at,
        r_pay_order_id,
        r_refund_no,
        r_amount,
        r_status,
        r_finished_at,
      }),
    )
}

/**
 * The same page on a team database: the same joins, its parameters numbered, EXISTS a boolean there.
 * The page's lines are taken first and only they are joined: PostgreSQL joined every line of the run
 * and sorted them for each page, and checked an earlier line of the same key through the run's index,
 * reading the whole run for each line (a 10,000-line bill took 48 s, measured). The earlier line is
 * the key's first line, found at the head of idx_statement_lines_key.
 */
const PG_PAGE = `SELECT ${LINE_COLUMNS.map((c) => `l.${c}`).join(', ')},
       p.id AS pay_id, CASE WHEN p.order_no = l.order_no THEN p.id END AS by_order, r.id AS refund_id,
       (SELECT f.id FROM statement_lines f WHERE f.statement_id = l.statement_id AND f.run = l.run
         AND f.kind = l.kind AND f.match_key = l.match_key ORDER BY f.id LIMIT 1) < l.id AS dup,
       p.order_no AS p_order_no, p.gateway_trade_no AS p_gateway_trade_no, p.amount AS p_amount,
       p.status AS p_status, p.paid_at AS p_paid_at, r.pay_order_id AS r_pay_order_id, r.refund_no AS r_refund_no,
       r.amount AS r_amount, r.status AS r_status, r.finished_at AS r_finished_at
     FROM (SELECT * FROM statement_lines WHERE statement_id = ? AND run = ? AND id > ? ORDER BY id LIMIT ?) l
     LEFT JOIN pay_orders p ON p.id = COALESCE(
       (SELECT o.id FROM pay_orders o WHERE o.merchant_id = ? AND o.order_no = l.order_no),
       CASE WHEN l.gateway_trade_no <> '' THEN (SELECT o.id FROM pay_orders o
         WHERE o.gateway_trade_no = l.gateway_trade_no AND o.merchant_id = ? LIMIT 1) END)
     LEFT JOIN refund_orders r ON l.kind = 'refund' AND r.id = COALESCE(
       CASE WHEN l.refund_no <> '' THEN (SELECT o.id FROM refund_orders o
         WHERE o.merchant_id = ? AND o.refund_no = l.refund_no) END,
       CASE WHEN l.gateway_refund_no <> '' THEN (SELECT o.id FROM refund_orders o
         WHERE o.gateway_refund_no = l.gateway_refund_no AND o.merchant_id = ? LIMIT 1) END)
     ORDER BY l.id`

/** A page of lines with their trades' facts, on either store. */
export function* pageOn(x: Exec, s: MatchScope, after: number): Q<JoinedLine[]> {
  if (x.dialect === 'sqlite') return page(sqliteDbOf(x), s, after)
  const m = s.merchantId
  const rows = yield* all<Omit<JoinedLine, 'dup'> & { dup: boolean }>(x, PG_PAGE, [
    s.statementId,
    s.run,
    after,
    PAGE,
    m,
    m,
    m,
    m,
  ])
  return rows.map((r) => ({ ...r, dup: r.dup ? 1 : 0 }))
}

export function payOf(l: JoinedLine): PayFacts | undefined {
  if (l.pay_id === null || l.p_amount === null) return undefined
  return {
    id: l.pay_id,
    order_no: l.p_order_no!,
    gateway_trade_no: l.p_gateway_trade_no,
    amount: l.p_amount,
    status: l.p_status!,
    paid_at: l.p_paid_at,
  }
}

export function refundOf(l: JoinedLine): RefundFacts | undefined {
  if (l.refund_id === null || l.r_amount === null) return undefined
  return {
    id: l.refund_id,
    pay_order_id: l.r_pay_order_id!,
    refund_no: l.r_refund_no!,
    amount: l.r_amount,
    status: l.r_status!,
    finished_at: l.r_finished_at,
  }
}

export function* refundFacts(x: Exec, id: number): Q<RefundFacts | undefined> {
  return yield* one<RefundFacts>(
    x,
    'SELECT id, pay_order_id, refund_no, amount, status, finished_at FROM refund_orders WHERE id = ?',
    [id],
  )
}

export function facts(l: JoinedLine): LineFacts {
  return { kind: l.kind, amount: l.amount, gatewayStatus: l.gateway_status }
}
