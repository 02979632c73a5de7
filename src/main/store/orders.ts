import type {
  BatchStatus,
  Channel,
  GatewayStatus,
  ListTotals,
  Outcome,
  ListPage,
  PayKind,
  PayOrderView,
  PayRefundStatus,
  PayStatus,
} from '../../shared/domain'
import type { ListSort, OrderFilter, OrderListRequest } from '../../shared/filters'
import { isoOrNull, parseBeijing, parseBeijingEnd, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { amountOrderIndex, KEPT, keptTotals, type MsRange } from './list-totals'
import { findMerchantByName } from './merchants'
import { scheduleHold } from './schedule-holds'
import { matchCondition, matchTrades, type TradeMatch } from './trade-search'
import { Where } from './where'

export interface PayOrderRow {
  id: number
  order_no: string
  biz_order_no: string
  gateway_trade_no: string | null
  merchant_id: number
  channel: Channel
  kind: PayKind
  title: string
  amount: number
  status: PayStatus
  refund_status: PayRefundStatus
  refundable_amount: number
  created_at: number
  expired_at: number | null
  paid_at: number | null
  closed_at: number | null
  version: number
  updated_at: number
  last_sync_at: number | null
  last_sync_outcome: Outcome | null
  last_gateway_status: GatewayStatus | null
  sync_error_count: number
  next_sync_at: number | null
  import_id: number | null
  /** The batch whose pause or cancel keeps this order out of the schedules (docs/domain.md 6.7). */
  held_by_batch: number | null
  merchant_name?: string
  held_batch_status?: BatchStatus | null
  reconciled_statement_id: number | null
  reconciled_at: number | null
  reconciled_bill_date?: string | null
  carried?: number
}

export function payOrderView(row: PayOrderRow): PayOrderView {
  return {
    id: row.id,
    orderNo: row.order_no,
    bizOrderNo: row.biz_order_no,
    gatewayTradeNo: row.gateway_trade_no,
    merchantId: row.merchant_id,
    merchant: row.merchant_name ?? '',
    channel: row.channel,
    kind: row.kind,
    title: row.title,
    amount: row.amount,
    status: row.status,
    refundStatus: row.refund_status,
    refundableAmount: row.refundable_amount,
    createdAt: toIsoBeijing(row.created_at),
    expiredAt: isoOrNull(row.expired_at),
    paidAt: isoOrNull(row.paid_at),
    closedAt: isoOrNull(row.closed_at),
    version: row.version,
    lastSyncAt: isoOrNull(row.last_sync_at),
    lastSyncOutcome: row.last_sync_outcome,
    lastGatewayStatus: row.last_gateway_status,
    syncErrorCount: row.sync_error_count,
    heldBy: scheduleHold(row.held_by_batch, row.held_batch_status),
    reconcile: {
      state:
        row.reconciled_statement_id !== null
          ? 'reconciled'
          : row.carried
            ? 'pending_cross_day'
            : 'unreconciled',
      statementId: row.reconciled_statement_id,
      billDate: row.reconciled_bill_date ?? null,
    },
  }
}

// The holding batch's status says why the schedules skip the order (paused, or cancelled); the
// statement that confirmed it, and whether it waits for another day's bill (A15.3).
const select = (indexed = '') =>
  `SELECT p.*, m.name AS merchant_name, hb.status AS held_batch_status,
    (SELECT s.bill_date FROM statements s WHERE s.id = p.reconciled_statement_id) AS reconciled_bill_date,
    EXISTS (SELECT 1 FROM carry_over c WHERE c.trade_type = 'pay' AND c.trade_id = p.id AND c.status = 'waiting')
      AS carried
  FROM pay_orders p ${indexed}
  CROSS JOIN merchants m ON m.id = p.merchant_id LEFT JOIN batches hb ON hb.id = p.held_by_batch`
const SELECT = select()

export function getPayOrder(db: Db, id: number): PayOrderRow | undefined {
  return stmt<[number], PayOrderRow>(db, `${SELECT} WHERE p.id = ?`).get(id)
}

export function findPayOrder(db: Db, merchantId: number, orderNo: string): PayOrderRow | undefined {
  return stmt<[number, string], PayOrderRow>(db, `${SELECT} WHERE p.merchant_id = ? AND p.order_no = ?`).get(
    merchantId,
    orderNo,
  )
}

/** Orders a person names by any of their numbers: local, business or gateway. */
export function findPayOrdersByAnyNo(db: Db, no: string): PayOrderRow[] {
  return stmt<[string, string, string], PayOrderRow>(
    db,
    `${SELECT} WHERE p.order_no = ? OR p.biz_order_no = ? OR p.gateway_trade_no = ? ORDER BY p.id`,
  ).all(no, no, no)
}

const rangeOf = (f: OrderFilter): MsRange => ({
  from: f.since ? parseBeijing(f.since) : null,
  to: f.until ? parseBeijingEnd(f.until) : null,
})

function orderWhere(
  db: Db,
  f: OrderFilter,
  match: TradeMatch | null,
  range: MsRange = rangeOf(f),
): Where | null {
  const w = new Where()
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return null
    w.add('p.merchant_id = ?', m.id)
  }
  w.when(f.channel, 'p.channel = ?', f.channel)
  w.when(f.status, 'p.status = ?', f.status)
  w.when(f.result, 'p.last_sync_outcome = ?', f.result)
  if (f.held !== undefined) w.add(f.held ? 'p.held_by_batch IS NOT NULL' : 'p.held_by_batch IS NULL')
  if (match) w.add(...matchCondition('p.id', match))
  w.msRange('p.created_at', range.from, range.to)
  return w
}

