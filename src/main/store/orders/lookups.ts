import type { Db } from '../connection'
import { stmt } from '../connection'
import { selectPayOrders, type PayOrderRow } from './row'
import { all, one, type Exec, type Q } from '../sql/exec'

// One pay order, or the few a number names, with everything its detail shows.

const SELECT = selectPayOrders()

/** The order; `also` adds columns of it or its merchant `m` (engine/trade.ts, a merchant's version). */
export function* payOrderById<E = object>(x: Exec, id: number, also = ''): Q<(PayOrderRow & E) | undefined> {
  return yield* one<PayOrderRow & E>(x, `${selectPayOrders(x, '', also)} WHERE p.id = ?`, [id])
}

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
export function* payOrdersByAnyNo(x: Exec, no: string): Q<PayOrderRow[]> {
  return yield* all<PayOrderRow>(
    x,
    `${selectPayOrders(x)} WHERE p.order_no = ? OR p.biz_order_no = ? OR p.gateway_trade_no = ? ORDER BY p.id`,
    [no, no, no],
  )
}
