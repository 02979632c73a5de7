import { PG_NOW_MS } from '../pg/clock'
import { openPgPool, type PgTarget } from '../pg/connect'
import { claimReturning, toClaimed, type ClaimRow } from './claimed'
import { payloadText } from './messages'
import { leaderOnPg, leadOnPg } from './pg-leader'
import { channelOf, PgListener } from './pg-messages'
import { checkLimit, checkTtl } from './bounds'
import type { Coordination, Leadership } from './types'

// Working together on a team database (docs/team-mode.md B4, B8.5). The desktops' clocks differ, so
// no time that decides who holds what comes from one: every expiry is computed and compared in SQL on
// the database's clock, in epoch milliseconds like every time PaySync stores. Short statements go
// through a small pool; a leader's lock and the listeners hold connections of their own.

const NOW_MS = PG_NOW_MS

export interface PgCoordinationOptions {
  /** Connections for leases, claims and messages (leaders and listeners have their own). */
  poolSize?: number
}

export function pgCoordination(target: PgTarget, options: PgCoordinationOptions = {}): Coordination {
  const pool = openPgPool(target, options.poolSize ?? 4)
  const listener = new PgListener(target)
  const leaderships = new Set<Leadership>()
  let closed = false
  return {
    dialect: 'postgres',
    async now() {
      return (await pool.query<{ ms: number }>(`SELECT ${NOW_MS} AS ms`)).rows[0]!.ms
    },
    async acquireLease(key, owner, ttlMs) {
      // One row back means taken: inserted, or an expired holder's row taken over (B4).
      const r = await pool.query(
        `INSERT INTO trade_leases (trade_key, owner, expires_at) VALUES ($1, $2, ${NOW_MS} + $3::bigint)
         ON CONFLICT (trade_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE trade_leases.expires_at < ${NOW_MS}
         RETURNING owner`,
        [key, owner, checkTtl(ttlMs)],
      )
      return r.rowCount === 1
    },
    async renewLease(key, owner, ttlMs) {
      const r = await pool.query(
        `UPDATE trade_leases SET expires_at = ${NOW_MS} + $3::bigint WHERE trade_key = $1 AND owner = $2`,
        [key, owner, checkTtl(ttlMs)],
      )
      return r.rowCount === 1
    },
    async releaseLease(key, owner) {
      await pool.query('DELETE FROM trade_leases WHERE trade_key = $1 AND owner = $2', [key, owner])
    },
    async leaseHolders(prefix) {
      const r = await pool.query<{ owner: string; expires_at: string }>(
        `SELECT owner, expires_at FROM trade_leases
          WHERE left(trade_key, length($1)) = $1 AND expires_at >= ${NOW_MS} ORDER BY owner`,
        [prefix],
      )
      return r.rows.map((row) => ({ owner: row.owner, expiresAt: Number(row.expires_at) }))
    },
    async claimItems(batchId, owner, limit, ttlMs) {
      // SKIP LOCKED: items another desktop is claiming this instant are stepped over, not waited for.
      // One that desktop claimed just before is read again once its lock is free, and its live claim
      // then keeps it out.
      const r = await pool.query<ClaimRow>(
        `WITH picked AS (
           SELECT id FROM batch_items
            WHERE batch_id = $1 AND state = 'pending'
              AND (claim_expires_at IS NULL OR claim_expires_at < ${NOW_MS})
            ORDER BY id LIMIT $2
            FOR UPDATE SKIP LOCKED)
         UPDATE batch_items b SET claimed_by = $3, claim_expires_at = ${NOW_MS} + $4::bigint
           FROM picked WHERE b.id = picked.id
         RETURNING ${claimReturning('b.')}`,
        [batchId, checkLimit(limit), owner, checkTtl(ttlMs)],
      )
      return toClaimed(r.rows)
    },
    async renewClaims(batchId, owner, ttlMs) {
      const r = await pool.query(
        `UPDATE batch_items SET claim_expires_at = ${NOW_MS} + $3::bigint
          WHERE batch_id = $1 AND claimed_by = $2 AND state = 'pending'`,
        [batchId, owner, checkTtl(ttlMs)],
      )
      return r.rowCount ?? 0
    },
    async releaseClaim(itemId, owner) {
      const r = await pool.query(
        `UPDATE batch_items SET claimed_by = NULL, claim_expires_at = NULL
          WHERE id = $1 AND claimed_by = $2 AND state = 'pending'`,
        [itemId, owner],
      )
      return r.rowCount === 1
    },
    async releaseClaims(batchId, owner, keep = []) {
      const r = await pool.query(
        `UPDATE batch_items SET claimed_by = NULL, claim_expires_at = NULL
          WHERE batch_id = $1 AND claimed_by = $2 AND state = 'pending' AND NOT (id = ANY($3::bigint[]))`,
        [batchId, owner, keep],
      )
      return r.rowCount ?? 0
    },
    async claimHolders(batchId) {
      // count and max come back as bigint text from node-postgres: numbers here, as on SQLite.
      const r = await pool.query<{ owner: string | null; items: string; expires_at: string | null }>(
        `SELECT claimed_by AS owner, count(*) AS items, max(claim_expires_at) AS expires_at
           FROM batch_items WHERE batch_id = $1 AND state = 'pending' GROUP BY claimed_by
          ORDER BY claimed_by NULLS FIRST`,
        [batchId],
      )
      return r.rows.map((row) => ({
        owner: row.owner,
        items: Number(row.items),
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      }))
    },
    async lead(name, owner) {
      const held = await leadOnPg(target, name, owner)
      if (!held) return null
      // close() ran while the lock was being taken: nobody would release this session's lock.
      if (closed) {
        await held.release()
        return null
      }
      leaderships.add(held)
      void held.ended.then(() => leaderships.delete(held))
      return held
    },
    leaderOf: (name) => leaderOnPg(pool, name),
    async notify(topic, payload) {
      // pg_notify takes the channel as a value; the topic is checked all the same, as LISTEN's is.
      await pool.query('SELECT pg_notify($1, $2)', [channelOf(topic), payloadText(payload)])
    },
    listen: (topic, handler) => listener.listen(topic, handler),
    async close() {
      if (closed) return
      closed = true
      for (const held of [...leaderships]) await held.release()
      await listener.close()
      await pool.end()
    },
  }
}
