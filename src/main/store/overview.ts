import { BEIJING_OFFSET_MS } from '../../shared/time'
import { all, one, type Exec, type Q } from './sql/exec'

// Aggregates for the overview screen. Each reads a bounded time range through an index. Written once
// (store/sql/exec.ts): the desktop's file and a team database read the same figures
// (docs/team-mode.md B8.13).

const DAY = 86_400_000

export function beijingDayStart(now: number): number {
  return Math.floor((now + BEIJING_OFFSET_MS) / DAY) * DAY - BEIJING_OFFSET_MS
}

function* count(x: Exec, sql: string, params: readonly unknown[] = []): Q<number> {
  return (yield* one<{ n: number }>(x, sql, params))!.n
}

export function* todayCounts(
  x: Exec,
  now: number,
): Q<{ syncs: number; repairs: number; errors: number; openAnomalies: number }> {
  const since = beijingDayStart(now)
  return {
    syncs: yield* count(x, 'SELECT count(*) AS n FROM sync_records WHERE created_at >= ?', [since]),
    repairs: yield* count(
      x,
      'SELECT count(DISTINCT repair_no) AS n FROM repair_records WHERE created_at >= ?',
      [since],
    ),
    errors: yield* count(
      x,
      "SELECT count(*) AS n FROM sync_records WHERE outcome = 'error' AND created_at >= ?",
      [since],
    ),
    openAnomalies: yield* count(x, "SELECT count(*) AS n FROM anomalies WHERE status = 'open'"),
  }
}

export function* dailyOutcomes(
  x: Exec,
  now: number,
  days: number,
): Q<Array<{ day: number; outcome: string; n: number }>> {
  const since = beijingDayStart(now) - (days - 1) * DAY
  // Numbers bound from JavaScript arrive as REAL on SQLite; the CAST keeps the division a whole day
  // number. PostgreSQL divides bigints whole already, and a day in ms needs more than its integer.
  const whole = x.dialect === 'pg' ? 'bigint' : 'INTEGER'
  return yield* all(
    x,
    `SELECT CAST((created_at + ?) / ? AS ${whole}) * ? - ? AS day, outcome, count(*) AS n FROM sync_records
     WHERE created_at >= ? GROUP BY day, outcome ORDER BY day`,
    [BEIJING_OFFSET_MS, DAY, DAY, BEIJING_OFFSET_MS, since],
  )
}

export function* channelTotals(
  x: Exec,
  since: number,
): Q<Array<{ channel: string; outcome: string; n: number }>> {
  return yield* all(
    x,
    `SELECT channel, outcome, count(*) AS n FROM sync_records WHERE created_at >= ?
     GROUP BY channel, outcome ORDER BY channel, outcome`,
    [since],
  )
}

export function* openAnomaliesByKind(x: Exec): Q<Array<{ kind: string; n: number }>> {
  return yield* all(
    x,
    // Kinds with as many open anomalies in the order of their names, the same on both stores.
    "SELECT kind, count(*) AS n FROM anomalies WHERE status = 'open' GROUP BY kind ORDER BY n DESC, kind",
  )
}

export function* pendingCounts(x: Exec): Q<{ pay: number; refund: number }> {
  return {
    pay: yield* count(x, "SELECT count(*) AS n FROM pay_orders WHERE status = 'progress'"),
    refund: yield* count(x, "SELECT count(*) AS n FROM refund_orders WHERE status = 'progress'"),
  }
}
