import type { TradeType } from '../../shared/domain'
import type { Db } from '../store/connection'
import { getPayOrder, type PayOrderRow } from '../store/orders'
import { getRefundOrder, type RefundOrderRow } from '../store/refunds'

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
