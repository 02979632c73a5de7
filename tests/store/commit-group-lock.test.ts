import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CommitGroup } from '../../src/main/store/commit-group'
import { openStore, type Db } from '../../src/main/store/connection'
import { storageFaultOf } from '../../src/main/store/faults'
import { tempDir } from '../helpers/world'

// The commit group waits for another process's write lock on a timer, not in SQLite's busy handler,
// which sleeps on this thread (docs/team-mode.md B8.5): meanwhile this process's timers and sockets
// go on. Each test counts the turns of a setInterval while the members wait; with the busy handler
// the count stays at zero (the interval cannot run while the thread sleeps), and the lock holder,
// told to let go from that interval, is never told.

let dir: string
let file: string
let db: Db

beforeEach(() => {
  dir = tempDir()
  file = path.join(dir, 'lock.db')
  db = openStore(file, { busyTimeoutMs: 4_000 })
  db.exec('CREATE TABLE t (x INTEGER NOT NULL)')
})

afterEach(() => {
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Another process that takes the write lock, writes 0 in it, and commits when told. */
async function holdLock(dbFile: string): Promise<{ release(): Promise<void> }> {
  const code = `
    const Database = require('better-sqlite3')
    const db = new Database(process.argv[1])
    db.exec('BEGIN IMMEDIATE')
    db.prepare('INSERT INTO t (x) VALUES (0)').run()
    console.log('held')
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.exit(0) })
  `
  const child = spawn(process.execPath, ['-e', code, dbFile], {
    cwd: path.resolve('.'),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', () => resolve())
    void exited.then((c) => reject(new Error(`the lock holder exited with ${c}`)))
  })
  return {
    async release() {
      child.stdin.write('go\n')
      expect(await exited).toBe(0)
    },
  }
}

/** Counts the turns of an interval of 1 ms until stopped. */
function ticker(): { count: () => number; atLeast(n: number): Promise<void>; stop(): void } {
  let ticks = 0
  const wanted: Array<{ n: number; resolve: () => void }> = []
  const t = setInterval(() => {
    ticks += 1
    for (const w of wanted.filter((w) => ticks >= w.n)) {
      wanted.splice(wanted.indexOf(w), 1)
      w.resolve()
    }
  }, 1)
  return {
    count: () => ticks,
    atLeast: (n) => new Promise((resolve) => wanted.push({ n, resolve })),
    stop: () => clearInterval(t),
  }
}

const insert = (x: number) => () => db.prepare('INSERT INTO t (x) VALUES (?)').run(x).changes
const busyTimeout = () => db.pragma('busy_timeout', { simple: true })

describe('a commit group while another process holds the write lock', () => {
  it('keeps the event loop turning, then commits the members in the order they came', async () => {
    const holder = await holdLock(file)
    const group = new CommitGroup(db)
    const ticks = ticker()
    const settled: number[] = []
    const member = (x: number) => group.run(insert(x)).then(() => settled.push(x))
    try {
      const first = [1, 2].map(member)
      await ticks.atLeast(20)
      // Twenty turns of this process's loop went by while the lock was held, and nobody settled.
      expect(settled).toEqual([])
      // Due while the others wait: they join them.
      const later = [3, 4].map(member)
      await ticks.atLeast(ticks.count() + 10)
      expect(settled).toEqual([])
      await holder.release()
      await Promise.all([...first, ...later])
    } finally {
      ticks.stop()
    }
    expect(settled).toEqual([1, 2, 3, 4])
    expect(db.prepare('SELECT x FROM t ORDER BY rowid').pluck().all()).toEqual([0, 1, 2, 3, 4])
    // SQLite's own wait is back for every other write on the connection.
    expect(busyTimeout()).toBe(4_000)
  })

  it('refuses the members with the storage fault once the busy timeout has passed', async () => {
    const short = openStore(file, { busyTimeoutMs: 300 })
    const holder = await holdLock(file)
    const ticks = ticker()
    try {
      const group = new CommitGroup(short)
      const ticksAtRefusal: number[] = []
      const refused = await Promise.allSettled(
        [1, 2].map((x) =>
          group
            .run(() => short.prepare('INSERT INTO t (x) VALUES (?)').run(x))
            .finally(() => ticksAtRefusal.push(ticks.count())),
        ),
      )
      // The loop turned while they waited: not one sleep of the thread for the whole timeout.
      expect(Math.min(...ticksAtRefusal)).toBeGreaterThanOrEqual(10)
      // The same refusal as from SQLite's busy handler: a batch pauses with `db_locked`.
      for (const r of refused) {
        expect(r.status).toBe('rejected')
        const reason = (r as PromiseRejectedResult).reason as { code?: string }
        expect(reason.code).toBe('SQLITE_BUSY')
        expect(storageFaultOf(reason)).toBe('db_locked')
      }
      expect(short.inTransaction).toBe(false)
      expect(short.pragma('busy_timeout', { simple: true })).toBe(300)
      await holder.release()
      // Nothing of theirs was written; the group works again once the lock is free.
      expect(await group.run(() => short.prepare('INSERT INTO t (x) VALUES (5)').run().changes)).toBe(1)
      expect(db.prepare('SELECT x FROM t ORDER BY rowid').pluck().all()).toEqual([0, 5])
    } finally {
      ticks.stop()
      short.close()
    }
  })

  it('runs the members inside a transaction already open on the connection, without a BEGIN of its own', async () => {
    const group = new CommitGroup(db)
    // A read kept in one snapshot across awaits (connection.ts inOneSnapshot) is open meanwhile.
    db.exec('BEGIN')
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0)
    expect(await Promise.all([group.run(insert(1)), group.run(insert(2))])).toEqual([1, 1])
    expect(db.inTransaction).toBe(true)
    db.exec('COMMIT')
    const other = openStore(file)
    try {
      expect(other.prepare('SELECT x FROM t ORDER BY rowid').pluck().all()).toEqual([1, 2])
    } finally {
      other.close()
    }
    expect(busyTimeout()).toBe(4_000)
  })
})