function rowTotals(db: Db, f: OrderFilter, match: TradeMatch | null, range: MsRange): ListTotals {
  const w = orderWhere(db, f, match, range)
  if (!w) return { total: 0, amount: 0 }
  return stmt(db, `SELECT count(*) AS total, ifnull(sum(p.amount), 0) AS amount FROM pay_orders p ${w}`).get(
    ...w.params,
  ) as ListTotals
}

/**
 * The count and the sum of the amounts of a filter: from the kept per-day totals (migration 005) and
 * the partial days at a time range's edges, or row by row for a number search.
 */
export function payOrderTotals(db: Db, f: OrderFilter, match: TradeMatch | null): ListTotals {
  // The kept totals know nothing of holds (docs/domain.md 6.7): the held trades are few and counted
  // row by row through their own index; the others are all of them less those.
  if (f.held === true && !match) return rowTotals(db, f, null, rangeOf(f))
  if (f.held === false && !match) {
    const all = payOrderTotals(db, { ...f, held: undefined }, null)
    const held = rowTotals(db, { ...f, held: true }, null, rangeOf(f))
    return { total: all.total - held.total, amount: all.amount - held.amount }
  }
  if (match) return { ...rowTotals(db, f, match, rangeOf(f)), ...(match.capped ? { capped: true } : {}) }
  const kept = new Where()
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return { total: 0, amount: 0 }
    kept.add('merchant_id = ?', m.id)
  }
  kept.when(f.channel, 'channel = ?', f.channel)
  kept.when(f.status, 'status = ?', f.status)
  kept.when(f.result, 'outcome = ?', f.result)
  return keptTotals(db, KEPT.payOrders, kept, rangeOf(f), (edge) => rowTotals(db, f, null, edge))
}

const ORDER: Record<ListSort, string> = {
  '-time': 'p.created_at DESC, p.id DESC',
  time: 'p.created_at, p.id',
  '-amount': 'p.amount DESC, p.id DESC',
  amount: 'p.amount, p.id',
}

export function listPayOrders(db: Db, f: OrderListRequest): ListPage<PayOrderView> {
  const match = f.no ? matchTrades(db, 'pay', f.no) : null
  const w = orderWhere(db, f, match)
  if (!w) return { total: 0, amount: 0, items: [] }
  const totals = payOrderTotals(db, f, match)
  const rows = stmt<unknown[], PayOrderRow>(
    db,
    `${select(amountOrderIndex(f.sort, totals.total, 'idx_pay_orders_amount'))} ${w} ORDER BY ${ORDER[f.sort ?? '-time']} LIMIT ? OFFSET ?`,
  ).all(...w.params, f.limit, f.offset)
  return { ...totals, items: rows.map(payOrderView) }
}

