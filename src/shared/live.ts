import type { BatchStatus } from './domain'

// What another process changed in the books, told to the window (docs/team-mode.md B8.5, "The window
// follows the others"): which of the things the screens list moved, with a few small figures. It is a
// reason to read again through the usual operations, never the rows themselves.

/** What the screens list and another process may add to or change while the window is open. */
export const STORE_TOPICS = ['batches', 'anomalies', 'statements', 'records', 'merchants'] as const
export type StoreTopic = (typeof STORE_TOPICS)[number]

/** A batch whose row or progress moved, with its status as stored now. */
export interface MovedBatch {
  id: number
  status: BatchStatus
}

export interface StoreChangedEvent {
  /** The topics that moved since the last event, in STORE_TOPICS order; never empty. */
  topics: StoreTopic[]
  /** Rows each topic gained (its highest id moved on by that many); 0 when its rows only changed. */
  added: Record<StoreTopic, number>
  /** Batches another process created, moved on or changed the status of (not those this one runs). */
  batches: MovedBatch[]
  /** The batches other processes run now (this one's are told by `batch.progress`). */
  running: number[]
  /** Open anomalies now: the menu's figure. */
  openAnomalies: number
}
