import type { BatchStatus } from '../../shared/domain'
import type { Db } from './connection'
import { stmt } from './connection'

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
}

const maxId = (db: Db, table: 'sync_records' | 'anomalies' | 'statements' | 'batches'): number =>
  stmt<[], { n: number }>(db, `SELECT ifnull(max(id), 0) AS n FROM ${table}`).get()!.n

export function readHeads(db: Db): Heads {
  const open = stmt<
    [],
    { id: number; status: BatchStatus; owner: string | null; heartbeatAt: number | null }
  >(
    db,
    `SELECT id, status, owner, heartbeat_at AS heartbeatAt FROM batches
      WHERE status IN ('pending', 'running', 'paused', 'interrupted')`,
  ).all()
  const lastRecord = stmt<[number], { at: number | null }>(
    db,
    'SELECT max(created_at) AS at FROM sync_records WHERE batch_id = ?',
  )
  return {
    records: { maxId: maxId(db, 'sync_records') },
    anomalies: {
      maxId: maxId(db, 'anomalies'),
      open: stmt<[], { n: number }>(db, "SELECT count(*) AS n FROM anomalies WHERE status = 'open'").get()!.n,
    },
    statements: {
      maxId: maxId(db, 'statements'),
      updatedAt: stmt<[], { at: number }>(
        db,
        'SELECT ifnull(max(updated_at), 0) AS at FROM statements',
      ).get()!.at,
    },
    batches: {
      maxId: maxId(db, 'batches'),
      open: open.sort((a, b) => a.id - b.id).map((b) => ({ ...b, lastRecordAt: lastRecord.get(b.id)!.at })),
    },
  }
}

export interface BatchState {
  status: BatchStatus
  owner: string | null
}

/** The statuses and runners of batches by id, for those that left the batches not yet over. */
export function batchStates(db: Db, ids: number[]): Map<number, BatchState> {
  const read = stmt<[number], BatchState>(db, 'SELECT status, owner FROM batches WHERE id = ?')
  const out = new Map<number, BatchState>()
  for (const id of ids) {
    const row = read.get(id)
    if (row) out.set(id, row)
  }
  return out
}

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
