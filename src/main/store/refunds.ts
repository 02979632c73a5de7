import type {
  Channel,
  GatewayStatus,
  Outcome,
  Page,
  RefundOrderView,
  RefundStatus,
} from '../../shared/domain'
import type { RefundListRequest } from '../../shared/filters'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { findMerchantByName } from './merchants'
import { Where } from './where'

/** A new refund is first asked about no sooner than 10 s after it was made (docs/protocols.md 1.6). */
const REFUND_FIRST_QUERY_DELAY_MS = 10_000

export interface RefundOrderRow {
  id: number
  refund_no: string
  biz_refund_no: string
  gateway_refund_no: string | null
  pay_order_id: number
  merchant_id: number
  channel: Channel
  amount: number
  status: RefundStatus
  created_at: number
  finished_at: number | null
  version: number
  updated_at: number
  last_sync_at: number | null
  last_sync_outcome: Outcome | null
  last_gateway_status: GatewayStatus | null
  sync_error_count: number
  next_sync_at: number | null
  import_id: number | null
  reconciled_statement_id: number | null
  reconciled_at: number | null
  merchant_name?: string
  reconciled_bill_date?: string | null
  carried?: number
  order_no?: string
}

export function refundOrderView(row: RefundOrderRow): RefundOrderView {
  return {
    id: row.id,
    refundNo: row.refund_no,
    bizRefundNo: row.biz_refund_no,
    gatewayRefundNo: row.gateway_refund_no,
    payOrderId: row.pay_order_id,
    orderNo: row.order_no ?? '',
    merchantId: row.merchant_id,
    merchant: row.merchant_name ?? '',
    channel: row.channel,
    amount: row.amount,
    status: row.status,
    createdAt: toIsoBeijing(row.created_at),
    finishedAt: isoOrNull(row.finished_at),
    version: row.version,
    lastSyncAt: isoOrNull(row.last_sync_at),
    lastSyncOutcome: row.last_sync_outcome,
    lastGatewayStatus: row.last_gateway_status,
    syncErrorCount: row.sync_error_count,
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

// CROSS JOIN keeps refund_orders the outer loop, so its indexes serve the filter and the order.
const SELECT = `SELECT r.*, m.name AS merchant_name, p.order_no AS order_no,
    (SELECT s.bill_date FROM statements s WHERE s.id = r.reconciled_statement_id) AS reconciled_bill_date,
    EXISTS (SELECT 1 FROM carry_over c WHERE c.trade_type = 'refund' AND c.trade_id = r.id AND c.status = 'waiting')
      AS carried
  FROM refund_orders r
  CROSS JOIN merchants m ON m.id = r.merchant_id CROSS JOIN pay_orders p ON p.id = r.pay_order_id`

export function getRefundOrder(db: Db, id: number): RefundOrderRow | undefined {
  return stmt<[number], RefundOrderRow>(db, `${SELECT} WHERE r.id = ?`).get(id)
}

export function findRefundOrder(db: Db, merchantId: number, refundNo: string): RefundOrderRow | undefined {
  return stmt<[number, string], RefundOrderRow>(
    db,
    `${SELECT} WHERE r.merchant_id = ? AND r.refund_no = ?`,
  ).get(merchantId, refundNo)
}

export function findRefundOrdersByAnyNo(db: Db, no: string): RefundOrderRow[] {
  return stmt<[string, string, string], RefundOrderRow>(
    db,
    `${SELECT} WHERE r.refund_no = ? OR r.biz_refund_no = ? OR r.gateway_refund_no = ? ORDER BY r.id`,
  ).all(no, no, no)
}

export function refundsOfPayOrder(db: Db, payOrderId: number): RefundOrderRow[] {
  return stmt<[number], RefundOrderRow>(db, `${SELECT} WHERE r.pay_order_id = ? ORDER BY r.created_at`).all(
    payOrderId,
  )
}

function refundWhere(db: Db, f: Omit<RefundListRequest, 'limit' | 'offset'>): Where | null {
  const w = new Where()
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return null
    w.add('r.merchant_id = ?', m.id)
  }
  w.when(f.channel, 'r.channel = ?', f.channel)
  w.when(f.status, 'r.status = ?', f.status)
  w.when(f.result, 'r.last_sync_outcome = ?', f.result)
  w.when(f.payOrderId, 'r.pay_order_id = ?', f.payOrderId)
  w.when(f.no, '(r.refund_no = ? OR r.biz_refund_no = ? OR r.gateway_refund_no = ?)', f.no, f.no, f.no)
  w.timeRange('r.created_at', f.since, f.until)
  return w
}

export function listRefundOrders(db: Db, f: RefundListRequest): Page<RefundOrderView> {
  const w = refundWhere(db, f)
  if (!w) return { total: 0, items: [] }
  const total = (stmt(db, `SELECT count(*) AS n FROM refund_orders r ${w}`).get(...w.params) as { n: number })
    .n
  const rows = stmt<unknown[], RefundOrderRow>(
    db,
    `${SELECT} ${w} ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?`,
  ).all(...w.params, f.limit, f.offset)
  return { total, items: rows.map(refundOrderView) }
}

export interface NewRefundOrder {
  refundNo: string
  bizRefundNo: string
  gatewayRefundNo: string | null
  payOrderId: number
  merchantId: number
  channel: Channel
  amount: number
  status: RefundStatus
  createdAt: number
  finishedAt: number | null
  importId: number | null
}

export function insertRefundOrder(db: Db, r: NewRefundOrder, now = Date.now()): number {
  const res = stmt(
    db,
    `INSERT INTO refund_orders (refund_no, biz_refund_no, gateway_refund_no, pay_order_id, merchant_id, channel, amount,
       status, created_at, finished_at, updated_at, next_sync_at, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.refundNo,
    r.bizRefundNo,
    r.gatewayRefundNo,
    r.payOrderId,
    r.merchantId,
    r.channel,
    r.amount,
    r.status,
    r.createdAt,
    r.finishedAt,
    now,
    r.status === 'progress' ? Math.max(now, r.createdAt + REFUND_FIRST_QUERY_DELAY_MS) : null,
    r.importId,
  )
  return Number(res.lastInsertRowid)
}

export function fillRefundOrder(
  db: Db,
  id: number,
  gatewayRefundNo: string | null,
  now = Date.now(),
): boolean {
  if (!gatewayRefundNo) return false
  return (
    stmt(
      db,
      'UPDATE refund_orders SET gateway_refund_no = ?, updated_at = ? WHERE id = ? AND gateway_refund_no IS NULL',
    ).run(gatewayRefundNo, now, id).changes > 0
  )
}

export function casRefundOrder(
  db: Db,
  id: number,
  expect: { status: RefundStatus; version: number },
  patch: { status: RefundStatus; finishedAt?: number | null; gatewayRefundNo?: string | null },
  now = Date.now(),
): boolean {
  const r = stmt(
    db,
    `UPDATE refund_orders SET status = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
       gateway_refund_no = COALESCE(gateway_refund_no, ?), version = version + 1, updated_at = ?
     WHERE id = ? AND status = ? AND version = ?`,
  ).run(
    patch.status,
    patch.finishedAt !== undefined ? 1 : 0,
    patch.finishedAt ?? null,
    patch.gatewayRefundNo ?? null,
    now,
    id,
    expect.status,
    expect.version,
  )
  return r.changes === 1
}

export function markRefundOrderSynced(
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
    `UPDATE refund_orders SET last_sync_at = ?, last_sync_outcome = ?, last_gateway_status = ?, sync_error_count = ?,
       next_sync_at = ? WHERE id = ?`,
  ).run(s.at, s.outcome, s.gatewayStatus, s.errorCount, s.nextSyncAt, id)
}

export function dueRefundOrderIds(db: Db, now: number, limit: number): number[] {
  return stmt<[number, number], { id: number }>(
    db,
    `SELECT id FROM refund_orders WHERE status = 'progress' AND next_sync_at <= ? ORDER BY next_sync_at LIMIT ?`,
  )
    .all(now, limit)
    .map((r) => r.id)
}

export function allRefundOrderIds(db: Db, pendingOnly: boolean): number[] {
  return stmt<[], { id: number }>(
    db,
    pendingOnly
      ? "SELECT id FROM refund_orders WHERE status = 'progress' ORDER BY id"
      : 'SELECT id FROM refund_orders ORDER BY id',
  )
    .all()
    .map((r) => r.id)
}

/** Trades first brought in by one import run. */
export function refundIdsOfImport(db: Db, importId: number): number[] {
  return stmt<[number], { id: number }>(db, 'SELECT id FROM refund_orders WHERE import_id = ? ORDER BY id')
    .all(importId)
    .map((r) => r.id)
}

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input.
 */
export function refundsExportQuery(
  db: Db,
  f: Omit<RefundListRequest, 'limit' | 'offset'>,
  columns: readonly string[],
): RowQuery | null {
  const w = refundWhere(db, f)
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM refund_orders r CROSS JOIN merchants m ON m.id = r.merchant_id CROSS JOIN pay_orders p ON p.id = r.pay_order_id ${w} ORDER BY r.created_at DESC, r.id DESC`,
    params: w.params,
  }
}
