import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CommitGroup } from '../../src/main/store/commit-group'
import { openStore, type Db } from '../../src/main/store/connection'
import { tempDir } from '../helpers/world'

// Group commit (issue 16): the writes due in one turn share a commit, each in a savepoint. What the
// engine relies on: a member settles only once its write is committed, a bug in one member undoes
// that member alone, and a storage fault refuses every member with nothing written.

let dir: string
let db: Db
let other: Db

beforeEach(() => {
  dir = tempDir()
  const file = path.join(dir, 'group.db')
  db = openStore(file)
  db.exec('CREATE TABLE t (x INTEGER NOT NULL)')
  // A second connection, as another process would see the file.
  other = openStore(file)
})

afterEach(() => {
  other.close()
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const count = (h: Db) => (h.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n
const insert = (x: number) => () => db.prepare('INSERT INTO t (x) VALUES (?)').run(x).changes

describe('a commit group', () => {
  it('writes the members of one turn in one commit, each settled only once it is committed', async () => {
    const group = new CommitGroup(db)
    const during: number[] = []
    const seen: number[] = []
    const members = [1, 2, 3].map((x) =>
      group
        .run(() => {
          // Another connection sees none of them while they run: not even the members before.
          during.push(count(other))
          return insert(x)()
        })
        .then((changes) => {
          // Whoever learns of a write finds it in the database, from any connection.
          seen.push(count(other))
          return changes
        }),
    )
    expect(count(other)).toBe(0)
    expect(await Promise.all(members)).toEqual([1, 1, 1])
    expect(during).toEqual([0, 0, 0])
    expect(seen).toEqual([3, 3, 3])
  })

  it('undoes only the member that throws a bug; the others are written', async () => {
    const group = new CommitGroup(db)
    const bug = new Error('a bug in one attempt')
    const results = await Promise.allSettled([
      group.run(insert(1)),
      group.run(() => {
        insert(2)()
        throw bug
      }),
      group.run(insert(3)),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason).toBe(bug)
    expect(other.prepare('SELECT x FROM t ORDER BY x').pluck().all()).toEqual([1, 3])
  })

  it('refuses every member on a storage fault, with nothing written', async () => {
    const group = new CommitGroup(db)
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    const results = await Promise.allSettled([
      group.run(insert(1)),
      group.run(() => {
        throw full
      }),
      group.run(insert(3)),
    ])
    expect(results.every((r) => r.status === 'rejected' && r.reason === full)).toBe(true)
    expect(count(other)).toBe(0)
  })

  it('refuses every member while another connection holds the write lock, and writes them after', async () => {
    const locked = openStore(path.join(dir, 'group.db'), { busyTimeoutMs: 50 })
    try {
      locked.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER NOT NULL)')
      const group = new CommitGroup(locked)
      other.exec('BEGIN IMMEDIATE')
      const refused = await Promise.allSettled([group.run(() => 1), group.run(() => 2)])
      expect(refused.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual([
        'SQLITE_BUSY',
        'SQLITE_BUSY',
      ])
      other.exec('COMMIT')
      expect(await Promise.all([group.run(() => 1), group.run(() => 2)])).toEqual([1, 2])
    } finally {
      locked.close()
    }
  })
})
