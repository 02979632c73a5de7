import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Db } from './connection'

// SQLite in WAL mode copies the log back into the database now and then (a checkpoint), and that
// copy ends in an fsync: tens of milliseconds, sometimes hundreds. Done by the connection that
// happens to commit, it stalls whatever that process is doing, such as answering a hundred gateway
// calls in flight. So the working connection never checkpoints; a worker thread with a connection
// of its own does, every second, without blocking anyone (PASSIVE), and once more fully at the end.

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
const db = new Database(workerData.file, { nativeBinding: workerData.nativeBinding, timeout: 5000 })
const tick = () => { try { db.pragma('wal_checkpoint(PASSIVE)') } catch {} }
const timer = setInterval(tick, workerData.everyMs)
parentPort.on('message', (m) => {
  if (m !== 'stop') return
  clearInterval(timer)
  try { db.pragma('wal_checkpoint(TRUNCATE)') } catch {}
  db.close()
  parentPort.postMessage('stopped')
})
`

export interface Checkpointer {
  stop(): Promise<void>
}

export function startCheckpointer(
  db: Db,
  file: string,
  options: { nativeBinding?: string; everyMs?: number } = {},
): Checkpointer | null {
  if (file === ':memory:') return null
  let worker: Worker
  try {
    const module = createRequire(import.meta.url).resolve('better-sqlite3')
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, module, nativeBinding: options.nativeBinding, everyMs: options.everyMs ?? 1000 },
    })
  } catch {
    return null
  }
  worker.unref()
  // Only once the worker runs does the working connection stop checkpointing on its own.
  db.pragma('wal_autocheckpoint = 0')
  let failed = false
  worker.once('error', () => {
    failed = true
    db.pragma('wal_autocheckpoint = 1000')
  })
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (failed) return resolve()
        const done = () => {
          void worker.terminate()
          resolve()
        }
        const timer = setTimeout(done, 5_000)
        worker.once('message', () => {
          clearTimeout(timer)
          done()
        })
        worker.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        worker.postMessage('stop')
      }),
  }
}
