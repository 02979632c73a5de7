import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importFile } from '../../src/main/files/import/importer'
import { openStore, type Db } from '../../src/main/store/connection'
import { deferIndexesOfEmpty, restoreDeferredIndexes } from '../../src/main/store/deferred-indexes'
import { createWorld, type World } from '../helpers/world'

// A large pay list into no orders builds the orders' secondary indexes after its rows
// (store/deferred-indexes.ts): the rows, the counts, the kept day totals and the indexes come out as
// the row-by-row import makes them, and a process that dies mid-import leaves them to be built.

const indexesOf = (db: Db) =>
  db
    .prepare<[], { name: string; sql: string | null }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pay_orders' ORDER BY name",
    )
    .all()

const listed = (db: Db) => (db.prepare('SELECT count(*) AS n FROM deferred_indexes').get() as { n: number }).n

/** A pid no process has: that of a child that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(r.stdout.toString())
}

function writeList(file: string, n: number): void {
  const good = (i: number) =>
    `D${i},${i % 500}.25,${i % 3 ? 'progress' : '成功'},t${i % 7},2026-11-${(i % 28) + 1} 10:00:00`
  const lines = ['orderNo,amountYuan,status,title,createdAt']
  for (let i = 0; i < n; i++) {
    // Bad rows, repeats and a 合计 line keep their handling whichever way the indexes are built.
    if (i % 101 === 7) lines.push(`D${i},abc,progress,t,2026-11-20 10:00:00`)
    else if (i % 97 === 3) lines.push(good(i - 1))
    else lines.push(good(i))
  }
  lines.push('合计,1000.00,,,')
  fs.writeFileSync(file, lines.join('\n') + '\n')
}

let worlds: World[] = []
beforeEach(() => {
  worlds = []
})
afterEach(async () => {
  for (const w of worlds) await w.close()
})
async function world(): Promise<World> {
  const w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
  worlds.push(w)
  return w
}

describe('indexes built after a large first import', () => {
  it('leaves the same orders, counts, day totals and indexes as the row-by-row import', async () => {
    const [a, b] = [await world(), await world()]
    const file = path.join(a.dir, 'list.csv')
    writeList(file, 3_000)
    const rowByRow = await importFile(a.ctx.db, file, { type: 'pay', now: () => 1_800_000_000_000 })
    let dropped: string[] = []
    const deferred = await importFile(b.ctx.db, file, {
      type: 'pay',
      now: () => 1_800_000_000_000,
      deferIndexesFrom: 0,
      // Midway, the indexes are gone and listed; the unique numbers still find a repeat.
      onProgress: () => {
        if (!dropped.length)
          dropped = b.ctx.db.prepare('SELECT name FROM deferred_indexes').pluck().all() as string[]
      },
    })
    expect(dropped.length).toBeGreaterThan(5)
    const strip = (r: typeof rowByRow) => ({ ...r, importId: 0 })
    expect(strip(deferred)).toEqual(strip(rowByRow))
    expect(deferred).toMatchObject({ rejected: 30, duplicates: 30, skipped: 1 })
    expect(indexesOf(b.ctx.db)).toEqual(indexesOf(a.ctx.db))
    expect(listed(b.ctx.db)).toBe(0)
    const rows = (db: Db, sql: string) => db.prepare(sql).all()
    for (const sql of [
      'SELECT order_no, amount, status, title, created_at, next_sync_at FROM pay_orders ORDER BY id',
      'SELECT * FROM pay_order_days ORDER BY 1, 2, 3, 4, 5',
    ])
      expect(rows(b.ctx.db, sql)).toEqual(rows(a.ctx.db, sql))
  })

  it('keeps the row-by-row way for a small file, a table with orders, a refund list and a preview', async () => {
    const w = await world()
    const file = path.join(w.dir, 'list.csv')
    writeList(file, 200)
    const seen: number[] = []
    const watch = () => seen.push(listed(w.ctx.db))
    await importFile(w.ctx.db, file, { type: 'pay', dryRun: true, deferIndexesFrom: 0, onProgress: watch })
    await importFile(w.ctx.db, file, { type: 'pay', onProgress: watch })
    const again = path.join(w.dir, 'more.csv')
    writeList(again, 300)
    await importFile(w.ctx.db, again, { type: 'pay', deferIndexesFrom: 0, onProgress: watch })
    expect(seen.every((n) => n === 0)).toBe(true)
    expect(deferIndexesOfEmpty(w.ctx.db, 'pay_orders')).toBe(false)
  })

  it('builds the indexes of an import whose process died, when the database is next opened', async () => {
    const w = await world()
    const before = indexesOf(w.ctx.db)
    expect(deferIndexesOfEmpty(w.ctx.db, 'pay_orders')).toBe(true)
    expect(indexesOf(w.ctx.db).length).toBeLessThan(before.length)

    // The importing process is alive: another connection leaves its indexes to it.
    const other = openStore(w.dbFile)
    expect(listed(other)).toBe(before.length - indexesOf(w.ctx.db).length)
    other.close()

    w.ctx.db.prepare('UPDATE deferred_indexes SET owner_pid = ?').run(deadPid())
    const next = openStore(w.dbFile)
    try {
      expect(indexesOf(next)).toEqual(before)
      expect(listed(next)).toBe(0)
      expect(restoreDeferredIndexes(next)).toBe(0)
    } finally {
      next.close()
    }
  })
})
