import { STORE_TOPICS, type MovedBatch, type StoreChangedEvent, type StoreTopic } from '../../../shared/live'
import { HEARTBEAT_STALE_MS } from '../../store/batches'
import type { BatchState, Heads, OpenBatchHead } from '../../store/heads'

// Two readings of the heads compared: which lists moved and by how much, the event the window gets
// (shared/live.ts). No store is read here: the caller reads the states of the batches that left the
// open ones (goneBatches), so the same comparison serves a store read synchronously or not.

export interface MovedOptions {
  /**
   * This process's engine owner and the batches it runs: their screens hear of them through
   * `batch.progress` already, up to the last status their runner writes.
   */
  owner: string
  ownRuns: ReadonlySet<number>
  /** The states of goneBatches(before, after), as the store has them now. */
  gone: ReadonlyMap<number, BatchState>
  now: number
}

const sameBatch = (a: OpenBatchHead, b: OpenBatchHead) =>
  a.status === b.status && a.lastRecordAt === b.lastRecordAt

/** The batches not over at `before` and over at `after`, or created and over between the two. */
export function goneBatches(before: Heads, after: Heads): number[] {
  const is = new Set(after.batches.open.map((b) => b.id))
  const gone = before.batches.open.map((b) => b.id).filter((id) => !is.has(id))
  for (let id = before.batches.maxId + 1; id <= after.batches.maxId; id++) if (!is.has(id)) gone.push(id)
  return gone
}

function movedBatches(before: Heads, after: Heads, o: MovedOptions): MovedBatch[] {
  const was = new Map(before.batches.open.map((b) => [b.id, b]))
  const moved: Array<MovedBatch & { owner: string | null }> = []
  for (const b of after.batches.open) {
    const old = was.get(b.id)
    if (!old || !sameBatch(old, b)) moved.push({ id: b.id, status: b.status, owner: b.owner })
  }
  for (const [id, s] of o.gone) moved.push({ id, ...s })
  return moved
    .filter((b) => !o.ownRuns.has(b.id) && b.owner !== o.owner)
    .sort((a, b) => a.id - b.id)
    .map(({ id, status }) => ({ id, status }))
}

/** What moved from `before` to `after`, or null when nothing the window shows did. */
export function storeChanged(before: Heads, after: Heads, o: MovedOptions): StoreChangedEvent | null {
  const grew = (a: number, b: number) => Math.max(0, b - a)
  const batches = movedBatches(before, after, o)
  const added: Record<StoreTopic, number> = {
    batches: grew(before.batches.maxId, after.batches.maxId),
    anomalies: grew(before.anomalies.maxId, after.anomalies.maxId),
    statements: grew(before.statements.maxId, after.statements.maxId),
    records: grew(before.records.maxId, after.records.maxId),
    merchants: grew(before.merchants.maxId, after.merchants.maxId),
  }
  const moved: Record<StoreTopic, boolean> = {
    batches: batches.length > 0,
    anomalies: added.anomalies > 0 || before.anomalies.open !== after.anomalies.open,
    statements: added.statements > 0 || before.statements.updatedAt !== after.statements.updatedAt,
    records: after.records.maxId !== before.records.maxId,
    merchants: added.merchants > 0 || before.merchants.updatedAt !== after.merchants.updatedAt,
  }
  // Rows deleted elsewhere (a demo removed) may leave every other figure as it was: each list reads again.
  const removed = after.removed.at !== before.removed.at
  const topics = STORE_TOPICS.filter((t) => removed || moved[t])
  if (topics.length === 0) return null
  return {
    topics,
    added,
    batches,
    // A running batch whose owner stopped beating its heart is shown as interrupted (store/batches.ts);
    // this process's own are told by their own events, to their end.
    running: after.batches.open
      .filter((b) => b.status === 'running' && (b.heartbeatAt ?? 0) >= o.now - HEARTBEAT_STALE_MS)
      .filter((b) => !o.ownRuns.has(b.id) && b.owner !== o.owner)
      .map((b) => b.id),
    openAnomalies: after.anomalies.open,
  }
}
