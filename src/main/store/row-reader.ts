import os from 'node:os'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { MessagePort, Worker } from 'node:worker_threads'
import type { Db } from './connection'
import { startSqliteWorker, type OpenDatabase } from './sqlite-worker'

// A million-row export is read by worker threads with read-only connections of their own, so the
// process's own thread stays free for the window and for writing the file meanwhile. The statement
// yields one line of text per row (the export's SQL writes its CSV lines itself); a worker joins a
// batch of them with CRLF and hands the text over. It stays a step or two ahead and no more, so
// memory does not grow with the rows. A footer (an export's 合计 line) is read after the rows in the
// same read transaction, so it sums exactly the rows written, whatever syncs commit meanwhile.
//
// Writing the lines is most of the work, so two readers share it where the machine has the cores:
// both run the same statement, and its select expression (takingTurns) writes a row's line only in
// the reader whose turn the row is, batch by batch, the other's rows costing a step and a NULL. The
// caller takes the batches in turn. That is only right if both read the same rows in the same order:
// - One snapshot. Each reader opens its read transaction and takes its snapshot with a first read
//   before any row is read; the caller reads `PRAGMA data_version` on its own connection before the
//   readers start and after both are ready. SQLite changes that number whenever another connection
//   has committed in between, so the same number proves no commit came between the two snapshots,
//   which are then the same. Otherwise both readers go and the pair starts again (at most three
//   times; then one reader alone, which needs no proof).
// - One order, in which each line is made. A plan that sorts, merges or removes duplicates after
//   making the lines (a temporary B-tree, a compound or multi-index plan) would count the rows in
//   another order than it returns them: such a query is read by one reader. Each reader also checks
//   every row: a line where the turn was the other's, or none where it was its own, fails the export.

/** A statement of the store's own making (never input) and its bound parameters. */
export interface RowQuery {
  sql: string
  params: unknown[]
}

/** Called by the statement once per row, in the order the rows are made: 1 on this reader's turn. */
const TURN = 'paysync_turn'

/**
 * The select expression of a line query that readers can share (readLines with `takesTurns`): the
 * line on this reader's turn, NULL on the other's. `line` must never be NULL itself.
 */
export function takingTurns(line: string): string {
  return `CASE WHEN ${TURN}() THEN ${line} END`
}

interface ReaderData {
  sql: string
  params: unknown[]
  batch: number
  /** Read after the rows, in the same transaction: the first reader's only. */
  footer: RowQuery | null
  /** Whether the statement takes turns; `part` of `parts` is this reader's. */
  turns: boolean
  part: number
  parts: number
}

/**
 * In the worker: the lines of one statement that are this reader's, `batch` at a time and joined by
 * CRLF, each batch sent when the caller grants a credit for it; `ready` once its snapshot is taken.
 */
