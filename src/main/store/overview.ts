import { BEIJING_OFFSET_MS } from '../../shared/time'
import type { Db } from './connection'
import { stmt } from './connection'

// Aggregates for the overview screen. Each reads a bounded time range through an index.

const DAY = 86_400_000

export function beijingDayStart(now: number): number {
  return Math.floor((now + BEIJING_OFFSET_MS) / DAY) * DAY - BEIJING_OFFSET_MS
}

export function todayCounts(
  db: Db,
  now: number,
): { syncs: number; repairs: number; errors: number; openAnomalies: number } {
  const since = beijingDayStart(now)
  const syncs = (
    stmt(db, 'SELECT count(*) AS n FROM sync_records WHERE created_at >= ?').get(since) as { n: number }
  ).n
  const errors = (
    stmt(db, "SELECT count(*) AS n FROM sync_records WHERE outcome = 'error' AND created_at >= ?").get(
      since,
    ) as { n: number }
  ).n
  const repairs = (
    stmt(db, 'SELECT count(DISTINCT repair_no) AS n FROM repair_records WHERE created_at >= ?').get(
      since,
    ) as { n: number }
  ).n
  const openAnomalies = (
    stmt(db, "SELECT count(*) AS n FROM anomalies WHERE status = 'open'").get() as { n: number }
  ).n
  return { syncs, repairs, errors, openAnomalies }
}

export function dailyOutcomes(
  db: Db,
  now: number,
  days: number,
): Array<{ day: number; outcome: string; n: number }> {
  const since = beijingDayStart(now) - (days - 1) * DAY
  return stmt<[number, number, number, number, number], { day: number; outcome: string; n: number }>(
    db,
    // Numbers bound from JavaScript arrive as REAL; CAST keeps the division a whole day number.
    `SELECT CAST((created_at + ?) / ? AS INTEGER) * ? - ? AS day, outcome, count(*) AS n FROM sync_records

     WHERE created_at >= ? GROUP BY day, outcome ORDER BY day`,
  ).all(BEIJING_OFFSET_MS, DAY, DAY, BEIJING_OFFSET_MS, since)
}

export function channelTotals(db: Db, since: number): Array<{ channel: string; outcome: string; n: number }> {
  return stmt<[number], { channel: string; outcome: string; n: number }>(
    db,
    'SELECT channel, outcome, count(*) AS n FROM sync_records WHERE created_at >= ? GROUP BY channel, outcome',
  ).all(since)
}

export function openAnomaliesByKind(db: Db): Array<{ kind: string; n: number }> {
  return stmt<[], { kind: string; n: number }>(
    db,
    "SELECT kind, count(*) AS n FROM anomalies WHERE status = 'open' GROUP BY kind ORDER BY n DESC",
  ).all()
}

export function pendingCounts(db: Db): { pay: number; refund: number } {
  const pay = (
    stmt(db, "SELECT count(*) AS n FROM pay_orders WHERE status = 'progress'").get() as { n: number }
  ).n
  const refund = (
    stmt(db, "SELECT count(*) AS n FROM refund_orders WHERE status = 'progress'").get() as { n: number }
  ).n
  return { pay, refund }
}
