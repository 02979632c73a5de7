import type { RefundStatus } from '../../shared/domain'
import { recomputeRefundStateOn, refundStateSet } from './orders/sync-writes'
import { fillRefundOrderOn, INSERT_REFUND, refundParams, type NewRefundOrder } from './refunds'
import { all, both, run, type Exec, type Q } from './sql/exec'

// An import's page of refunds, written once for either store (docs/team-mode.md B8.11), as
// orders/import-bulk.ts is for pay orders: one statement a page on a team database, the desktop's
// own statement a row on the file.

export interface RefundKey {
  merchantId: number
  refundNo: string
}

/** What an import compares a refund row with, and its pay order's number for the refusal's sentence. */
export interface RefundForImport {
  id: number
  merchant_id: number
  refund_no: string
  pay_order_id: number
  order_no: string
  amount: number
  status: RefundStatus
  gateway_refund_no: string | null
}

const COMPARED = `SELECT r.id, r.merchant_id, r.refund_no, r.pay_order_id, p.order_no, r.amount, r.status,
    r.gateway_refund_no FROM refund_orders r JOIN pay_orders p ON p.id = r.pay_order_id`

export const refundsForImportOn = both(function* (x: Exec, keys: RefundKey[]): Q<RefundForImport[]> {
  if (keys.length === 0) return []
  if (x.dialect === 'sqlite') {
    const found: RefundForImport[] = []
    for (const k of keys)
      found.push(
        ...(yield* all<RefundForImport>(x, `${COMPARED} WHERE r.merchant_id = ? AND r.refund_no = ?`, [
          k.merchantId,
          k.refundNo,
        ])),
      )
    return found
  }
  return yield* all<RefundForImport>(
    x,
    `${COMPARED} JOIN unnest(?::bigint[], ?::text[]) AS k(merchant_id, refund_no)
       ON r.merchant_id = k.merchant_id AND r.refund_no = k.refund_no`,
    [keys.map((k) => k.merchantId), keys.map((k) => k.refundNo)],
  )
})

const TYPES = ['text', 'text', 'text', 'bigint', 'bigint', 'text', 'bigint', 'text', 'bigint', 'bigint']

/** Inserts the refunds whose merchant has none of that number, in order: the keys and ids of those. */
export const insertRefundsIfNewOn = both(function* (
  x: Exec,
  refunds: NewRefundOrder[],
  now: number,
): Q<Array<{ id: number; merchant_id: number; refund_no: string }>> {
  if (refunds.length === 0) return []
  const returning = ' ON CONFLICT (merchant_id, refund_no) DO NOTHING RETURNING id, merchant_id, refund_no'
  if (x.dialect === 'sqlite') {
    const ids: Array<{ id: number; merchant_id: number; refund_no: string }> = []
    for (const r of refunds)
      ids.push(
        ...(yield* all<{ id: number; merchant_id: number; refund_no: string }>(
          x,
          `${INSERT_REFUND}${returning}`,
          refundParams(r, now),
        )),
      )
    return ids
  }
  // The first ten columns vary by row; the write's time is one, and the first query's is per row.
  const rows = refunds.map((r) => refundParams(r, now))
  const c = TYPES.map((_, i) => `t.c${i}`)
  return yield* all(
    x,
    `INSERT INTO refund_orders (refund_no, biz_refund_no, gateway_refund_no, pay_order_id, merchant_id, channel,
       amount, status, created_at, finished_at, updated_at, next_sync_at, import_id)
     SELECT ${c.join(', ')}, ?::bigint, t.next, ?::bigint
       FROM unnest(${TYPES.map((t) => `?::${t}[]`).join(', ')}, ?::bigint[]) WITH ORDINALITY
         AS t(${c.map((_, i) => `c${i}`).join(', ')}, next, n)
       ORDER BY t.n${returning}`,
    [now, refunds[0]!.importId, ...TYPES.map((_, i) => rows.map((r) => r[i])), rows.map((r) => r[11])],
  )
})

/** A gateway refund number each refund lacked, by id: how many changed. */
export const fillRefundsOn = both(function* (
  x: Exec,
  fills: Array<{ id: number; gatewayRefundNo: string }>,
  now: number,
): Q<number> {
  if (fills.length === 0) return 0
  if (x.dialect === 'sqlite') {
    let n = 0
    for (const f of fills) if (yield* fillRefundOrderOn(x, f.id, f.gatewayRefundNo, now)) n += 1
    return n
  }
  return yield* run(
    x,
    `UPDATE refund_orders r SET gateway_refund_no = f.no, updated_at = ?::bigint
       FROM unnest(?::bigint[], ?::text[]) AS f(id, no)
      WHERE r.id = f.id AND r.gateway_refund_no IS NULL`,
    [now, fills.map((f) => f.id), fills.map((f) => f.gatewayRefundNo)],
  )
})

/**
 * Each pay order's refund state recomputed from its refunds (orders/sync-writes.ts
 * recomputeRefundStateOn), its version moved on by `times`: as often as the file's import recomputes
 * it, once for each refund it adds.
 */
export const recomputeRefundStatesOn = both(function* (
  x: Exec,
  pays: Array<{ id: number; times: number }>,
  now: number,
): Q<void> {
  if (pays.length === 0) return
  if (x.dialect === 'sqlite') {
    for (const p of pays) for (let i = 0; i < p.times; i++) yield* recomputeRefundStateOn(x, p.id, now)
    return
  }
  yield* run(
    x,
    `UPDATE pay_orders SET
       ${refundStateSet('pay_orders.id')},
       version = version + f.times, updated_at = ?::bigint
     FROM unnest(?::bigint[], ?::bigint[]) AS f(id, times)
     WHERE pay_orders.id = f.id`,
    [now, pays.map((p) => p.id), pays.map((p) => p.times)],
  )
})
