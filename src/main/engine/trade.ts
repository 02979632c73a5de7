import type { TradeType } from '../../shared/domain'
import type { Db } from '../store/connection'
import { getPayOrder, type PayOrderRow } from '../store/orders'
import { payOrderById } from '../store/orders/lookups'
import { getRefundOrder, refundOrderById, type RefundOrderRow } from '../store/refunds'
import type { Exec, Q } from '../store/sql/exec'

// The trade an attempt or a person's decision is about, tagged with its type: pay orders and refunds
// are different rows, and the tag lets the code that handles both branch on it without casts.

export type PayTrade = { type: 'pay'; row: PayOrderRow }
export type RefundTrade = { type: 'refund'; row: RefundOrderRow }
export type Trade = PayTrade | RefundTrade

export function payTrade(db: Db, id: number): PayTrade | undefined {
  const row = getPayOrder(db, id)
  return row && { type: 'pay', row }
}

export function refundTrade(db: Db, id: number): RefundTrade | undefined {
  const row = getRefundOrder(db, id)
  return row && { type: 'refund', row }
}

export function readTrade(db: Db, type: TradeType, id: number): Trade | undefined {
  return type === 'pay' ? payTrade(db, id) : refundTrade(db, id)
}

/** The trade on either store's books (docs/team-mode.md B3.1). */
export function* tradeOn(x: Exec, type: TradeType, id: number): Q<Trade | undefined> {
  if (type === 'pay') {
    const row = yield* payOrderById(x, id)
    return row && { type, row }
  }
  const row = yield* refundOrderById(x, id)
  return row && { type, row }
}
