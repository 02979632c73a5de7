import type { BatchStatus, GatewayStatus, Outcome } from '../../shared/domain'
import type { ListTotals, TradeSyncView } from '../../shared/entity-views'
import type { ListSort, OrderFilter } from '../../shared/filters'
import { isoOrNull, parseBeijing, parseBeijingEnd } from '../../shared/time'
import { KEPT, keptTotals, type KeptTable, type MsRange } from './list-totals'
import { merchantNamed } from './merchants'
import { scheduleHold } from './schedule-holds'
import { one, type Exec, type Q } from './sql/exec'
import { matchCondition, type TradeMatch } from './trade-search'
import { Where } from './where'

// What the pay order and refund lists share: the same filter (the refunds' adds the pay order they
// belong to), the same totals kept per day (migration 005) that know nothing of holds, the same
// order, and the same columns of the sync, the hold and the statement at the end of each row.

/** The filter both trade lists take; a status is the list's own (a pay or a refund status). */
export type TradeFilter = Omit<OrderFilter, 'status' | 'no' | 'sort'> & {
  status?: string
  payOrderId?: number
}

export interface TradeList {
  table: 'pay_orders' | 'refund_orders'
  /** The table's alias in the list's queries. */
  alias: 'p' | 'r'
  kept: KeptTable
}

export const TRADE_LISTS = {
  pay: { table: 'pay_orders', alias: 'p', kept: KEPT.payOrders },
  refund: { table: 'refund_orders', alias: 'r', kept: KEPT.refundOrders },
} as const satisfies Record<string, TradeList>

export const tradeRange = (f: TradeFilter): MsRange => ({
  from: f.since ? parseBeijing(f.since) : null,
  to: f.until ? parseBeijingEnd(f.until) : null,
})

/** A list's order: newest first unless the person sorted by time or amount; the id breaks ties. */
export function tradeOrder(list: TradeList, sort: ListSort = '-time'): string {
  const a = list.alias
  switch (sort) {
    case '-time':
      return `${a}.created_at DESC, ${a}.id DESC`
    case 'time':
      return `${a}.created_at, ${a}.id`
    case '-amount':
      return `${a}.amount DESC, ${a}.id DESC`
    case 'amount':
      return `${a}.amount, ${a}.id`
  }
}

/** The conditions of a filter on the list's table, or null when it names a merchant there is none of. */
export function* tradeWhere(
  x: Exec,
  list: TradeList,
  f: TradeFilter,
  match: TradeMatch | null,
  range: MsRange = tradeRange(f),
): Q<Where | null> {
  const a = list.alias
  const w = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return null
    w.add(`${a}.merchant_id = ?`, m.id)
  }
  w.when(f.channel, `${a}.channel = ?`, f.channel)
  w.when(f.status, `${a}.status = ?`, f.status)
  w.when(f.result, `${a}.last_sync_outcome = ?`, f.result)
  if (f.held !== undefined) w.add(f.held ? `${a}.held_by_batch IS NOT NULL` : `${a}.held_by_batch IS NULL`)
  w.when(f.payOrderId, `${a}.pay_order_id = ?`, f.payOrderId)
  if (match) w.add(...matchCondition(x, `${a}.id`, match))
  w.msRange(`${a}.created_at`, range.from, range.to)
  return w
}

function* rowTotals(
  x: Exec,
  list: TradeList,
  f: TradeFilter,
  match: TradeMatch | null,
  range: MsRange,
): Q<ListTotals> {
  const w = yield* tradeWhere(x, list, f, match, range)
  if (!w) return { total: 0, amount: 0 }
  const a = list.alias
  return (yield* one<ListTotals>(
    x,
    `SELECT count(*) AS total, coalesce(sum(${a}.amount), 0) AS amount FROM ${list.table} ${a} ${w}`,
    w.params,
  ))!
}

/**
 * The count and the sum of the amounts of a filter: from the kept per-day totals and the partial days
 * at a time range's edges, or row by row for a number search or the refunds of one pay order.
 */
export function* tradeTotals(
  x: Exec,
  list: TradeList,
  f: TradeFilter,
  match: TradeMatch | null,
): Q<ListTotals> {
  const range = tradeRange(f)
  // The kept totals know nothing of holds (docs/domain.md 6.7): the held trades are few and counted
  // row by row through their own index; the others are all of them less those.
  if (f.held === true && !match) return yield* rowTotals(x, list, f, null, range)
  if (f.held === false && !match) {
    const all = yield* tradeTotals(x, list, { ...f, held: undefined }, null)
    const held = yield* rowTotals(x, list, { ...f, held: true }, null, range)
    return { total: all.total - held.total, amount: all.amount - held.amount }
  }
  if (match || f.payOrderId !== undefined)
    return { ...(yield* rowTotals(x, list, f, match, range)), ...(match?.capped ? { capped: true } : {}) }
  const kept = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return { total: 0, amount: 0 }
    kept.add('merchant_id = ?', m.id)
  }
  kept.when(f.channel, 'channel = ?', f.channel)
  kept.when(f.status, 'status = ?', f.status)
  kept.when(f.result, 'outcome = ?', f.result)
  return yield* keptTotals(x, list.kept, kept, range, (edge) => rowTotals(x, list, f, null, edge))
}

/** The columns both trade tables have for the sync, the schedules and reconciliation. */
export interface TradeColumns {
  version: number
  updated_at: number
  last_sync_at: number | null
  last_sync_outcome: Outcome | null
  last_gateway_status: GatewayStatus | null
  sync_error_count: number
  next_sync_at: number | null
  import_id: number | null
  /** The batch whose pause or cancel keeps this trade out of the schedules (docs/domain.md 6.7). */
  held_by_batch: number | null
  reconciled_statement_id: number | null
  reconciled_at: number | null
  /** Read beside the row by a list or a lookup: the merchant's name, the holding batch's status. */
  merchant_name?: string
  held_batch_status?: BatchStatus | null
  /** The bill day of the statement that confirmed the trade. */
  reconciled_bill_date?: string | null
  /** 1 while the trade waits in the carry-over pool for another day's bill (docs/reconcile.md A15.3). */
  carried?: number
}

/**
 * What both trade views end with: the last sync, why the schedules skip the trade, and which
 * statement confirmed it or whether it waits for another day's bill.
 */
export function tradeSyncView(row: TradeColumns): TradeSyncView {
  return {
    version: row.version,
    lastSyncAt: isoOrNull(row.last_sync_at),
    lastSyncOutcome: row.last_sync_outcome,
    lastGatewayStatus: row.last_gateway_status,
    syncErrorCount: row.sync_error_count,
    heldBy: scheduleHold(row.held_by_batch, row.held_batch_status),
    reconcile: {
      state:
        row.reconciled_statement_id !== null
          ? 'reconciled'
          : row.carried
            ? 'pending_cross_day'
            : 'unreconciled',
      statementId: row.reconciled_statement_id,
      billDate: row.reconciled_bill_date ?? null,
    },
  }
}
