import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBatch, completeBatchItem } from '../../src/main/store/batches'
import { openStore, type Db } from '../../src/main/store/connection'
import { sqliteCoordination } from '../../src/main/store/coordination/sqlite'
import { coordinationContract } from '../helpers/coordination-contract'
import { tempDir } from '../helpers/world'

// The coordination contract on SQLite (docs/team-mode.md B8.5): two connections on one file, as the
// window and a cron run of the command line have.

const LEADER_TTL_MS = 300

coordinationContract('SQLite', async () => {
  const dir = tempDir('paysync-coord-')
  const file = path.join(dir, 'paysync.db')
  const [dbA, dbB] = [openStore(file), openStore(file)]
  const a = sqliteCoordination(dbA, { leaderTtlMs: LEADER_TTL_MS })
  const b = sqliteCoordination(dbB, { leaderTtlMs: LEADER_TTL_MS })
  return {
    a,
    b,
    async addBatch(items) {
      return createBatch(dbB, {
        name: 'together',
        sourceFile: null,
        importId: null,
        concurrency: 4,
        qps: 10,
        operator: 'tester',
        items: Array.from({ length: items }, (_, i) => ({ type: 'pay' as const, id: i + 1 })),
      })
    },
    async finish(ids) {
      for (const id of ids)
        completeBatchItem(dbB, id, {
          outcome: 'consistent',
          gatewayStatus: null,
          syncRecordId: null,
          error: null,
        })
    },
    async holders(batchId) {
      const rows = dbB
        .prepare('SELECT id, claimed_by FROM batch_items WHERE batch_id = ? ORDER BY id')
        .all(batchId) as Array<{ id: number; claimed_by: string | null }>
      return new Map(rows.map((r) => [r.id, r.claimed_by]))
    },
    // A dead process renews nothing: its connection is gone with it.
    async killLeaderA() {
      dbA.close()
    },
    deadLeaderMs: LEADER_TTL_MS,
    async close() {
      await a.close()
      await b.close()
      for (const db of [dbA, dbB]) if (db.open) db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
})

describe('claiming batch items on SQLite', () => {
  const plan = (db: Db) =>
    (
      db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM batch_items
            WHERE batch_id = ? AND state = 'pending' AND (claim_expires_at IS NULL OR claim_expires_at < ?)
            ORDER BY id LIMIT ?`,
        )
        .all(1, 0, 50) as Array<{ detail: string }>
    )
      .map((r) => r.detail)
      .join('\n')

  it('finds the next claimable items in the pending items index alone, in id order', () => {
    const db = openStore(':memory:')
    try {
      const p = plan(db)
      expect(p).toMatch(/USING COVERING INDEX idx_batch_items_claim/)
      expect(p).not.toMatch(/TEMP B-TREE/)
    } finally {
      db.close()
    }
  })
})

describe('one leader on SQLite, when its caller knows the holder is gone', () => {
  it('takes the leadership of a gone holder at once, and never that of a live one', async () => {
    const dir = tempDir('paysync-coord-')
    const file = path.join(dir, 'paysync.db')
    const [dbA, dbB] = [openStore(file), openStore(file)]
    // Thirty seconds: a lapsed lease cannot be what hands the leadership on here.
    const [a, b] = [sqliteCoordination(dbA), sqliteCoordination(dbB)]
    try {
      const live = await a.lead('nightly', 'A')
      const isGone = (holder: string) => holder === 'gone'
      // A live holder keeps it, whatever the caller thinks of others.
      expect(await b.lead('nightly', 'B', { holderIsGone: isGone })).toBeNull()
      await live!.release()
      // A process that led and died: its lease lives on for its whole lifetime.
      expect(await a.lead('nightly', 'gone')).not.toBeNull()
      dbA.close()
      expect(await b.lead('nightly', 'B')).toBeNull()
      const next = await b.lead('nightly', 'B', { holderIsGone: isGone })
      expect(next?.held()).toBe(true)
      expect(await b.leaderOf('nightly')).toBe('B')
      await next!.release()
    } finally {
      // A's leadership died with its connection: closing it gives back nothing, and says nothing.
      await a.close()
      await b.close()
      for (const db of [dbA, dbB]) if (db.open) db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
