import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

// Opening a database reads its header and schema, which tells a damaged file apart only when the
// damage is there. A page deep in a table can be damaged while the file opens and lists normally,
// until a query or an export reaches it. So the app and browser mode check the whole file once
// after opening, with SQLite's quick_check, in a worker thread with a read-only connection of its
// own: a gigabyte takes seconds, and no one waits for it. `paysync check` runs the same check for
// cron, and exits 1 on damage.

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
let db
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true, nativeBinding: workerData.nativeBinding, timeout: 15000 })
  const rows = db.pragma('quick_check(' + workerData.max + ')', { simple: false })
  const problems = rows.map((r) => String(Object.values(r)[0])).filter((s) => s !== 'ok')
  parentPort.postMessage({ problems })
} catch (e) {
  parentPort.postMessage({ problems: [String((e && e.message) || e)] })
} finally {
  try { if (db) db.close() } catch {}
}
`

export interface IntegrityReport {
  /** `ok`: no damage found; `damaged`: SQLite's findings are in `problems`. */
  status: 'ok' | 'damaged'
  problems: string[]
  checkedAt: number
  ms: number
}

/** SQLite's quick_check of a database file, in a worker thread; at most `max` findings. */
export function checkIntegrity(
  file: string,
  options: { nativeBinding?: string; max?: number; now?: () => number } = {},
): Promise<IntegrityReport> {
  const started = performance.now()
  const report = (problems: string[]): IntegrityReport => ({
    status: problems.length ? 'damaged' : 'ok',
    problems,
    checkedAt: (options.now ?? Date.now)(),
    ms: Math.round(performance.now() - started),
  })
  return new Promise((resolve) => {
    let worker: Worker
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          file,
          module: createRequire(import.meta.url).resolve('better-sqlite3'),
          nativeBinding: options.nativeBinding,
          max: options.max ?? 20,
        },
      })
    } catch (err) {
      resolve(report([`the check could not start: ${(err as Error).message}`]))
      return
    }
    worker.unref()
    worker.once('message', (m: { problems: string[] }) => {
      resolve(report(m.problems))
      void worker.terminate()
    })
    worker.once('error', (err) => resolve(report([err.message])))
  })
}
