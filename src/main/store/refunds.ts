import type { Channel, RefundStatus } from '../../shared/domain'
import type { ListPage, RefundOrderView } from '../../shared/entity-views'
import type { RefundFilter, RefundListRequest } from '../../shared/filters'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { readPage } from './list-cursor'
import { amountOrderIndex } from './list-totals'
import {
  TRADE_LISTS,
  tradeOrder,
  tradeSyncView,
  tradeTotals,
  tradeWhere,
  type TradeColumns,
} from './trade-lists'
import { tradeMatch } from './trade-search'
import { all, both, joinInOrder, one, run, SQLITE, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'
import { allTradeIds, markTradeSyncedOn, alsoSyncMark, type SyncMark } from './trade-schedule'

/** A new refund is first asked about no sooner than 10 s after it was made (docs/protocols.md 1.6). */
const REFUND_FIRST_QUERY_DELAY_MS = 10_000

export interface RefundOrderRow extends TradeColumns {
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
  /** The pay order's number, read beside the row by a list or a lookup. */
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
    ...tradeSyncView(row),
  }
}

// CROSS JOIN keeps refund_orders the outer loop, so its indexes serve the filter and the order. The
// holding batch's status says why the schedules skip the refund; the statement that confirmed it,
// and whether it waits for another day's bill (A15.3).
const select = (x: Pick<Exec, 'dialect'>, indexed = '', also = '') =>
  `SELECT r.*, m.name AS merchant_name, p.order_no AS order_no, hb.status AS held_batch_status,
    (SELECT s.bill_date FROM statements s WHERE s.id = r.reconciled_statement_id) AS reconciled_bill_date,
    EXISTS (SELECT 1 FROM carry_over c WHERE c.trade_type = 'refund' AND c.trade_id = r.id AND c.status = 'waiting')
      AS carried${also}
  FROM refund_orders r ${indexed} ${joinInOrder(x)} merchants m ON m.id = r.merchant_id
  ${joinInOrder(x)} pay_orders p ON p.id = r.pay_order_id LEFT JOIN batches hb ON hb.id = r.held_by_batch`
const SELECT = select(SQLITE)

/** The refund; `also` adds columns of it or its merchant `m` (engine/trade.ts, a merchant's version). */
export function* refundOrderById<E = object>(
  x: Exec,
  id: number,
  also = '',
): Q<(RefundOrderRow & E) | undefined> {
  return yield* one<RefundOrderRow & E>(x, `${select(x, '', also)} WHERE r.id = ?`, [id])
}

export function* refundsOfPay(x: Exec, payOrderId: number): Q<RefundOrderRow[]> {
  return yield* all<RefundOrderRow>(x, `${select(x)} WHERE r.pay_order_id = ? ORDER BY r.created_at`, [
    payOrderId,
  ])
}

export function getRefundOrder(db: Db, id: number): RefundOrderRow | undefined {
  return stmt<[number], RefundOrderRow>(db, `${SELECT} WHERE r.id = ?`).get(id)
}

export function findRefundOrder(db: Db, merchantId: number, refundNo: string): RefundOrderRow | undefined {
  return stmt<[number, string], RefundOrderRow>(
    db,
    `${SELECT} WHERE r.merchant_id = ? AND r.refund_no = ?`,
  ).get(merchantId, refundNo)
}

export function* refundOrdersByAnyNo(x: Exec, no: string): Q<RefundOrderRow[]> {
  return yield* all<RefundOrderRow>(
    x,
    `${select(x)} WHERE r.refund_no = ? OR r.biz_refund_no = ? OR r.gateway_refund_no = ? ORDER BY r.id`,
    [no, no, no],
  )
}

const LIST = TRADE_LISTS.refund

export const refundOrderPage = both(function* (x: Exec, f: RefundListRequest): Q<ListPage<RefundOrderView>> {
  const match = f.no ? yield* tradeMatch(x, 'refund', f.no) : null
  const w = yield* tradeWhere(x, LIST, f, match)
  if (!w) return { total: 0, amount: 0, items: [] }
  const totals = yield* tradeTotals(x, LIST, f, match)
  const { rows, more } = yield* readPage<RefundOrderRow>(
    x,
    {
      select: select(x, amountOrderIndex(x, f.sort, totals.total, 'idx_refund_orders_amount')),
      where: w,
      order: tradeOrder(LIST, f.sort),
    },
    { table: LIST.table, alias: LIST.alias, amount: 'amount' },
    f,
  )
  return { ...totals, items: rows.map(refundOrderView), ...more }
})

