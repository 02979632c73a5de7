import type { ImportOptions, ImportResult } from './import-options'
import type { UnreadableFileError } from './row-source'

// The messages between an import worker (worker.ts) and its host (worker-host.ts). Only data crosses:
// a job's options without their callbacks, the result as the importer returns it, and a failure as
// its sentence and catalog entry.

export interface WorkerData {
  dbFile: string
  nativeBinding?: string
}

/** The options of a job that can cross a thread: the callbacks are the host's. */
export type JobOptions = Omit<ImportOptions, 'onTrade' | 'onProgress' | 'now' | 'shouldStop'>

export interface ImportJob {
  file: string
  options: JobOptions
  /** The time the rows are stamped with: the host's clock when the job began. */
  now: number
  /** Hand back the id of every trade the file names, in order (`sync --file`, a batch). */
  wantTrades: boolean
}

/**
 * `restore` builds the orders' indexes a worker that ended mid-import left dropped
 * (store/deferred-indexes.ts): its process lives on, so no new connection would build them.
 */
export type WorkerRequest =
  | { type: 'import'; id: number; job: ImportJob }
  | { type: 'stop'; id: number }
  | { type: 'restore'; id: number }

export type WorkerReply =
  | { type: 'progress'; id: number; rows: number }
  | { type: 'done'; id: number; result: ImportResult; trades: number[] }
  | { type: 'restored'; id: number }
  | {
      type: 'failed'
      id: number
      error: { unreadable: boolean; message: string; said?: UnreadableSaid }
    }

type UnreadableSaid = NonNullable<UnreadableFileError['said']>
