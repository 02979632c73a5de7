import { stmt, type Db } from '../connection'
import { acquireLease, leaseOf, leaseOwner, releaseLease, renewLease } from '../leases'
import { both } from '../sql/exec'
import { sqliteExec } from '../sql/sqlite-exec'
import { Held } from './leadership'
import type { LeadOptions, Leadership } from './types'

// One leader on SQLite: a lease in trade_leases under a key no trade has, renewed while its holder
// lives. A holder that dies stops renewing, and its lease expires after `ttlMs`; another process then
// takes it. A holder that misses its renewals (a suspended laptop) and finds the lease gone has lost.

const leaderKey = (name: string): string => `leader:${name}`

export function leadOnSqlite(
  db: Db,
  name: string,
  owner: string,
  ttlMs: number,
  options: LeadOptions = {},
): Leadership | null {
  const key = leaderKey(name)
  if (!acquireLease(db, key, owner, ttlMs) && !takeOverFromGone(db, key, owner, ttlMs, options)) return null
  const timer = setInterval(
    () => {
      let ours = false
      try {
        ours = renewLease(db, key, owner, ttlMs)
      } catch {
        // The connection closed or the file went away: whoever leads now, it is not this holder.
      }
      if (ours) return
      clearInterval(timer)
      held.end('lost')
    },
    // Three renewals a lifetime: one missed renewal is not yet a lost lease.
    Math.max(1, Math.floor(ttlMs / 3)),
  )
  timer.unref()
  const held = new Held(name, owner, async () => {
    clearInterval(timer)
    releaseLease(db, key, owner)
  })
  return held
}

/**
 * A holder its caller knows is gone (a crashed app on the same books, restarted) would keep the
 * lease until it lapses: taken at once instead, by a compare-and-set on that holder, so a live
 * process that took the lease meanwhile keeps it.
 */
function takeOverFromGone(db: Db, key: string, owner: string, ttlMs: number, options: LeadOptions): boolean {
  const holder = options.holderIsGone ? leaseOwner(db, key) : null
  if (!holder || holder === owner || !options.holderIsGone?.(holder)) return false
  return (
    stmt(db, 'UPDATE trade_leases SET owner = ?, expires_at = ? WHERE trade_key = ? AND owner = ?').run(
      owner,
      Date.now() + ttlMs,
      key,
      holder,
    ).changes === 1
  )
}

/** Who holds the job's lease, while it has not expired: a dead leader's lease still names it until then. */
export function leaderOnSqlite(db: Db, name: string, now = Date.now()): string | null {
  const lease = both(leaseOf).sync(sqliteExec(db), leaderKey(name))
  return lease && lease.expires_at >= now ? lease.owner : null
}
