import type { Channel, PayKind, PayStatus } from '../../../shared/domain'
import type { Db } from '../connection'
import { stmt } from '../connection'
import type { DayTally } from '../import-day-totals'

// How a pay order comes in (an import, the demo, a test's world): inserted once, then only filled
// where a re-import knows more. Status and amount belong to the sync engine once the order exists.

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

const INSERT = `INSERT INTO pay_orders (order_no, biz_order_no, gateway_trade_no, merchant_id, channel, kind, title, amount,
       status, refund_status, refundable_amount, created_at, expired_at, paid_at, closed_at, updated_at, next_sync_at, import_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'no_refund', ?, ?, ?, ?, NULL, ?, ?, ?)`
/**
 * What an inserted order leaves empty of what a batch or a statement sets later: an index of only the
 * orders where one of them is set gets no entry from an import (store/deferred-indexes.ts).
 */
export const LEFT_NULL_BY_INSERT = ['held_by_batch', 'reconciled_statement_id'] as const
// Built once: the statement cache looks a statement up by its text, and a text built per call is
// hashed and compared whole each time (a twentieth of an import's CPU).
export const INSERT_IF_NEW = `${INSERT} ON CONFLICT (merchant_id, order_no) DO NOTHING`

/** A new order's columns: a paid one can be refunded in full, one in progress is due for a sync at once. */
export const insertParams = (o: NewPayOrder, now: number) =>
  [
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
  ] as const

export function insertPayOrder(db: Db, o: NewPayOrder, now = Date.now()): number {
  const r = stmt(db, INSERT).run(...insertParams(o, now))
  return Number(r.lastInsertRowid)
}

/**
 * Inserts the order unless its merchant already has one with that number: the new id, or null.
 * One statement instead of a look-up before each insert, which is what a large import does most.
 * `tally` adds up the day totals of what it inserts (store/import-day-totals.ts).
 */
export function insertPayOrderIfNew(
  db: Db,
  o: NewPayOrder,
  now = Date.now(),
  tally?: DayTally,
): number | null {
  const r = stmt(db, INSERT_IF_NEW).run(...insertParams(o, now))
  if (r.changes === 0) return null
  tally?.add(o.createdAt, o.merchantId, o.channel, o.status, o.amount)
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
  return stmt(db, FILL).run(...fillParams(merchantId, orderNo, fill, now)).changes > 0
}

export const FILL = `UPDATE pay_orders SET
       gateway_trade_no = COALESCE(gateway_trade_no, ?),
       title = CASE WHEN title = '' THEN ? ELSE title END,
       expired_at = COALESCE(expired_at, ?),
       paid_at = COALESCE(paid_at, ?),
       updated_at = ?
     WHERE merchant_id = ? AND order_no = ? AND (
       (gateway_trade_no IS NULL AND ? IS NOT NULL) OR (title = '' AND ? <> '') OR
       (expired_at IS NULL AND ? IS NOT NULL) OR (paid_at IS NULL AND ? IS NOT NULL))`

export const fillParams = (merchantId: number, orderNo: string, fill: PayOrderFill, now: number) => [
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
]

/** Whether fillPayOrderByNo would change `row`, without writing: the import preview. */
export function wouldFillPayOrder(row: PayOrderForImport, fill: PayOrderFill): boolean {
  return (
    (row.gateway_trade_no === null && fill.gatewayTradeNo !== null) ||
    (row.title === '' && fill.title !== '') ||
    (row.expired_at === null && fill.expiredAt !== null) ||
    (row.paid_at === null && fill.paidAt !== null)
  )
}
