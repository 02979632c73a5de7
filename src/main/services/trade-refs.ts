import type { TradeType } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { OrderFilter, RefundFilter } from '../../shared/filters'
import { ordersExportQuery } from '../store/orders'
import { payOrderById, payOrdersByAnyNo } from '../store/orders/lookups'
import { refundOrderById, refundOrdersByAnyNo, refundsExportQuery } from '../store/refunds'
import { rowsHere } from '../store/row-reader'
import { both, type Exec, type Q } from '../store/sql/exec'
import { allTradeIdsOn } from '../store/trade-schedule'
import type { ServiceContext } from './context'

// Which trades a sync or a batch takes: the numbers a person typed, a list's filter, or all of them.

export interface TradeRef {
  type: TradeType
  id: number
}

/** Resolves the numbers a person typed to trades, by local, business or gateway number, on either store. */
export const tradesNumbered = both(function* (
  x: Exec,
  orderNos: string[],
  refundNos: string[],
): Q<TradeRef[]> {
  const refs: TradeRef[] = []
  for (const no of orderNos) {
    const found = yield* payOrdersByAnyNo(x, no)
    if (found.length === 0) throw AppError.say('not_found', 'order.noNumber', { no })
    for (const o of found) refs.push({ type: 'pay', id: Number(o.id) })
  }
  for (const no of refundNos) {
    const found = yield* refundOrdersByAnyNo(x, no)
    if (found.length === 0) throw AppError.say('not_found', 'refund.noNumber', { no })
    for (const r of found) refs.push({ type: 'refund', id: Number(r.id) })
  }
  return refs
})

/** Whether the trade is there (a number resolved a moment ago may name one deleted meanwhile). */
export const tradeExists = both(function* (x: Exec, ref: TradeRef): Q<boolean> {
  const row = ref.type === 'pay' ? yield* payOrderById(x, ref.id) : yield* refundOrderById(x, ref.id)
  return row !== undefined
})

export const tradesByNumbers = (ctx: ServiceContext, orderNos: string[], refundNos: string[]): TradeRef[] =>
  tradesNumbered.sync(ctx.exec, orderNos, refundNos)

export function tradesOfFilter(
  ctx: ServiceContext,
  type: TradeType,
  filter: OrderFilter | RefundFilter,
): TradeRef[] {
  const refs: TradeRef[] = []
  if (type === 'pay')
    for (const [id] of rowsHere(ctx.db, ordersExportQuery(ctx.db, filter as OrderFilter, ['p.id'])))
      refs.push({ type, id: id as number })
  else
    for (const [id] of rowsHere(ctx.db, refundsExportQuery(ctx.db, filter as RefundFilter, ['r.id'])))
      refs.push({ type, id: id as number })
  return refs
}

/** Every trade, or those not final; `exceptHeld`: not those a paused or cancelled batch holds. */
export const everyTradeOn = both(function* (
  x: Exec,
  pendingOnly: boolean,
  exceptHeld: boolean,
): Q<TradeRef[]> {
  const refs: TradeRef[] = []
  for (const type of ['pay', 'refund'] as const)
    for (const id of yield* allTradeIdsOn(x, type, pendingOnly, exceptHeld)) refs.push({ type, id })
  return refs
})

export const allTrades = (ctx: ServiceContext, pendingOnly: boolean, exceptHeld = false): TradeRef[] =>
  everyTradeOn.sync(ctx.exec, pendingOnly, exceptHeld)
