import type { RecordFilter } from '../../shared/filters'
import { BEIJING_OFFSET_MS } from '../../shared/time'
import type { Db } from './connection'
import { stmt } from './connection'
import { Where } from './where'

// The totals kept by the triggers of migration 002: how the sync record list counts a
// filter over millions of rows without reading them.

const DAY_MS = 86_400_000

/** The Beijing day number of an instant, as the triggers compute it. */
export const beijingDay = (ms: number) => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS)
export const dayStart = (day: number) => day * DAY_MS - BEIJING_OFFSET_MS

/** Only filters on the kept columns (and time) can be counted from the totals. */
export function countable(f: RecordFilter): boolean {
  return f.batchId === undefined && f.tradeId === undefined && !f.no
}

function keptWhere(f: RecordFilter, merchantId: number | null): Where {
  const w = new Where()
  if (merchantId !== null) w.add('merchant_id = ?', merchantId)
  w.when(f.type, 'trade_type = ?', f.type)
  w.when(f.channel, 'channel = ?', f.channel)
  w.when(f.status, 'gateway_status = ?', f.status)
  w.when(f.result, 'outcome = ?', f.result)
  w.when(f.source, 'source = ?', f.source)
  if (f.repaired !== undefined) w.add('repaired = ?', f.repaired ? 1 : 0)
  return w
}

/** All-time count of a countable filter. */
export function keptTotal(db: Db, f: RecordFilter, merchantId: number | null): number {
  const w = keptWhere(f, merchantId)
  return (
    stmt(db, `SELECT ifnull(sum(n), 0) AS n FROM sync_record_totals ${w}`).get(...w.params) as { n: number }
  ).n
}

/** Count of a countable filter over whole Beijing days `first`..`last`. */
export function keptDays(
  db: Db,
  f: RecordFilter,
  merchantId: number | null,
  first: number,
  last: number,
): number {
  const w = keptWhere(f, merchantId).add('day BETWEEN ? AND ?', first, last)
  return (
    stmt(db, `SELECT ifnull(sum(n), 0) AS n FROM sync_record_days ${w}`).get(...w.params) as { n: number }
  ).n
}

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
