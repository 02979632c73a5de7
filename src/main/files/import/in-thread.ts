import type { Db } from '../../store/connection'
import { importFile } from './importer'
import type { RunningImport } from './worker-host'
import type { ImportJob } from './worker-protocol'

// Apart from the worker host (worker-host.ts), which the service context holds and every command
// therefore loads: only this runs the importer in the calling thread, and the importer stays out of
// a command that imports nothing.

/**
 * The same job in this thread: for a database that is not a file (`:memory:`), which no other
 * thread can open. Only tests use such a database.
 */
export function runInThread(db: Db, job: ImportJob, onProgress?: (rows: number) => void): RunningImport {
  let stop = false
  const trades: number[] = []
  return {
    result: importFile(db, job.file, {
      ...job.options,
      now: () => job.now,
      onTrade: job.wantTrades ? (_t, id) => trades.push(id) : undefined,
      onProgress,
      shouldStop: () => stop,
    }).then((result) => ({ result, trades })),
    stop: () => (stop = true),
  }
}
