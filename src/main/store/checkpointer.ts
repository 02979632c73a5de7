import type { MessagePort, Worker } from 'node:worker_threads'
import type { Db } from './connection'
import { startSqliteWorker, type OpenDatabase } from './sqlite-worker'

// SQLite in WAL mode copies the log back into the database now and then (a checkpoint), and that
// copy ends in an fsync: tens of milliseconds, sometimes hundreds. Done by the connection that
// happens to commit, it stalls whatever that process is doing, such as answering a hundred gateway
// calls in flight. So the working connection never checkpoints; a worker thread with a connection
// of its own does, every second, without blocking anyone (PASSIVE), and once more fully at the end.

/** In the worker: a passive checkpoint every `everyMs`, and a full one (TRUNCATE) when told to stop. */
function checkpointInWorker(open: OpenDatabase, data: { everyMs: number }, port: MessagePort): void {
  const db = open({ timeout: 5000 })
  const tick = () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)')
    } catch {
      // A busy or locked moment: the next tick tries again.
    }
  }
  const timer = setInterval(tick, data.everyMs)
  port.on('message', (m) => {
    if (m !== 'stop') return
    clearInterval(timer)
    try {
      db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // Left to the next opening, which replays the log.
    }
    db.close()
    port.postMessage('stopped')
  })
}

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
    worker = startSqliteWorker(
      checkpointInWorker,
      file,
      { everyMs: options.everyMs ?? 1000 },
      {
        nativeBinding: options.nativeBinding,
      },
    )
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
