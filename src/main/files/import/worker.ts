import { parentPort, workerData } from 'node:worker_threads'
import { openStore, type Db } from '../../store/connection'
import { restoreDeferredIndexes } from '../../store/deferred-indexes'
import { importFile } from './importer'
import { UnreadableFileError } from './row-source'
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol'

// The import worker thread (review-security M3): every import of the window, browser mode and the
// command line runs here, with a connection of its own to the database and a heap the host limits,
// so a file that costs more than an import may spend ends this thread and never the process that
// syncs. Jobs come one at a time (worker-host.ts keeps one worker per job in flight); a stop request
// ends the job after the transaction in progress.

const port = parentPort!
const data = workerData as WorkerData
let db: Db | null = null
const stopping = new Set<number>()

function store(): Db {
  db ??= openStore(data.dbFile, { nativeBinding: data.nativeBinding })
  return db
}

async function run(req: Extract<WorkerRequest, { type: 'import' }>): Promise<void> {
  const { id, job } = req
  const trades: number[] = []
  try {
    const result = await importFile(store(), job.file, {
      ...job.options,
      now: () => job.now,
      onTrade: job.wantTrades ? (_type, tradeId) => trades.push(tradeId) : undefined,
      onProgress: (rows) => port.postMessage({ type: 'progress', id, rows } satisfies WorkerReply),
      shouldStop: () => stopping.has(id),
    })
    port.postMessage({ type: 'done', id, result, trades } satisfies WorkerReply)
  } catch (err) {
    const e = err as Error
    port.postMessage({
      type: 'failed',
      id,
      error: {
        unreadable: err instanceof UnreadableFileError,
        message: e?.message ?? String(err),
        said: err instanceof UnreadableFileError ? err.said : undefined,
      },
    } satisfies WorkerReply)
  } finally {
    stopping.delete(id)
  }
}

port.on('message', (req: WorkerRequest) => {
  if (req.type === 'stop') stopping.add(req.id)
  else if (req.type === 'restore') {
    restoreDeferredIndexes(store())
    port.postMessage({ type: 'restored', id: req.id } satisfies WorkerReply)
  } else void run(req)
})