function readInWorker(open: OpenDatabase, data: ReaderData, port: MessagePort): void {
  const failed = (e: unknown) => port.postMessage({ error: String((e as Error | null)?.message || e) })
  try {
    const db = open({ readonly: true, fileMustExist: true })
    const ours = (row: number) => Math.floor(row / data.batch) % data.parts === data.part
    let counted = 0
    // TURN, written out: the body sees nothing of its module (sqlite-worker.ts).
    db.function('paysync_turn', { deterministic: false }, () => (ours(counted++) ? 1 : 0))
    db.exec('BEGIN')
    // The read transaction takes its snapshot at its first read, this one, before the caller's check.
    db.prepare('SELECT count(*) FROM sqlite_schema').pluck(true).get()
    const lines = db
      .prepare<unknown[], string | null>(data.sql)
      .pluck(true)
      .iterate(...data.params)
    port.postMessage({ ready: true })
    let row = 0
    let credit = 0
    let done = false
    const pump = () => {
      while (credit > 0 && !done) {
        let text = ''
        let n = 0
        for (;;) {
          const r = lines.next()
          if (r.done) {
            done = true
            break
          }
          const own = ours(row++)
          if (data.turns && (r.value !== null) !== own)
            throw new Error('the export readers lost count of the rows')
          if (!own) continue
          text += r.value + '\r\n'
          if (++n === data.batch) break
        }
        credit -= 1
        if (n) port.postMessage({ text, rows: n })
      }
      if (done) {
        const footer = data.footer
          ? db
              .prepare<unknown[], string>(data.footer.sql)
              .pluck(true)
              .get(...data.footer.params)
          : undefined
        db.exec('COMMIT')
        db.close()
        port.postMessage({ end: true, rows: row, footer: data.footer ? `${footer ?? ''}\r\n` : null })
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

type Message =
  | LineBatch
  | { ready: true }
  | { end: true; rows: number; footer: string | null }
  | { error: string }
  | { exit: number }

/** Lines of text, each ended by CRLF, and how many rows they are (a footer is none). */
export interface LineBatch {
  text: string
  rows: number
}

const BATCH = 2_000
const AHEAD = 3
/** Attempts at two readers on one snapshot before one reader reads alone. */
const PAIR_ATTEMPTS = 3

interface Reader {
  worker: Worker
  next(): Promise<Message>
}

function startReader(file: string, data: ReaderData, nativeBinding: string | undefined): Reader {
  const worker = startSqliteWorker(readInWorker, file, data, {
    nativeBinding,
    // A reader holds one statement and a few batches of text: a small heap of its own is plenty.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
  })
  const inbox: Message[] = []
  let wake: (() => void) | null = null
  const arrive = (m: Message) => {
    inbox.push(m)
    wake?.()
  }
  worker.on('message', arrive)
  worker.once('error', (err) => arrive({ error: err.message }))
  worker.once('exit', (code) => arrive({ exit: code }))
  return {
    worker,
    async next() {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve))
      wake = null
      return inbox.shift()!
    },
  }
}

/** Whether the statement makes its lines in the order it returns its rows (see the top). */
function madeInOrder(db: Db, query: RowQuery): boolean {
  const plan = db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`)
    .all(...query.params)
  return !plan.some((p) => /TEMP B-TREE|COMPOUND|MERGE|MULTI-INDEX/.test(p.detail))
}

const dataVersion = (db: Db) => db.pragma('data_version', { simple: true }) as number

/**
 * Readers on the database file, started and ready, all on one snapshot: two when the query takes
 * turns and the machine has the cores, else one. Null when no worker can start here.
 */
async function startReaders(
  db: Db,
  file: string,
  query: RowQuery,
  footer: RowQuery | null,
  options: { nativeBinding?: string; takesTurns?: boolean },
): Promise<Reader[] | null> {
  const pair =
    options.takesTurns === true &&
    os.availableParallelism() > 1 &&
    // The caller's connection proves the snapshot; inside a transaction of its own it would see no commit.
    !db.inTransaction &&
    madeInOrder(db, query)
  for (let attempt = 0; ; attempt++) {
    const parts = pair && attempt < PAIR_ATTEMPTS ? 2 : 1
    const before = parts > 1 ? dataVersion(db) : 0
    const readers: Reader[] = []
    try {
      for (let part = 0; part < parts; part++) {
        const data: ReaderData = {
          sql: query.sql,
          params: query.params,
          batch: BATCH,
          footer: part === 0 ? footer : null,
          turns: options.takesTurns === true,
          part,
          parts,
        }
        readers.push(startReader(file, data, options.nativeBinding))
      }
    } catch {
      await Promise.all(readers.map((r) => r.worker.terminate()))
      return null
    }
    const ready = await Promise.all(readers.map((r) => r.next()))
    const failure = ready.find((m) => !('ready' in m))
    if (failure || (parts > 1 && dataVersion(db) !== before)) {
      await Promise.all(readers.map((r) => r.worker.terminate()))
      if (failure) throw new Error(readerError(failure))
      continue
    }
    return readers
  }
}

function readerError(m: Message): string {
  if ('error' in m) return m.error
  if ('exit' in m) return `the reader stopped (${m.exit})`
  return 'the export readers fell out of step'
}

/**
 * The lines of a query that selects one text per row, in batches, read by worker threads from the
 * database file. `takesTurns`: its select expression is `takingTurns(line)`, so that two readers
 * can share it. A database that is not a file (`:memory:`), or a machine where no worker can start,
 * reads in this thread.
 */
export async function* readLines(
  db: Db,
  file: string,
  query: RowQuery | null,
  options: { nativeBinding?: string; footer?: RowQuery | null; takesTurns?: boolean } = {},
): AsyncGenerator<LineBatch> {
  if (!query) return
  const footer = options.footer ?? null
  // The caller's connection prepares the statement too (its plan, or reading it here): every row is its turn.
  if (options.takesTurns) db.function(TURN, { deterministic: false }, () => 1)
  const readers = file === ':memory:' ? null : await startReaders(db, file, query, footer, options)
  if (!readers) {
    yield* readHere(db, query, footer)
    return
  }
  try {
    for (const r of readers) r.worker.postMessage(AHEAD)
    // Batch k is reader k mod n's. A reader ends after its last batch, so once one has ended, each
    // next in turn must end too, and every reader must have counted the rows written.
    let turn = 0
    let ended = 0
    let written = 0
    let footerText: string | null = null
    for (;;) {
      const r = readers[turn]!
      const m = await r.next()
      turn = (turn + 1) % readers.length
      if ('end' in m) {
        if (m.footer !== null) footerText = m.footer
        if (m.rows !== written) throw new Error('the export readers fell out of step')
        if (++ended === readers.length) break
        continue
      }
      if (!('text' in m) || ended > 0) throw new Error(readerError(m))
      written += m.rows
      r.worker.postMessage(1)
      yield m
    }
    if (footerText !== null) yield { text: footerText, rows: 0 }
  } finally {
    await Promise.all(readers.map((r) => r.worker.terminate()))
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
