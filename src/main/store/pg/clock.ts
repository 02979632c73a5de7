import { both, one, type Exec, type Q } from '../sql/exec'

// The database's clock in epoch milliseconds, as SQL (docs/team-mode.md B8.5): desktops' clocks
// differ, so every expiry that decides who holds what is computed and compared with this.
// clock_timestamp, not now(): the time of the statement, not of its transaction's start.
export const PG_NOW_MS = 'floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint'

/** The database's clock now, for a comparison made in the program with times it wrote. */
export const databaseNow = both(function* (x: Exec): Q<number> {
  const row = yield* one<{ ms: number }>(x, `SELECT ${PG_NOW_MS} AS ms`)
  return Number(row!.ms)
})
