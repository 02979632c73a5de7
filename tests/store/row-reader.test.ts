import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { readLines, type LineBatch } from '../../src/main/store/row-reader'
import { tempDir } from '../helpers/world'

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
})
