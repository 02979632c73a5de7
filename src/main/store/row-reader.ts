import { createRequire } from 'node:module'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { Worker } from 'node:worker_threads'
import type { Db } from './connection'

// A million-row export spends half its time stepping SQLite and half turning rows into CSV. The
// stepping moves to a worker thread with a read-only connection of its own, so the two halves run on
// two cores at once, and the process's own thread stays free for the window meanwhile. Rows cross
// as JSON text in batches: V8 parses that faster than it deserialises the same arrays cloned.
// The worker stays a step or two ahead and no more, so memory does not grow with the rows.

/** A statement of the store's own making (never input) and its bound parameters. */
export interface RowQuery {
  sql: string
  params: unknown[]
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
let db
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true, nativeBinding: workerData.nativeBinding })
  const rows = db.prepare(workerData.sql).raw(true).iterate(...workerData.params)
  let credit = 0
  let done = false
  const pump = () => {
    while (credit > 0 && !done) {
      const batch = []
      for (let i = 0; i < workerData.batch; i++) {
        const r = rows.next()
        if (r.done) { done = true; break }
        batch.push(r.value)
      }
      credit -= 1
      parentPort.postMessage({ rows: JSON.stringify(batch) })
    }
    if (done) { db.close(); parentPort.postMessage({ end: true }) }
  }
  parentPort.on('message', (n) => { credit += n; try { pump() } catch (e) { parentPort.postMessage({ error: String(e && e.message || e) }) } })
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) })
}
`

type Message = { rows: string } | { end: true } | { error: string }

const BATCH = 2_000
const AHEAD = 3

/**
 * The rows of a query in batches, read by a worker thread from the database file. A database that
 * is not a file (`:memory:`), or a machine where the worker cannot start, reads in this thread.
 */
export async function* readRows(
  db: Db,
  file: string,
  query: RowQuery | null,
  options: { nativeBinding?: string } = {},
): AsyncGenerator<unknown[][]> {
  if (!query) return
  let worker: Worker | null = null
  if (file !== ':memory:') {
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: createRequire(import.meta.url).resolve('better-sqlite3'),
          file,
          nativeBinding: options.nativeBinding,
          sql: query.sql,
          params: query.params,
          batch: BATCH,
        },
        // The reader holds one statement and a few batches: a small heap of its own is plenty.
        resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
      })
    } catch {
      worker = null
    }
  }
  if (!worker) {
    yield* readHere(db, query)
    return
  }
  const inbox: Message[] = []
  let wake: (() => void) | null = null
  const arrive = (m: Message) => {
    inbox.push(m)
    wake?.()
  }
  worker.on('message', arrive)
  worker.once('error', (err) => arrive({ error: err.message }))
  worker.once('exit', (code) =>
    arrive(code === 0 ? { end: true } : { error: `the reader stopped (${code})` }),
  )
  worker.postMessage(AHEAD)
  try {
    for (;;) {
      if (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      wake = null
      const m = inbox.shift()!
      if ('error' in m) throw new Error(m.error)
      if ('end' in m) return
      worker.postMessage(1)
      yield JSON.parse(m.rows) as unknown[][]
    }
  } finally {
    await worker.terminate()
  }
}

async function* readHere(db: Db, query: RowQuery): AsyncGenerator<unknown[][]> {
  let batch: unknown[][] = []
  for (const row of db
    .prepare<unknown[], unknown[]>(query.sql)
    .raw(true)
    .iterate(...query.params)) {
    batch.push(row)
    if (batch.length >= BATCH) {
      yield batch
      batch = []
      await yieldToLoop()
    }
  }
  if (batch.length) yield batch
}

/** The rows of a query in this thread, one by one: for small reads, such as the ids of a filter. */
export function rowsHere(db: Db, query: RowQuery | null): IterableIterator<unknown[]> {
  if (!query) return [][Symbol.iterator]()
  return db
    .prepare<unknown[], unknown[]>(query.sql)
    .raw(true)
    .iterate(...query.params)
}
