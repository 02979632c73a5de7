import { all, both, run, type Exec, type Q } from '../sql/exec'
import {
  FILL,
  fillParams,
  INSERT_IF_NEW,
  insertParams,
  type NewPayOrder,
  type PayOrderFill,
  type PayOrderForImport,
} from './import-writes'

// An import's pay orders a page at a time, written once for either store (docs/team-mode.md B8.11):
// on a team database each page is one statement, `unnest` of one array per column, since a round trip
// per row would make a 100,000-row file 100,000 round trips; on the file each row is the statement the
// desktop's import runs (import-writes.ts), so both stores store the same row for the same cells.

export interface OrderKey {
  merchantId: number
  orderNo: string
}

export type StoredForImport = PayOrderForImport & { merchant_id: number; order_no: string }

const COMPARED =
  'id, merchant_id, order_no, amount, status, refundable_amount, gateway_trade_no, title, expired_at, paid_at'

/** The orders of these keys that exist, with what an import compares a row with. */
export const payOrdersForImportOn = both(function* (x: Exec, keys: OrderKey[]): Q<StoredForImport[]> {
  if (keys.length === 0) return []
  if (x.dialect === 'sqlite') {
    const found: StoredForImport[] = []
    for (const k of keys)
      found.push(
        ...(yield* all<StoredForImport>(
          x,
          `SELECT ${COMPARED} FROM pay_orders WHERE merchant_id = ? AND order_no = ?`,
          [k.merchantId, k.orderNo],
        )),
      )
    return found
  }
  return yield* all<StoredForImport>(
    x,
    `SELECT ${COMPARED.replace(/(^|, )/g, '$1p.')} FROM pay_orders p
       JOIN unnest(?::bigint[], ?::text[]) AS k(merchant_id, order_no)
         ON p.merchant_id = k.merchant_id AND p.order_no = k.order_no`,
    [keys.map((k) => k.merchantId), keys.map((k) => k.orderNo)],
  )
})

/** The types of insertParams' columns, in their order, for `unnest`. */
const INSERT_TYPES = [
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'text',
  'text',
  'bigint',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
]

/**
 * Inserts the orders whose merchant has none of that number, in the order given: the keys and ids of
 * those inserted. One already there is left alone (ON CONFLICT on the unique key), whoever put it.
 */
export const insertPayOrdersIfNewOn = both(function* (
  x: Exec,
  orders: NewPayOrder[],
  now: number,
): Q<Array<{ id: number; merchant_id: number; order_no: string }>> {
  if (orders.length === 0) return []
  if (x.dialect === 'sqlite') {
    const ids: Array<{ id: number; merchant_id: number; order_no: string }> = []
    for (const o of orders)
      ids.push(
        ...(yield* all<{ id: number; merchant_id: number; order_no: string }>(
          x,
          `${INSERT_IF_NEW} RETURNING id, merchant_id, order_no`,
          insertParams(o, now),
        )),
      )
    return ids
  }
  const rows = orders.map((o) => insertParams(o, now))
  const cols = INSERT_TYPES.map((_, i) => rows.map((r) => r[i]))
  const c = INSERT_TYPES.map((_, i) => `t.c${i}`)
  return yield* all(
    x,
    `INSERT INTO pay_orders (order_no, biz_order_no, gateway_trade_no, merchant_id, channel, kind, title, amount,
       status, refund_status, refundable_amount, created_at, expired_at, paid_at, closed_at, updated_at, next_sync_at, import_id)
     SELECT ${c.slice(0, 9).join(', ')}, 'no_refund', ${c.slice(9, 13).join(', ')}, NULL, ${c.slice(13).join(', ')}
       FROM unnest(${INSERT_TYPES.map((t) => `?::${t}[]`).join(', ')}) WITH ORDINALITY
         AS t(${c.map((_, i) => `c${i}`).join(', ')}, n)
       ORDER BY t.n
     ON CONFLICT (merchant_id, order_no) DO NOTHING
     RETURNING id, merchant_id, order_no`,
    cols,
  )
})

/**
 * Fills what each order lacks and its row knows (import-writes.ts fillPayOrderByNo): how many orders
 * changed. A key given twice is filled from each on the file, from one of them on a team database:
 * the caller gives each key once, its fills merged.
 */
export const fillPayOrdersOn = both(function* (
  x: Exec,
  fills: Array<OrderKey & PayOrderFill>,
  now: number,
): Q<number> {
  if (fills.length === 0) return 0
  if (x.dialect === 'sqlite') {
    let n = 0
    for (const f of fills) n += yield* run(x, FILL, fillParams(f.merchantId, f.orderNo, f, now))
    return n
  }
  return yield* run(
    x,
    `UPDATE pay_orders p SET
       gateway_trade_no = COALESCE(p.gateway_trade_no, f.gateway_trade_no),
       title = CASE WHEN p.title = '' THEN f.title ELSE p.title END,
       expired_at = COALESCE(p.expired_at, f.expired_at),
       paid_at = COALESCE(p.paid_at, f.paid_at),
       updated_at = ?::bigint
     FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[])
       AS f(merchant_id, order_no, gateway_trade_no, title, expired_at, paid_at)
     WHERE p.merchant_id = f.merchant_id AND p.order_no = f.order_no AND (
       (p.gateway_trade_no IS NULL AND f.gateway_trade_no IS NOT NULL) OR (p.title = '' AND f.title <> '') OR
       (p.expired_at IS NULL AND f.expired_at IS NOT NULL) OR (p.paid_at IS NULL AND f.paid_at IS NOT NULL))`,
    [
      now,
      fills.map((f) => f.merchantId),
      fills.map((f) => f.orderNo),
      fills.map((f) => f.gatewayTradeNo),
      fills.map((f) => f.title),
      fills.map((f) => f.expiredAt),
      fills.map((f) => f.paidAt),
    ],
  )
})
