import type { Db } from '../connection'
import { stmt } from '../connection'
import { acquireLease, releaseLease, renewLease } from '../leases'
import { claimReturning, toClaimed, type ClaimRow } from './claimed'
import { localListen, localNotify } from './local-bus'
import { leaderOnSqlite, leadOnSqlite } from './sqlite-leader'
import { checkLimit, checkTtl } from './bounds'
import type { ClaimHolder, Coordination, Leadership, Unlisten } from './types'

// Working together on one SQLite file (docs/team-mode.md B8.5): the processes of one computer, so one
// clock, the process's, which today's leases already use (store/leases.ts). Every part here is one
// statement or one immediate transaction on the given connection; the connection stays the caller's.

export interface SqliteCoordinationOptions {
  /** How long a leader's lease lasts without renewal: how long a dead leader keeps the others waiting. */
  leaderTtlMs?: number
}

export function sqliteCoordination(db: Db, options: SqliteCoordinationOptions = {}): Coordination {
  const leaderTtlMs = checkTtl(options.leaderTtlMs ?? 30_000)
  const leaderships = new Set<Leadership>()
  const listeners = new Set<Unlisten>()
  return {
    dialect: 'sqlite',
    now: async () => Date.now(),
    acquireLease: async (key, owner, ttlMs) => acquireLease(db, key, owner, checkTtl(ttlMs)),
    renewLease: async (key, owner, ttlMs) => renewLease(db, key, owner, checkTtl(ttlMs)),
    releaseLease: async (key, owner) => releaseLease(db, key, owner),
    async leaseHolders(prefix) {
      // The lease table holds a row per trade in work: a few dozen, so a scan costs nothing.
      return stmt<[string, string, number], { owner: string; expiresAt: number }>(
        db,
        `SELECT owner, expires_at AS expiresAt FROM trade_leases
          WHERE substr(trade_key, 1, length(?)) = ? AND expires_at >= ? ORDER BY owner`,
      ).all(prefix, prefix, Date.now())
    },
    async claimItems(batchId, owner, limit, ttlMs) {
      checkTtl(ttlMs)
      checkLimit(limit)
      const now = Date.now()
      // Immediate: the write lock is taken before the items are read. A deferred transaction would
      // read first, and a process that wrote meanwhile would make its upgrade fail at once with
      // SQLITE_BUSY, with no wait for the busy timeout.
      const rows = db
        .transaction(() =>
          stmt<[string, number, number, number, number], ClaimRow>(
            db,
            `UPDATE batch_items SET claimed_by = ?, claim_expires_at = ?
              WHERE id IN (SELECT id FROM batch_items
                            WHERE batch_id = ? AND state = 'pending'
                              AND (claim_expires_at IS NULL OR claim_expires_at < ?)
                            ORDER BY id LIMIT ?)
             RETURNING ${claimReturning()}`,
          ).all(owner, now + ttlMs, batchId, now, limit),
        )
        .immediate()
      return toClaimed(rows)
    },
    async renewClaims(batchId, owner, ttlMs) {
      return stmt(
        db,
        `UPDATE batch_items SET claim_expires_at = ?
          WHERE batch_id = ? AND claimed_by = ? AND state = 'pending'`,
      ).run(Date.now() + checkTtl(ttlMs), batchId, owner).changes
    },
    async releaseClaim(itemId, owner) {
      return (
        stmt(
          db,
          `UPDATE batch_items SET claimed_by = NULL, claim_expires_at = NULL
            WHERE id = ? AND claimed_by = ? AND state = 'pending'`,
        ).run(itemId, owner).changes === 1
      )
    },
    async releaseClaims(batchId, owner, keep = []) {
      return stmt(
        db,
        `UPDATE batch_items SET claimed_by = NULL, claim_expires_at = NULL
          WHERE batch_id = ? AND claimed_by = ? AND state = 'pending'
            AND id NOT IN (SELECT value FROM json_each(?))`,
      ).run(batchId, owner, JSON.stringify(keep)).changes
    },
    async claimHolders(batchId) {
      return stmt<[number], ClaimHolder>(
        db,
        `SELECT claimed_by AS owner, count(*) AS items, max(claim_expires_at) AS expiresAt
           FROM batch_items WHERE batch_id = ? AND state = 'pending' GROUP BY claimed_by ORDER BY claimed_by`,
      ).all(batchId)
    },
    async lead(name, owner, options) {
      const held = leadOnSqlite(db, name, owner, leaderTtlMs, options)
      if (!held) return null
      leaderships.add(held)
      void held.ended.then(() => leaderships.delete(held))
      return held
    },
    leaderOf: async (name) => leaderOnSqlite(db, name),
    notify: async (topic, payload) => localNotify(db, topic, payload),
    async listen(topic, handler) {
      const unlisten = localListen(db, topic, handler)
      listeners.add(unlisten)
      return async () => {
        listeners.delete(unlisten)
        await unlisten()
      }
    },
    async close() {
      for (const held of [...leaderships]) await held.release().catch(() => {})
      for (const unlisten of [...listeners]) await unlisten()
      listeners.clear()
    },
  }
}
