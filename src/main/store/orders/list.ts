import type { ListPage, PayOrderView } from '../../../shared/entity-views'
import type { OrderFilter, OrderListRequest } from '../../../shared/filters'
import type { Db } from '../connection'
import { readPage } from '../list-cursor'
import { amountOrderIndex } from '../list-totals'
import type { RowQuery } from '../row-reader'
import { TRADE_LISTS, tradeOrder, tradeTotals, tradeWhere } from '../trade-lists'
import { tradeMatch } from '../trade-search'
import { both, joinInOrder, type Exec, type Q } from '../sql/exec'
import { sqliteExec } from '../sql/sqlite-exec'
import { payOrderView, selectPayOrders, type PayOrderRow } from './row'

// 支付订单: a page of a filter with the filter's count and sum, and the same rows for an export.

const LIST = TRADE_LISTS.pay

export const payOrderPage = both(function* (x: Exec, f: OrderListRequest): Q<ListPage<PayOrderView>> {
  const match = f.no ? yield* tradeMatch(x, 'pay', f.no) : null
  const w = yield* tradeWhere(x, LIST, f, match)
  if (!w) return { total: 0, amount: 0, items: [] }
  const totals = yield* tradeTotals(x, LIST, f, match)
  const { rows, more } = yield* readPage<PayOrderRow>(
    x,
    {
      select: selectPayOrders(x, amountOrderIndex(x, f.sort, totals.total, 'idx_pay_orders_amount')),
      where: w,
      order: tradeOrder(LIST, f.sort),
    },
    { table: LIST.table, alias: LIST.alias, amount: 'amount' },
    f,
  )
  return { ...totals, items: rows.map(payOrderView), ...more }
})

export const listPayOrders = (db: Db, f: OrderListRequest) => payOrderPage.sync(sqliteExec(db), f)

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input. On either
 * store: a team database's export reads it through a cursor (services/team-export.ts). An amount is
 * never NULL on a trade, so both stores sort it alike.
 */
export const ordersExport = both(function* (
  x: Exec,
  f: OrderFilter,
  columns: readonly string[],
): Q<RowQuery | null> {
  const w = yield* tradeWhere(x, LIST, f, f.no ? yield* tradeMatch(x, 'pay', f.no) : null)
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM pay_orders p ${joinInOrder(x)} merchants m ON m.id = p.merchant_id ${w} ORDER BY ${tradeOrder(LIST, f.sort)}`,
    params: w.params,
  }
})

export const ordersExportQuery = (db: Db, f: OrderFilter, columns: readonly string[]) =>
  ordersExport.sync(sqliteExec(db), f, columns)
