import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { MessagePort, Worker } from 'node:worker_threads'
import type { Db } from './connection'
import { startSqliteWorker, type OpenDatabase } from './sqlite-worker'

// A million-row export is read by a worker thread with a read-only connection of its own, so the
// process's own thread stays free for the window and for writing the file meanwhile. The statement
// yields one line of text per row (the export's SQL writes its CSV lines itself); the worker joins a
// batch of them with CRLF and hands the text over. It stays a step or two ahead and no more, so
// memory does not grow with the rows. A footer (an export's 合计 line) is read after the rows in the
// same read transaction, so it sums exactly the rows written, whatever syncs commit meanwhile.

/** A statement of the store's own making (never input) and its bound parameters. */
export interface RowQuery {
  sql: string
  params: unknown[]
}

/**
 * In the worker: the lines of one statement, `batch` at a time and joined by CRLF, each batch sent
 * when the caller grants a credit for it.
 */
function readInWorker(
  open: OpenDatabase,
  data: { sql: string; params: unknown[]; batch: number; footer: { sql: string; params: unknown[] } | null },
  port: MessagePort,
): void {
  const failed = (e: unknown) => port.postMessage({ error: String((e as Error | null)?.message || e) })
  try {
    const db = open({ readonly: true, fileMustExist: true })
    if (data.footer) db.exec('BEGIN')
    const lines = db
      .prepare<unknown[], string>(data.sql)
      .pluck(true)
      .iterate(...data.params)
    let credit = 0
    let done = false
    const pump = () => {
      while (credit > 0 && !done) {
        let text = ''
        let n = 0
        for (; n < data.batch; n++) {
          const r = lines.next()
          if (r.done) {
            done = true
            break
          }
          text += r.value + '\r\n'
        }
        credit -= 1
        if (n) port.postMessage({ text, rows: n })
      }
      if (done) {
        if (data.footer) {
          const line = db
            .prepare<unknown[], string>(data.footer.sql)
            .pluck(true)
            .get(...data.footer.params)
          port.postMessage({ text: `${line ?? ''}\r\n`, rows: 0 })
          db.exec('COMMIT')
        }
        db.close()
        port.postMessage({ end: true })
      }
    }
    port.on('message', (n: number) => {
      credit += n
      try {
        pump()
      } catch (e) {
        failed(e)
      }
    })
  } catch (e) {
    failed(e)
  }
}

type Message = LineBatch | { end: true } | { error: string }

/** Lines of text, each ended by CRLF, and how many rows they are (a footer is none). */
export interface LineBatch {
  text: string
  rows: number
}

const BATCH = 2_000
const AHEAD = 3

/**
 * The lines of a query that selects one text per row, in batches, read by a worker thread from the
 * database file. A database that is not a file (`:memory:`), or a machine where the worker cannot
 * start, reads in this thread.
 */
export async function* readLines(
  db: Db,
  file: string,
  query: RowQuery | null,
  options: { nativeBinding?: string; footer?: RowQuery | null } = {},
): AsyncGenerator<LineBatch> {
  if (!query) return
  const footer = options.footer ?? null
  let worker: Worker | null = null
  if (file !== ':memory:') {
    try {
      worker = startSqliteWorker(
        readInWorker,
        file,
        { sql: query.sql, params: query.params, batch: BATCH, footer },
        {
          nativeBinding: options.nativeBinding,
          // The reader holds one statement and a few batches of text: a small heap of its own is plenty.
          resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
        },
      )
    } catch {
      worker = null
    }
  }
  if (!worker) {
    yield* readHere(db, query, footer)
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
      yield m
    }
  } finally {
    await worker.terminate()
  }
}

async function* readHere(db: Db, query: RowQuery, footer: RowQuery | null): AsyncGenerator<LineBatch> {
  let text = ''
  let rows = 0
  // The caller's own reading connection: the transaction holds the rows and the footer to one snapshot.
  if (footer) db.exec('BEGIN')
  try {
    for (const line of db
      .prepare<unknown[], string>(query.sql)
      .pluck(true)
      .iterate(...query.params)) {
      text += line + '\r\n'
      if (++rows >= BATCH) {
        yield { text, rows }
        text = ''
        rows = 0
        await yieldToLoop()
      }
    }
    if (rows) yield { text, rows }
    if (footer) {
      const line = db
        .prepare<unknown[], string>(footer.sql)
        .pluck(true)
        .get(...footer.params)
      yield { text: `${line ?? ''}\r\n`, rows: 0 }
    }
  } finally {
    if (footer && db.inTransaction) db.exec('COMMIT')
  }
}

/** The rows of a query in this thread, one by one: for small reads, such as the ids of a filter. */
export function rowsHere(db: Db, query: RowQuery | null): IterableIterator<unknown[]> {
  if (!query) return [][Symbol.iterator]()
  return db
    .prepare<unknown[], unknown[]>(query.sql)
    .raw(true)
    .iterate(...query.params)
}
