import type { TradeType } from '../../shared/domain'
import type { Db } from '../store/connection'
import {
  MERCHANT_VERSION_COLUMNS,
  splitMerchantVersion,
  type MerchantVersion,
  type MerchantVersionColumns,
} from '../store/merchants'
import type { PayOrderRow } from '../store/orders'
import { payOrderById } from '../store/orders/lookups'
import { refundOrderById, type RefundOrderRow } from '../store/refunds'
import { both, type Exec, type Q } from '../store/sql/exec'
import { sqliteExec } from '../store/sql/sqlite-exec'

// The trade an attempt or a person's decision is about, tagged with its type: pay orders and refunds
// are different rows, and the tag lets the code that handles both branch on it without casts.

/**
 * `merchant`: the version of the trade's merchant profile, where the books read it with the trade (a
 * team database, engine/sync/pg-books.ts), so that a kept adapter is checked without a read of its own.
 */
export type PayTrade = { type: 'pay'; row: PayOrderRow; merchant?: MerchantVersion }
export type RefundTrade = { type: 'refund'; row: RefundOrderRow; merchant?: MerchantVersion }
export type Trade = PayTrade | RefundTrade

/** The trade on either store's books (docs/team-mode.md B3.1). */
export function* tradeOn(x: Exec, type: TradeType, id: number): Q<Trade | undefined> {
  if (type === 'pay') {
    const row = yield* payOrderById(x, id)
    return row && { type, row }
  }
  const row = yield* refundOrderById(x, id)
  return row && { type, row }
}

/** `tradeOn` run either way: `.sync` on the desktop's file, `.async` on a team database. */
export const tradeAt = both(tradeOn)

/**
 * The trade and its merchant profile's version in one read (a team database's attempt reads it behind
 * the trade's lease, engine/sync/pg-books.ts): one statement where there were two.
 */
export const tradeWithMerchantAt = both(function* (
  x: Exec,
  type: TradeType,
  id: number,
): Q<Trade | undefined> {
  if (type === 'pay') {
    const read = yield* payOrderById<MerchantVersionColumns>(x, id, MERCHANT_VERSION_COLUMNS)
    return read && { type, ...splitMerchantVersion(read) }
  }
  const read = yield* refundOrderById<MerchantVersionColumns>(x, id, MERCHANT_VERSION_COLUMNS)
  return read && { type, ...splitMerchantVersion(read) }
})

export function readTrade(db: Db, type: TradeType, id: number): Trade | undefined {
  return tradeAt.sync(sqliteExec(db), type, id)
}