export interface NewPayOrder {
  orderNo: string
  bizOrderNo: string
  gatewayTradeNo: string | null
  merchantId: number
  channel: Channel
  kind: PayKind
  title: string
  amount: number
  status: PayStatus
  createdAt: number
  expiredAt: number | null
  paidAt: number | null
  importId: number | null
}

export function insertPayOrder(db: Db, o: NewPayOrder, now = Date.now()): number {
  const r = stmt(
    db,
    `INSERT INTO pay_orders (order_no, biz_order_no, gateway_trade_no, merchant_id, channel, kind, title, amount,
       status, refund_status, refundable_amount, created_at, expired_at, paid_at, closed_at, updated_at, next_sync_at, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'no_refund', ?, ?, ?, ?, NULL, ?, ?, ?)`,
  ).run(
    o.orderNo,
    o.bizOrderNo,
    o.gatewayTradeNo,
    o.merchantId,
    o.channel,
    o.kind,
    o.title,
    o.amount,
    o.status,
    o.status === 'success' ? o.amount : 0,
    o.createdAt,
    o.expiredAt,
    o.paidAt,
    now,
    o.status === 'progress' ? now : null,
    o.importId,
  )
  return Number(r.lastInsertRowid)
}

/** The columns an import compares a row with: cheaper than the whole order and its merchant's name. */
export interface PayOrderForImport {
  id: number
  amount: number
  status: PayStatus
  refundable_amount: number
  gateway_trade_no: string | null
  title: string
  expired_at: number | null
  paid_at: number | null
}

export function findPayOrderForImport(
  db: Db,
  merchantId: number,
  orderNo: string,
): PayOrderForImport | undefined {
  return stmt<[number, string], PayOrderForImport>(
    db,
    `SELECT id, amount, status, refundable_amount, gateway_trade_no, title, expired_at, paid_at
     FROM pay_orders WHERE merchant_id = ? AND order_no = ?`,
  ).get(merchantId, orderNo)
}

/**
 * Inserts the order unless its merchant already has one with that number: the new id, or null.
 * One statement instead of a look-up before each insert, which is what a large import does most.
 */
export function insertPayOrderIfNew(db: Db, o: NewPayOrder, now = Date.now()): number | null {
  const r = stmt(
    db,
    `INSERT INTO pay_orders (order_no, biz_order_no, gateway_trade_no, merchant_id, channel, kind, title, amount,
       status, refund_status, refundable_amount, created_at, expired_at, paid_at, closed_at, updated_at, next_sync_at, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'no_refund', ?, ?, ?, ?, NULL, ?, ?, ?)
     ON CONFLICT (merchant_id, order_no) DO NOTHING`,
  ).run(
    o.orderNo,
    o.bizOrderNo,
    o.gatewayTradeNo,
    o.merchantId,
    o.channel,
    o.kind,
    o.title,
    o.amount,
    o.status,
    o.status === 'success' ? o.amount : 0,
    o.createdAt,
    o.expiredAt,
    o.paidAt,
    now,
    o.status === 'progress' ? now : null,
    o.importId,
  )
  return r.changes > 0 ? Number(r.lastInsertRowid) : null
}

/**
 * Fills what a re-import may add to an order that exists: a gateway number, a title, an expiry or a
 * payment time it did not have. Status and amount belong to the sync engine once the order exists.
 */
export function fillPayOrderByNo(
  db: Db,
  merchantId: number,
  orderNo: string,
  fill: PayOrderFill,
  now = Date.now(),
): boolean {
  const r = stmt(
    db,
    `UPDATE pay_orders SET
       gateway_trade_no = COALESCE(gateway_trade_no, ?),
       title = CASE WHEN title = '' THEN ? ELSE title END,
       expired_at = COALESCE(expired_at, ?),
       paid_at = COALESCE(paid_at, ?),
       updated_at = ?
     WHERE merchant_id = ? AND order_no = ? AND (
       (gateway_trade_no IS NULL AND ? IS NOT NULL) OR (title = '' AND ? <> '') OR
       (expired_at IS NULL AND ? IS NOT NULL) OR (paid_at IS NULL AND ? IS NOT NULL))`,
  ).run(
    fill.gatewayTradeNo,
    fill.title,
    fill.expiredAt,
    fill.paidAt,
    now,
    merchantId,
    orderNo,
    fill.gatewayTradeNo,
    fill.title,
    fill.expiredAt,
    fill.paidAt,
  )
  return r.changes > 0
}

