import { STORE_TOPICS, type MovedBatch, type StoreChangedEvent, type StoreTopic } from '../../../shared/live'
import { HEARTBEAT_STALE_MS } from '../../store/batches'
import type { BatchState, Heads, OpenBatchHead } from '../../store/heads'

// Two readings of the heads compared: which lists moved and by how much, the event the window gets
// (shared/live.ts). Pure, so what counts as a move is tested apart from any timer.

export interface MovedOptions {
  /**
   * This process's engine owner and the batches it runs: their screens hear of them through
   * `batch.progress` already, up to the last status their runner writes.
   */
  owner: string
  ownRuns: ReadonlySet<number>
  /** Batches that left the open ones between the readings (done or cancelled, mostly). */
  statesOf: (ids: number[]) => Map<number, BatchState>
  now: number
}

const sameBatch = (a: OpenBatchHead, b: OpenBatchHead) =>
  a.status === b.status && a.lastRecordAt === b.lastRecordAt

function movedBatches(before: Heads, after: Heads, o: MovedOptions): MovedBatch[] {
  const was = new Map(before.batches.open.map((b) => [b.id, b]))
  const is = new Map(after.batches.open.map((b) => [b.id, b]))
  const moved: Array<MovedBatch & { owner: string | null }> = []
  for (const b of after.batches.open) {
    const old = was.get(b.id)
    if (!old || !sameBatch(old, b)) moved.push({ id: b.id, status: b.status, owner: b.owner })
  }
  // Left the open ones, or created and over between two readings.
  const gone = [...was.keys()].filter((id) => !is.has(id))
  for (let id = before.batches.maxId + 1; id <= after.batches.maxId; id++) if (!is.has(id)) gone.push(id)
  for (const [id, s] of o.statesOf(gone)) moved.push({ id, ...s })
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
  }
  const moved: Record<StoreTopic, boolean> = {
    batches: batches.length > 0,
    anomalies: added.anomalies > 0 || before.anomalies.open !== after.anomalies.open,
    statements: added.statements > 0 || before.statements.updatedAt !== after.statements.updatedAt,
    records: after.records.maxId !== before.records.maxId,
  }
  const topics = STORE_TOPICS.filter((t) => moved[t])
  if (topics.length === 0) return null
  return {
    topics,
    added,
    batches,
    // A running batch whose owner stopped beating its heart is shown as interrupted (store/batches.ts).
    running: after.batches.open
      .filter((b) => b.status === 'running' && (b.heartbeatAt ?? 0) >= o.now - HEARTBEAT_STALE_MS)
      .map((b) => b.id),
    openAnomalies: after.anomalies.open,
  }
}
