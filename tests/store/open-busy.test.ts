import { spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { tempDir } from '../helpers/world'

// A file another process is writing at the moment this one opens it (two `paysync merchant add` on a
// fresh database, tests/cli/keyring-race.test.ts, failed so in CI once): SQLite answers the switch to
// WAL with SQLITE_BUSY at once, without its busy wait, while the other holds a write transaction in
// the rollback journal. That file is busy, not damaged: it is waited for.

/** A second process that takes the write lock of a fresh file in rollback mode and holds it `ms`. */
function holdWrite(file: string, ms: number): Promise<{ done: Promise<void> }> {
  const code = `
    const Database = require('better-sqlite3')
    const db = new Database(process.argv[1])
    db.exec('BEGIN IMMEDIATE')
    console.log('held')
    setTimeout(() => { db.exec('COMMIT'); db.close() }, Number(process.argv[2]))
  `
  const child = spawn(process.execPath, ['-e', code, file, String(ms)], {
    cwd: path.resolve('.'),
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', () => resolve({ done }))
    child.once('exit', (c) => reject(new Error(`the holder exited with ${c}`)))
  })
}

describe('opening a database another process is writing', () => {
  it('waits for the write to end instead of calling the file damaged', async () => {
    const file = path.join(tempDir(), 'busy.db')
    const holder = await holdWrite(file, 400)
    const started = Date.now()
    const db = openStore(file)
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(100)
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    } finally {
      db.close()
      await holder.done
    }
  })

  it('says the file is in use, not damaged, when the other keeps it past the wait', async () => {
    const file = path.join(tempDir(), 'held.db')
    const holder = await holdWrite(file, 1_500)
    try {
      expect(() => openStore(file, { busyTimeoutMs: 300 })).toThrow(/stayed locked by another program/)
    } finally {
      await holder.done
    }
  })
})
