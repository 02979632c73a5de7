import type { MessagePort, Worker } from 'node:worker_threads'
import { startSqliteWorker, type OpenDatabase } from './sqlite-worker'

// Opening a database reads its header and schema, which tells a damaged file apart only when the
// damage is there. A page deep in a table can be damaged while the file opens and lists normally,
// until a query or an export reaches it. So the app and browser mode check the whole file once
// after opening, with SQLite's quick_check, in a worker thread with a read-only connection of its
// own: a gigabyte takes seconds, and no one waits for it. `paysync check` runs the same check for
// cron, and exits 1 on damage.

/** In the worker: quick_check on a read-only connection, its findings (none when sound) posted back. */
function checkInWorker(open: OpenDatabase, data: { max: number }, port: MessagePort): void {
  let db: ReturnType<OpenDatabase> | undefined
  try {
    db = open({ readonly: true, fileMustExist: true, timeout: 15000 })
    const rows = db.pragma(`quick_check(${data.max})`, { simple: false }) as Array<Record<string, unknown>>
    const problems = rows.map((r) => String(Object.values(r)[0])).filter((s) => s !== 'ok')
    port.postMessage({ problems })
  } catch (e) {
    port.postMessage({ problems: [String((e as Error | null)?.message || e)] })
  } finally {
    try {
      db?.close()
    } catch {
      // The findings are sent; a connection that will not close goes with the thread.
    }
  }
}

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
      worker = startSqliteWorker(
        checkInWorker,
        file,
        { max: options.max ?? 20 },
        {
          nativeBinding: options.nativeBinding,
        },
      )
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
