import type { BatchStatus } from '../../shared/domain'
import type { Db } from './connection'
import { stmt } from './connection'
import { all, both, one, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// The heads of what the window lists (docs/team-mode.md B8.5, "The window follows the others"): a few
// figures that move whenever a row is added or changed the way the screens show, each read by one
// seek in an index (tests/store/heads.test.ts checks the plans), so they can be read again every time
// another connection commits. Two readings compared say which lists moved; the lists themselves are
// read through their usual operations.

/** A batch not over yet: what its screen shows moves with its status and its latest record. */
export interface OpenBatchHead {
  id: number
  status: BatchStatus
  /** Which process runs it (its engine's owner), or ran it last. */
  owner: string | null
  heartbeatAt: number | null
  /** When its latest sync record was written: moves on while it runs, and while a paused one's last calls come back. */
  lastRecordAt: number | null
}

export interface Heads {
  records: { maxId: number }
  anomalies: { maxId: number; open: number }
  statements: { maxId: number; updatedAt: number }
  batches: { maxId: number; open: OpenBatchHead[] }
  merchants: { maxId: number; updatedAt: number }
  /**
   * When rows the lists show were last deleted (an older version's demo removed, B8.20): the other
   * heads see rows added and changed, and a deletion may move none of them.
   */
  removed: { at: number }
}

const maxIdOf = (table: 'sync_records' | 'anomalies' | 'statements' | 'batches' | 'merchants'): string =>
  `SELECT coalesce(max(id), 0) AS n FROM ${table}`

/** The heads, written once (store/sql/exec.ts): the file's connection, or a team database's pool. */
export const readHeadsOn = both(function* (x: Exec): Q<Heads> {
  const n = function* (sql: string): Q<number> {
    return (yield* one<{ n: number }>(x, sql))!.n
  }
  const open = yield* all<{
    id: number
    status: BatchStatus
    owner: string | null
    heartbeatAt: number | null
  }>(
    x,
    `SELECT id, status, owner, heartbeat_at AS "heartbeatAt" FROM batches
      WHERE status IN ('pending', 'running', 'paused', 'interrupted')`,
  )
  const heads: Heads = {
    records: { maxId: yield* n(maxIdOf('sync_records')) },
    anomalies: {
      maxId: yield* n(maxIdOf('anomalies')),
      open: yield* n("SELECT count(*) AS n FROM anomalies WHERE status = 'open'"),
    },
    statements: {
      maxId: yield* n(maxIdOf('statements')),
      updatedAt: yield* n('SELECT coalesce(max(updated_at), 0) AS n FROM statements'),
    },
    batches: { maxId: yield* n(maxIdOf('batches')), open: [] },
    merchants: {
      maxId: yield* n(maxIdOf('merchants')),
      updatedAt: yield* n('SELECT coalesce(max(updated_at), 0) AS n FROM merchants'),
    },
    // The one audit action that deletes rows the window lists; one seek in idx_audit_log_action.
    removed: {
      at: yield* n("SELECT coalesce(max(created_at), 0) AS n FROM audit_log WHERE action = 'demo_removed'"),
    },
  }
  for (const b of open.sort((a, b) => a.id - b.id)) {
    const last = yield* one<{ at: number | null }>(
      x,
      'SELECT max(created_at) AS at FROM sync_records WHERE batch_id = ?',
      [b.id],
    )
    heads.batches.open.push({ ...b, lastRecordAt: last?.at ?? null })
  }
  return heads
})

export const readHeads = (db: Db): Heads => readHeadsOn.sync(sqliteExec(db))

export interface BatchState {
  status: BatchStatus
  owner: string | null
}

/** The statuses and runners of batches by id, for those that left the batches not yet over. */
export const batchStatesOn = both(function* (x: Exec, ids: number[]): Q<Map<number, BatchState>> {
  const out = new Map<number, BatchState>()
  for (const id of ids) {
    const row = yield* one<BatchState>(x, 'SELECT status, owner FROM batches WHERE id = ?', [id])
    if (row) out.set(id, row)
  }
  return out
})

export const batchStates = (db: Db, ids: number[]): Map<number, BatchState> =>
  batchStatesOn.sync(sqliteExec(db), ids)

/**
 * Two counters of this connection: `others` moves when another connection (another process, or a
 * thread of this one) committed (PRAGMA data_version), `own` when this connection changed rows
 * (total_changes()). Reading them costs no page of the file.
 */
export function commitCounters(db: Db): { others: number; own: number } {
  return {
    others: db.pragma('data_version', { simple: true }) as number,
    own: stmt<[], { n: number }>(db, 'SELECT total_changes() AS n').get()!.n,
  }
}
