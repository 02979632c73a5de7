import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, StoreError, type Db } from '../../src/main/store/connection'
import { SCHEMA_VERSION } from '../../src/main/store/migrate'
import { tempDir } from '../helpers/world'

// The files a crash, a full disk or a careless copy leave behind (issue 6, item 5, beyond what
// store.test.ts covers): an empty file, a directory, a cut or garbage write-ahead log, a cut database.
// Each either opens with every committed row that survived, or is refused, clearly, and left as it was.

let dir: string
beforeEach(() => {
  dir = tempDir()
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const count = (db: Db) => (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n

/** A database whose last `rows` commits live only in its WAL, copied as a crash would leave it. */
function crashedWithWal(rows: number): { file: string; wal: Buffer } {
  const live = path.join(dir, 'live.db')
  const db = openStore(live)
  db.pragma('wal_autocheckpoint = 0')
  for (let i = 0; i < rows; i++)
    db.prepare('INSERT INTO audit_log (action, detail, created_at) VALUES (?, ?, ?)').run(
      `a${i}`,
      'x'.repeat(500),
      i,
    )
  const file = path.join(dir, 'crashed.db')
  // Copied while still open: the main file without those commits, and the log holding them.
  fs.copyFileSync(live, file)
  const wal = fs.readFileSync(`${live}-wal`)
  db.close()
  return { file, wal }
}

describe('store: damaged and odd files', () => {
  it('an empty file (a crash before the first write) opens as a new database', () => {
    const file = path.join(dir, 'empty.db')
    fs.writeFileSync(file, '')
    const db = openStore(file)
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()
  })

  it('a directory where the file should be is refused with a sentence, and left alone', () => {
    const file = path.join(dir, 'folder.db')
    fs.mkdirSync(file)
    fs.writeFileSync(path.join(file, 'keep.txt'), 'mine')
    let caught: unknown
    try {
      openStore(file)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(StoreError)
    expect((caught as StoreError).code).toBe('unreadable')
    expect((caught as StoreError).message).toContain(file)
    expect(fs.readdirSync(file)).toEqual(['keep.txt'])
  })

  it('a write-ahead log cut short keeps every commit before the cut, and the database is whole', () => {
    const { file, wal } = crashedWithWal(60)
    fs.writeFileSync(`${file}-wal`, wal.subarray(0, Math.floor(wal.length * 0.6)))
    const db = openStore(file)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    const n = count(db)
    expect(n).toBeGreaterThan(0)
    expect(n).toBeLessThan(60)
    // The rows that survived are a prefix: commits are kept in order or not at all.
    const actions = db.prepare('SELECT action FROM audit_log ORDER BY id').all() as Array<{ action: string }>
    expect(actions.map((a) => a.action)).toEqual(Array.from({ length: n }, (_, i) => `a${i}`))
    db.close()
  })

  it('a write-ahead log of garbage is ignored: the database opens as its main file has it', () => {
    const { file, wal } = crashedWithWal(20)
    fs.writeFileSync(`${file}-wal`, Buffer.alloc(wal.length, 0x5a))
    const db = openStore(file)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(count(db)).toBe(0)
    db.close()
  })

  it('a database file cut short is reported as damaged and left byte for byte as it was', () => {
    const full = path.join(dir, 'full.db')
    const db = openStore(full)
    for (let i = 0; i < 2000; i++)
      db.prepare('INSERT INTO audit_log (action, detail, created_at) VALUES (?, ?, ?)').run(
        `a${i}`,
        'y'.repeat(300),
        i,
      )
    db.pragma('wal_checkpoint(TRUNCATE)')
    db.close()
    const cut = path.join(dir, 'cut.db')
    fs.writeFileSync(cut, fs.readFileSync(full).subarray(0, Math.floor(fs.statSync(full).size / 2)))
    const before = fs.readFileSync(cut)
    let caught: unknown
    try {
      openStore(cut)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(StoreError)
    expect((caught as StoreError).code).toBe('corrupt')
    expect((caught as StoreError).message).toMatch(/damaged.*left untouched/)
    expect(fs.readFileSync(cut).equals(before)).toBe(true)
  })
})
