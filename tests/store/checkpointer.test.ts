import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startCheckpointer } from '../../src/main/store/checkpointer'
import { openStore, type Db } from '../../src/main/store/connection'
import { tempDir } from '../helpers/world'

// The working connection leaves checkpoints to a worker thread; a worker that does not run must give
// them back, or the log grows without end.

let dir: string
let db: Db
let file: string
beforeEach(() => {
  dir = tempDir()
  file = path.join(dir, 'cp.db')
  db = openStore(file)
})
afterEach(() => {
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const autocheckpoint = () => db.pragma('wal_autocheckpoint', { simple: true })

function write(rows: number): void {
  const insert = db.prepare('INSERT INTO audit_log (action, detail, created_at) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`a${i}`, 'z'.repeat(500), i)
  })()
}

describe('checkpoints in a worker thread', () => {
  it('the working connection stops checkpointing, and stopping empties the log', async () => {
    const checkpointer = startCheckpointer(db, file, { everyMs: 60_000 })!
    expect(checkpointer).not.toBeNull()
    expect(autocheckpoint()).toBe(0)
    write(5_000)
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000)
    await checkpointer.stop()
    // Only the worker's TRUNCATE checkpoint empties the file: this connection checkpoints no more.
    expect(fs.statSync(`${file}-wal`).size).toBe(0)
    expect(db.prepare('SELECT count(*) AS n FROM audit_log').get()).toEqual({ n: 5_000 })
  })

  it('a worker that cannot open the database gives the checkpoints back', async () => {
    const checkpointer = startCheckpointer(db, file, { nativeBinding: path.join(dir, 'missing.node') })!
    expect(autocheckpoint()).toBe(0)
    await vi.waitFor(() => expect(autocheckpoint()).toBe(1000))
    await checkpointer.stop()
  })

  it('none for a database in memory', () => {
    const mem = openStore(':memory:')
    expect(startCheckpointer(mem, ':memory:')).toBeNull()
    mem.close()
  })
})