export const listRefundOrders = (db: Db, f: RefundListRequest) => refundOrderPage.sync(sqliteExec(db), f)

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

export const INSERT_REFUND = `INSERT INTO refund_orders (refund_no, biz_refund_no, gateway_refund_no, pay_order_id,
       merchant_id, channel, amount, status, created_at, finished_at, updated_at, next_sync_at, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** A new refund's columns, in INSERT_REFUND's order. */
export const refundParams = (r: NewRefundOrder, now: number) => [
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
]

export function insertRefundOrder(db: Db, r: NewRefundOrder, now = Date.now()): number {
  return Number(stmt(db, INSERT_REFUND).run(...refundParams(r, now)).lastInsertRowid)
}

export const fillRefundOrderOn = both(function* (
  x: Exec,
  id: number,
  gatewayRefundNo: string | null,
  now: number,
): Q<boolean> {
  if (!gatewayRefundNo) return false
  const changed = yield* run(
    x,
    'UPDATE refund_orders SET gateway_refund_no = ?, updated_at = ? WHERE id = ? AND gateway_refund_no IS NULL',
    [gatewayRefundNo, now, id],
  )
  return changed > 0
})

export const fillRefundOrder = (
  db: Db,
  id: number,
  gatewayRefundNo: string | null,
  now = Date.now(),
): boolean => fillRefundOrderOn.sync(sqliteExec(db), id, gatewayRefundNo, now)

export const casRefundOrderOn = both(function* (
  x: Exec,
  id: number,
  expect: { status: RefundStatus; version: number },
  patch: { status: RefundStatus; finishedAt?: number | null; gatewayRefundNo?: string | null },
  now: number,
  mark?: SyncMark,
): Q<boolean> {
  // A sync's bookkeeping rides along when given, as on a pay order (store/orders/sync-writes.ts).
  const kept = alsoSyncMark(mark)
  const changed = yield* run(
    x,
    `UPDATE refund_orders SET status = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
       gateway_refund_no = COALESCE(gateway_refund_no, ?),
       held_by_batch = CASE WHEN ? = 'progress' THEN held_by_batch END,
       version = version + 1, updated_at = ?${kept.set}
     WHERE id = ? AND status = ? AND version = ?`,
    [
      patch.status,
      patch.finishedAt !== undefined ? 1 : 0,
      patch.finishedAt ?? null,
      patch.gatewayRefundNo ?? mark?.fillNo ?? null,
      // A final refund is in no schedule: nothing is left to hold (docs/domain.md 6.7).
      patch.status,
      now,
      ...kept.params,
      id,
      expect.status,
      expect.version,
    ],
  )
  return changed === 1
})

export const markRefundOrderSynced = (db: Db, id: number, s: SyncMark): void =>
  markTradeSyncedOn.sync(sqliteExec(db), 'refund', id, s)

/** Every refund, or those not final; `exceptHeld`: not those a paused or cancelled batch holds. */
export const allRefundOrderIds = (db: Db, pendingOnly: boolean, exceptHeld = false): number[] =>
  allTradeIds(db, 'refund', pendingOnly, exceptHeld)

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input. On either
 * store: a team database's export reads it through a cursor (services/team-export.ts). An amount is
 * never NULL on a trade, so both stores sort it alike.
 */
export const refundsExport = both(function* (
  x: Exec,
  f: RefundFilter,
  columns: readonly string[],
): Q<RowQuery | null> {
  const w = yield* tradeWhere(x, LIST, f, f.no ? yield* tradeMatch(x, 'refund', f.no) : null)
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM refund_orders r ${joinInOrder(x)} merchants m ON m.id = r.merchant_id ${joinInOrder(x)} pay_orders p ON p.id = r.pay_order_id ${w} ORDER BY ${tradeOrder(LIST, f.sort)}`,
    params: w.params,
  }
})

export const refundsExportQuery = (db: Db, f: RefundFilter, columns: readonly string[]) =>
  refundsExport.sync(sqliteExec(db), f, columns)
