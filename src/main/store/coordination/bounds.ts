// The numbers a caller gives, checked once for both stores, where one of them would take a mistake
// silently: PostgreSQL adds a time to its clock as a bigint and SQLite to the process's, so a fraction
// or a negative number means something else on each; and SQLite reads LIMIT -1 as "no limit".

export function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`a lease or claim lasts a whole number of milliseconds above 0, not ${ttlMs}`)
  return ttlMs
}

export function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit <= 0)
    throw new RangeError(`a claim takes a whole number of items above 0, not ${limit}`)
  return limit
}
