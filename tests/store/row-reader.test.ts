import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { readLines, takingTurns, type LineBatch } from '../../src/main/store/row-reader'
import { startSqliteWorker } from '../../src/main/store/sqlite-worker'
import { tempDir } from '../helpers/world'

// Counted, to tell one reader from two.
vi.mock('../../src/main/store/sqlite-worker', async (original) => {
  const real = await original<typeof import('../../src/main/store/sqlite-worker')>()
  return { ...real, startSqliteWorker: vi.fn(real.startSqliteWorker) }
})

// Exports read their lines in a worker thread; what arrives must be exactly what SQLite writes, in
// order, each ended by CRLF, and a failure there must surface here rather than end the file early
// without a word.

async function collect(gen: AsyncGenerator<LineBatch>): Promise<string[]> {
  const all: string[] = []
  for await (const batch of gen) {
    const lines = batch.text.split('\r\n')
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(batch.rows)
    all.push(...lines)
  }
  return all
}

describe('reading rows for an export', () => {
  const file = path.join(tempDir(), 'rows.db')
  const db = openStore(file)
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount INTEGER, note TEXT)')
  const insert = db.prepare('INSERT INTO t (name, amount, note) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < 5_001; i++) insert.run(`名${i},"x"`, i * 100 - 7, i % 3 ? null : 'line\nbreak')
  })()
  const query = {
    sql: "SELECT id || ';' || name || ';' || amount || ';' || COALESCE(note, '') FROM t WHERE id > ? ORDER BY id DESC",
    params: [1],
  }
  const expected = db
    .prepare(query.sql)
    .pluck(true)
    .all(...query.params)

  it('in a worker thread: every line, in order, intact', async () => {
    const lines = await collect(readLines(db, file, query))
    expect(lines).toEqual(expected)
  })

  it('in this thread for a database that is not a file', async () => {
    const mem = openStore(':memory:')
    mem.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
    mem.prepare("INSERT INTO t (v) VALUES ('a'), ('b')").run()
    expect(
      await collect(
        readLines(mem, ':memory:', { sql: "SELECT id || ',' || v FROM t ORDER BY id", params: [] }),
      ),
    ).toEqual(['1,a', '2,b'])
  })

  it('reports a failure in the worker as an error', async () => {
    await expect(collect(readLines(db, file, { sql: 'SELECT nope FROM t', params: [] }))).rejects.toThrow(
      /no such column/,
    )
  })

  it('stops the worker when the reader stops early', async () => {
    const gen = readLines(db, file, query)
    const first = await gen.next()
    expect((first.value as LineBatch).rows).toBeGreaterThan(0)
    await gen.return(undefined)
    expect((await gen.next()).done).toBe(true)
  })

  const line = "id || ';' || name || ';' || amount || ';' || COALESCE(note, '')"
  const turns = (order: string) => ({
    sql: `SELECT ${takingTurns(line)} FROM t WHERE id > ? ORDER BY ${order}`,
    params: [1],
  })

  it('two readers taking turns: every line once, in order, and the 合计 line after them', async () => {
    vi.mocked(startSqliteWorker).mockClear()
    const footer = { sql: "SELECT count(*) || ';' || sum(amount) FROM t WHERE id > ?", params: [1] }
    const all: string[] = []
    let last = ''
    for await (const batch of readLines(db, file, turns('id DESC'), { footer, takesTurns: true })) {
      if (batch.rows === 0) last = batch.text
      else all.push(...batch.text.split('\r\n').slice(0, -1))
    }
    expect(all).toEqual(expected)
    expect(last).toBe(`5000;${db.prepare('SELECT sum(amount) FROM t WHERE id > 1').pluck().get()}\r\n`)
    expect(vi.mocked(startSqliteWorker)).toHaveBeenCalledTimes(2)
  })

  it('one reader where the plan sorts after making the lines', async () => {
    vi.mocked(startSqliteWorker).mockClear()
    const sorted = turns('name DESC, id')
    const lines = await collect(readLines(db, file, sorted, { takesTurns: true }))
    expect(lines).toEqual(
      db
        .prepare(sorted.sql.replace(takingTurns(line), line))
        .pluck(true)
        .all(...sorted.params),
    )
    expect(vi.mocked(startSqliteWorker)).toHaveBeenCalledTimes(1)
  })

  it('an export taken while another thread commits reads one snapshot: no row missed or repeated', async () => {
    const live = path.join(tempDir(), 'live.db')
    const ldb = openStore(live)
    ldb.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
    const add = ldb.prepare("INSERT INTO t (v) VALUES ('x')")
    ldb.transaction(() => {
      for (let i = 0; i < 9_000; i++) add.run()
    })()
    const reader = openStore(live, { readonly: true })
    // A writer thread commits one row after another until told to stop, so commits fall between
    // the readers' snapshots unless the pair is proved to share one.
    const stop = new Int32Array(new SharedArrayBuffer(4))
    const writer = startSqliteWorker(
      (open, data: { stop: Int32Array }, port) => {
        const db = open()
        db.pragma('synchronous = OFF')
        const insert = db.prepare("INSERT INTO t (v) VALUES ('y')")
        let n = 0
        while (Atomics.load(data.stop, 0) === 0) {
          insert.run()
          n++
        }
        db.close()
        port.postMessage(n)
      },
      live,
      { stop },
    )
    const written = new Promise<number>((resolve) => writer.once('message', resolve))
    try {
      const query = { sql: `SELECT ${takingTurns('id')} FROM t ORDER BY id DESC`, params: [] }
      for (let round = 0; round < 2; round++) {
        const ids = (await collect(readLines(reader, live, query, { takesTurns: true }))).map(Number)
        expect(ids.length).toBeGreaterThanOrEqual(9_000)
        expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => ids.length - i))
      }
    } finally {
      Atomics.store(stop, 0, 1)
      expect(await written).toBeGreaterThan(0)
      await writer.terminate()
      reader.close()
      ldb.close()
    }
  })
})
