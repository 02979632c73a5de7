// The numbers a caller gives, checked once for both stores, where one of them would take a mistake
// silently: PostgreSQL adds a time to its clock as a bigint and SQLite to the process's, so a fraction
// or a negative number means something else on each; and SQLite reads LIMIT -1 as "no limit".

/** A day: longer than any lease, claim or leadership needs, and a third of it still fits a timer. */
const MAX_TTL_MS = 86_400_000

export function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS)
    throw new RangeError(
      `a lease or claim lasts a whole number of milliseconds above 0 and at most a day, not ${ttlMs}`,
    )
  return ttlMs
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit <= 0)
    throw new RangeError(`a claim takes a whole number of items above 0, not ${limit}`)
  return limit
}
