import type { ListTotals } from '../../shared/entity-views'
import { BEIJING_OFFSET_MS } from '../../shared/time'
import { one, type Exec, type Q } from './sql/exec'
import type { Where } from './where'

// The count and the sums of a list's filter without reading its rows: the triggers of migrations 002
// and 005 keep them per Beijing day and per combination of the equality filters each list offers
// (plus all-time totals for the sync records). A filter's totals are then sums over a few thousand small
// rows, and the partial days at the edges of a time range are counted row by row.

const DAY_MS = 86_400_000

/** The Beijing day number of an instant, as the triggers compute it. */
export const beijingDay = (ms: number) => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS)
export const dayStart = (day: number) => day * DAY_MS - BEIJING_OFFSET_MS

/** `from` inclusive, `to` exclusive, epoch ms; null is open. */
export type MsRange = { from: number | null; to: number | null }

export interface KeptTable {
  /** Per Beijing day. */
  days: string
  /** All time, where kept. */
  totals?: string
  /** The kept column summed into `amount`, and for anomalies the one summed into `gatewayAmount`. */
  amount: string
  gatewayAmount?: string
}

export const KEPT = {
  records: { days: 'sync_record_days', totals: 'sync_record_totals', amount: 'amount' },
  payOrders: { days: 'pay_order_days', amount: 'amount' },
  refundOrders: { days: 'refund_order_days', amount: 'amount' },
  repairs: { days: 'repair_days', amount: 'amount' },
  anomalies: { days: 'anomaly_days', amount: 'local_amount', gatewayAmount: 'gateway_amount' },
} as const satisfies Record<string, KeptTable>

/**
 * Splits [from, to) into the whole Beijing days inside it and the partial spans at its edges, which
 * are counted row by row (at most two days' worth of rows).
 */
export function splitDays(
  from: number | null,
  to: number | null,
): { days: [number, number] | null; edges: Array<[number | null, number | null]> } {
  const first = from === null ? Number.MIN_SAFE_INTEGER : beijingDay(from - 1) + 1
  const last = to === null ? Number.MAX_SAFE_INTEGER : beijingDay(to) - 1
  if (first > last) return { days: null, edges: [[from, to]] }
  const edges: Array<[number | null, number | null]> = []
  if (from !== null && from < dayStart(first)) edges.push([from, dayStart(first)])
  if (to !== null && dayStart(last + 1) < to) edges.push([dayStart(last + 1), to])
  return { days: [first, last], edges }
}

// Written in the SQL both stores read (exec.ts): coalesce, and a quoted alias where its case matters.
function sumsSql(t: KeptTable): string {
  const gateway = t.gatewayAmount ? `, coalesce(sum(${t.gatewayAmount}), 0) AS "gatewayAmount"` : ''
  return `coalesce(sum(n), 0) AS total, coalesce(sum(${t.amount}), 0) AS amount${gateway}`
}

export function addTotals(a: ListTotals, b: ListTotals): ListTotals {
  const sum: ListTotals = { total: a.total + b.total, amount: a.amount + b.amount }
  if (a.gatewayAmount !== undefined || b.gatewayAmount !== undefined)
    sum.gatewayAmount = (a.gatewayAmount ?? 0) + (b.gatewayAmount ?? 0)
  return sum
}

/**
 * The totals of a filter the kept rows can answer: `kept` holds its conditions on the kept columns (the
 * days of `range` are added to it), `range` is its time range, and `rows` counts a partial day at an
 * edge of the range row by row.
 */
export function* keptTotals(
  x: Exec,
  table: KeptTable,
  kept: Where,
  range: MsRange,
  rows: (edge: MsRange) => Q<ListTotals>,
): Q<ListTotals> {
  if (range.from === null && range.to === null && table.totals)
    return (yield* one<ListTotals>(x, `SELECT ${sumsSql(table)} FROM ${table.totals} ${kept}`, kept.params))!
  const { days, edges } = splitDays(range.from, range.to)
  let totals: ListTotals = { total: 0, amount: 0, ...(table.gatewayAmount ? { gatewayAmount: 0 } : {}) }
  if (days) {
    if (days[0] !== Number.MIN_SAFE_INTEGER) kept.add('day >= ?', days[0])
    if (days[1] !== Number.MAX_SAFE_INTEGER) kept.add('day <= ?', days[1])
    totals = addTotals(
      totals,
      (yield* one<ListTotals>(x, `SELECT ${sumsSql(table)} FROM ${table.days} ${kept}`, kept.params))!,
    )
  }
  for (const [from, to] of edges) totals = addTotals(totals, yield* rows({ from, to }))
  return totals
}

/** Up to this many rows, sorting a filter's rows by amount is quick (a few milliseconds). */
const SORT_IN_MEMORY = 20_000

/**
 * How a list sorted by amount reads its rows. A filter's own index (status, merchant...) finds its
 * rows but leaves them to be sorted, which at hundreds of thousands of rows takes a second; walking the
 * amount index in order and checking each row finds a page of a large filter in a few thousand steps.
 * The filter's total, known before the page is read, says which (SQLite here keeps no statistics to
 * tell them apart).
 */
export function amountOrderIndex(x: Exec, sort: string | undefined, total: number, index: string): string {
  // PostgreSQL keeps statistics and chooses for itself; it has no index hints.
  return x.dialect === 'sqlite' && sort?.endsWith('amount') && total > SORT_IN_MEMORY
    ? `INDEXED BY ${index}`
    : ''
}
