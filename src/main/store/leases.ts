import type { TradeType } from '../../shared/domain'
import type { Db } from './connection'
import { stmt } from './connection'
import { both, run, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// The per-trade lease of docs/domain.md 6.3. It lives in the database, so it holds across processes: the
// desktop app and a cron run of the command line never sync one trade at the same time. A lease whose
// holder died simply expires.

export function tradeKey(type: TradeType, id: number): string {
  return `${type}:${id}`
}

/** Takes the lease unless a live one is held by someone else. */
export function acquireLease(db: Db, key: string, owner: string, ttlMs: number, now = Date.now()): boolean {
  const r = stmt(
    db,
    `INSERT INTO trade_leases (trade_key, owner, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (trade_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE trade_leases.expires_at < ?`,
  ).run(key, owner, now + ttlMs, now)
  return r.changes === 1
}

/** Pushes a held lease's expiry on; false when it is no longer ours (it expired and someone took it). */
export function renewLease(db: Db, key: string, owner: string, ttlMs: number, now = Date.now()): boolean {
  return (
    stmt(db, 'UPDATE trade_leases SET expires_at = ? WHERE trade_key = ? AND owner = ?').run(
      now + ttlMs,
      key,
      owner,
    ).changes === 1
  )
}

export const releaseLeaseOn = both(function* (x: Exec, key: string, owner: string): Q<void> {
  yield* run(x, 'DELETE FROM trade_leases WHERE trade_key = ? AND owner = ?', [key, owner])
})

export const releaseLease = (db: Db, key: string, owner: string): void =>
  releaseLeaseOn.sync(sqliteExec(db), key, owner)

export function leaseOwner(db: Db, key: string): string | null {
  return (
    stmt<[string], { owner: string }>(db, 'SELECT owner FROM trade_leases WHERE trade_key = ?').get(key)
      ?.owner ?? null
  )
}

export function leaseOf(db: Db, key: string): { owner: string; expires_at: number } | undefined {
  return stmt<[string], { owner: string; expires_at: number }>(
    db,
    'SELECT owner, expires_at FROM trade_leases WHERE trade_key = ?',
  ).get(key)
}

/** Every holder of a lease now, for the opening's sweep of holders that are gone. */
export function leaseHolders(db: Db): string[] {
  return stmt<[], { owner: string }>(db, 'SELECT DISTINCT owner FROM trade_leases')
    .all()
    .map((r) => r.owner)
}

/**
 * Lets a gone holder's leases go, except one whose attempt announced a change with no answer written
 * yet: that intent keeps its trade until the opening has shown it (engine/sync/unknown.ts).
 */
export function releaseLeasesOfGone(db: Db, owner: string): number {
  return stmt(
    db,
    `DELETE FROM trade_leases WHERE owner = ?
       AND NOT EXISTS (SELECT 1 FROM sync_intents i WHERE i.holder = trade_leases.owner AND i.record_id IS NULL)`,
  ).run(owner).changes
}
