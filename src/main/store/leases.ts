import type { TradeType } from '../../shared/domain'
import type { Db } from './connection'
import { PG_NOW_MS } from './pg/clock'
import { all, both, one, run, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// The per-trade lease of docs/domain.md 6.3. It lives in the database, so it holds across processes: the
// desktop app and a cron run of the command line never sync one trade at the same time. A lease whose
// holder died simply expires.

export function tradeKey(type: TradeType, id: number): string {
  return `${type}:${id}`
}

/**
 * Takes the lease unless a live one is held by someone else. The expiry is reckoned by the process's
 * clock on SQLite (the processes of one computer) and by the database's on a team database, whose
 * desktops' clocks differ (docs/team-mode.md B8.5); `now` is then not used.
 */
export const acquireLeaseOn = both(function* (
  x: Exec,
  key: string,
  owner: string,
  ttlMs: number,
  now: number,
): Q<boolean> {
  const changed =
    x.dialect === 'pg'
      ? yield* run(
          x,
          `INSERT INTO trade_leases (trade_key, owner, expires_at) VALUES (?, ?, ${PG_NOW_MS} + ?::bigint)
           ON CONFLICT (trade_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE trade_leases.expires_at < ${PG_NOW_MS}`,
          [key, owner, ttlMs],
        )
      : yield* run(
          x,
          `INSERT INTO trade_leases (trade_key, owner, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (trade_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE trade_leases.expires_at < ?`,
          [key, owner, now + ttlMs, now],
        )
  return changed === 1
})

export const acquireLease = (db: Db, key: string, owner: string, ttlMs: number, now = Date.now()): boolean =>
  acquireLeaseOn.sync(sqliteExec(db), key, owner, ttlMs, now)

/**
 * Pushes a held lease's expiry on; false when it is no longer ours (it expired and someone took it).
 * On a team database the expiry is the database's clock, as where it was taken (acquireLeaseOn).
 */
export const renewLeaseOn = both(function* (
  x: Exec,
  key: string,
  owner: string,
  ttlMs: number,
  now: number,
): Q<boolean> {
  const changed =
    x.dialect === 'pg'
      ? yield* run(
          x,
          `UPDATE trade_leases SET expires_at = ${PG_NOW_MS} + ?::bigint WHERE trade_key = ? AND owner = ?`,
          [ttlMs, key, owner],
        )
      : yield* run(x, 'UPDATE trade_leases SET expires_at = ? WHERE trade_key = ? AND owner = ?', [
          now + ttlMs,
          key,
          owner,
        ])
  return changed === 1
})

export const renewLease = (db: Db, key: string, owner: string, ttlMs: number, now = Date.now()): boolean =>
  renewLeaseOn.sync(sqliteExec(db), key, owner, ttlMs, now)

export const releaseLeaseOn = both(function* (x: Exec, key: string, owner: string): Q<void> {
  yield* send(x, 'DELETE FROM trade_leases WHERE trade_key = ? AND owner = ?', [key, owner])
})

export const releaseLease = (db: Db, key: string, owner: string): void =>
  releaseLeaseOn.sync(sqliteExec(db), key, owner)

export const leaseOwnerOn = both(function* (x: Exec, key: string): Q<string | null> {
  return (
    (yield* one<{ owner: string }>(x, 'SELECT owner FROM trade_leases WHERE trade_key = ?', [key]))?.owner ??
    null
  )
})

export const leaseOwner = (db: Db, key: string): string | null => leaseOwnerOn.sync(sqliteExec(db), key)

export function* leaseOf(x: Exec, key: string): Q<{ owner: string; expires_at: number } | undefined> {
  return yield* one<{ owner: string; expires_at: number }>(
    x,
    'SELECT owner, expires_at FROM trade_leases WHERE trade_key = ?',
    [key],
  )
}

/** Every holder of a lease now, for the opening's sweep of holders that are gone. */
export const leaseHoldersOn = both(function* (x: Exec): Q<string[]> {
  return (yield* all<{ owner: string }>(x, 'SELECT DISTINCT owner FROM trade_leases')).map((r) => r.owner)
})

export const leaseHolders = (db: Db): string[] => leaseHoldersOn.sync(sqliteExec(db))

/**
 * Lets a gone holder's leases go, except one whose attempt announced a change with no answer written
 * yet: that intent keeps its trade until the opening has shown it (engine/sync/unknown.ts).
 */
export const releaseLeasesOfGoneOn = both(function* (x: Exec, owner: string): Q<number> {
  return yield* run(
    x,
    `DELETE FROM trade_leases WHERE owner = ?
       AND NOT EXISTS (SELECT 1 FROM sync_intents i WHERE i.holder = trade_leases.owner AND i.record_id IS NULL)`,
    [owner],
  )
})

export const releaseLeasesOfGone = (db: Db, owner: string): number =>
  releaseLeasesOfGoneOn.sync(sqliteExec(db), owner)