/** Whether fillPayOrderByNo would change `row`, without writing: the import preview. */
export function wouldFillPayOrder(row: PayOrderForImport, fill: PayOrderFill): boolean {
  return (
    (row.gateway_trade_no === null && fill.gatewayTradeNo !== null) ||
    (row.title === '' && fill.title !== '') ||
    (row.expired_at === null && fill.expiredAt !== null) ||
    (row.paid_at === null && fill.paidAt !== null)
  )
}

export function payOrderIdByNo(db: Db, merchantId: number, orderNo: string): number | undefined {
  return stmt<[number, string], { id: number }>(
    db,
    'SELECT id FROM pay_orders WHERE merchant_id = ? AND order_no = ?',
  ).get(merchantId, orderNo)?.id
}

export interface PayOrderFill {
  gatewayTradeNo: string | null
  title: string
  expiredAt: number | null
  paidAt: number | null
}

export interface PayOrderPatch {
  status: PayStatus
  paidAt?: number | null
  closedAt?: number | null
  gatewayTradeNo?: string | null
}

/**
 * The compare-and-set of docs/domain.md 6.2: applies only when the order still has the status and version
 * the decision was made on. Returns false when someone else changed it first.
 */
export function casPayOrder(
  db: Db,
  id: number,
  expect: { status: PayStatus; version: number },
  patch: PayOrderPatch,
  now = Date.now(),
): boolean {
  const r = stmt(
    db,
    `UPDATE pay_orders SET status = ?,
       paid_at = CASE WHEN ? THEN ? ELSE paid_at END,
       closed_at = CASE WHEN ? THEN ? ELSE closed_at END,
       gateway_trade_no = COALESCE(gateway_trade_no, ?),
       refundable_amount = CASE WHEN ? = 'success' AND status <> 'success' THEN amount - (
         SELECT COALESCE(sum(amount), 0) FROM refund_orders WHERE pay_order_id = pay_orders.id AND status IN ('progress', 'success'))
         ELSE refundable_amount END,
       held_by_batch = CASE WHEN ? = 'progress' THEN held_by_batch END,
       version = version + 1, updated_at = ?
     WHERE id = ? AND status = ? AND version = ?`,
  ).run(
    patch.status,
    patch.paidAt !== undefined ? 1 : 0,
    patch.paidAt ?? null,
    patch.closedAt !== undefined ? 1 : 0,
    patch.closedAt ?? null,
    patch.gatewayTradeNo ?? null,
    patch.status,
    // A final order is in no schedule: nothing is left to hold (docs/domain.md 6.7).
    patch.status,
    now,
    id,
    expect.status,
    expect.version,
  )
  return r.changes === 1
}

/** Recomputes refund status and refundable amount from the refunds themselves: restoring twice is impossible. */
export function recomputeRefundState(db: Db, payOrderId: number, now = Date.now()): void {
  stmt(
    db,
    `UPDATE pay_orders SET
       refundable_amount = CASE WHEN status = 'success' THEN amount - (
         SELECT COALESCE(sum(amount), 0) FROM refund_orders WHERE pay_order_id = ? AND status IN ('progress', 'success'))
         ELSE refundable_amount END,
       refund_status = (
         SELECT CASE
           WHEN sum(status = 'progress') > 0 THEN 'refunding'
           WHEN COALESCE(sum(CASE WHEN status = 'success' THEN amount END), 0) >= pay_orders.amount AND sum(status = 'success') > 0 THEN 'refunded'
           WHEN sum(status = 'success') > 0 THEN 'partial_refund'
           ELSE 'no_refund' END
         FROM refund_orders WHERE pay_order_id = ?),
       version = version + 1, updated_at = ?
     WHERE id = ?`,
  ).run(payOrderId, payOrderId, now, payOrderId)
}

/** Fills a gateway trade number the order did not have. A known one is never overwritten, nor emptied. */
export function fillGatewayTradeNo(db: Db, id: number, gatewayTradeNo: string | null | undefined): void {
  if (!gatewayTradeNo) return
  stmt(db, 'UPDATE pay_orders SET gateway_trade_no = ? WHERE id = ? AND gateway_trade_no IS NULL').run(
    gatewayTradeNo,
    id,
  )
}

export function markPayOrderSynced(
  db: Db,
  id: number,
  s: {
    at: number
    outcome: Outcome
    gatewayStatus: GatewayStatus | null
    errorCount: number
    nextSyncAt: number | null
  },
): void {
  stmt(
    db,
    `UPDATE pay_orders SET last_sync_at = ?, last_sync_outcome = ?, last_gateway_status = ?, sync_error_count = ?,
       next_sync_at = ? WHERE id = ?`,
  ).run(s.at, s.outcome, s.gatewayStatus, s.errorCount, s.nextSyncAt, id)
}

/**
 * Pay orders whose next scheduled sync is due, leaving out those a paused or cancelled batch holds
 * (docs/domain.md 6.7): the due index holds neither.
 */
export function duePayOrderIds(db: Db, now: number, limit: number): number[] {
  return stmt<[number, number], { id: number }>(
    db,
    `SELECT id FROM pay_orders WHERE status = 'progress' AND held_by_batch IS NULL AND next_sync_at <= ?
     ORDER BY next_sync_at LIMIT ?`,
  )
    .all(now, limit)
    .map((r) => r.id)
}

/**
 * Progress orders past their expiry by more than `graceMs`: the timeout-close schedule. An order
 * whose syncs fail, or that a sync left with an anomaly (open or decided), follows its own ladder
 * instead: the close cannot happen without a person there (docs/domain.md 6.6), asking every minute
 * only adds records, and for a decided difference it would undo the decision's back-off.
 */
export function expiredProgressOrderIds(db: Db, now: number, graceMs: number, limit: number): number[] {
  return stmt<[number, number, number], { id: number }>(
    db,
    `SELECT id FROM pay_orders WHERE status = 'progress' AND held_by_batch IS NULL
       AND expired_at IS NOT NULL AND expired_at < ?
       AND (next_sync_at <= ? OR (sync_error_count = 0 AND ifnull(last_sync_outcome, '') NOT IN ('anomaly', 'decided')))
     ORDER BY expired_at LIMIT ?`,
  )
    .all(now - graceMs, now, limit)
    .map((r) => r.id)
}

/** Every order, or those not final; `exceptHeld`: not those a paused or cancelled batch holds. */
export function allPayOrderIds(db: Db, pendingOnly: boolean, exceptHeld = false): number[] {
  return stmt<[], { id: number }>(
    db,
    pendingOnly
      ? `SELECT id FROM pay_orders WHERE status = 'progress' ${exceptHeld ? 'AND held_by_batch IS NULL' : ''} ORDER BY id`
      : 'SELECT id FROM pay_orders ORDER BY id',
  )
    .all()
    .map((r) => r.id)
}

/** After a person looked at a trade that kept failing: back to the normal schedule. */
export function resetTradeErrors(db: Db, type: 'pay' | 'refund', id: number, now = Date.now()): void {
  const sql =
    type === 'pay'
      ? "UPDATE pay_orders SET sync_error_count = 0, next_sync_at = ? WHERE id = ? AND status = 'progress'"
      : "UPDATE refund_orders SET sync_error_count = 0, next_sync_at = ? WHERE id = ? AND status = 'progress'"
  stmt(db, sql).run(now, id)
}

/** Trades first brought in by one import run. */
export function payOrderIdsOfImport(db: Db, importId: number): number[] {
  return stmt<[number], { id: number }>(db, 'SELECT id FROM pay_orders WHERE import_id = ? ORDER BY id')
    .all(importId)
    .map((r) => r.id)
}

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input.
 */
export function ordersExportQuery(db: Db, f: OrderFilter, columns: readonly string[]): RowQuery | null {
  const w = orderWhere(db, f, f.no ? matchTrades(db, 'pay', f.no) : null)
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM pay_orders p CROSS JOIN merchants m ON m.id = p.merchant_id ${w} ORDER BY ${ORDER[f.sort ?? '-time']}`,
    params: w.params,
  }
}
