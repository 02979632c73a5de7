import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { BatchProgressEvent } from '../../src/shared/contract'
import { Scheduler } from '../../src/main/engine/scheduler'
import { fileDue } from '../../src/main/store/schedule-due'
import { getBatchView, resumeBatch, runBatch } from '../../src/main/services/sync'
import { createBatch, getBatch } from '../../src/main/store/batches'
import type { Db } from '../../src/main/store/connection'
import { createWorld, type World } from '../helpers/world'

// Issue 13, M5: the disk fills up in the middle of a batch. The review's serve died of an unhandled
// rejection (the item's bookkeeping threw inside the runner's catch); with a disk that still takes an
// update in place, the same code finished the items as errors and dropped the answers the gateway had
// given, closes included. Now the batch pauses with its reason, the answers wait in the journal, and
// a resume once there is space writes them and finishes the rest: nothing lost, nothing twice.
//
// "Full" for real: SQLite's max_page_count caps the database a few pages above its size, and SQLite
// answers SQLITE_FULL exactly as it does on a full disk.

const PAID = 15
const EXPIRED = 15

let w: World | null = null
afterEach(async () => {
  await w?.close()
  w = null
})

const count = (db: Db, sql: string, ...params: unknown[]) =>
  (db.prepare(sql).get(...params) as { n: number }).n

function journalEntries(world: World): Array<{ finding: { outcome: string } }> {
  return fs
    .readdirSync(world.dir)
    .filter((f) => f.startsWith('paysync.journal'))
    .flatMap((f) => fs.readFileSync(`${world.dir}/${f}`, 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as { finding: { outcome: string } })
}

function untilEvent(world: World, done: (p: BatchProgressEvent) => boolean): Promise<BatchProgressEvent> {
  return new Promise((resolve) => {
    const off = world.ctx.on('batch.progress', (p) => {
      if (done(p)) {
        off()
        resolve(p)
      }
    })
  })
}

describe('the disk fills up mid-batch (M5)', () => {
  it('pauses with its reason and keeps every answer; resumed once there is space, nothing is lost or doubled', async () => {
    w = await createWorld()
    const ids: number[] = []
    for (let i = 0; i < PAID + EXPIRED; i++) {
      const paid = i < PAID
      const orderNo = `FULL-${i}`
      ids.push(
        w.payOrder({
          merchant: 'ali',
          orderNo,
          amount: 100,
          expiredAt: paid ? Date.now() + 3600_000 : Date.now() - 3600_000,
        }),
      )
      w.gatewayOrder({
        merchant: 'ali',
        orderNo,
        amount: 100,
        state: paid ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY',
      })
    }
    const batchId = createBatch(w.ctx.db, {
      name: 'full',
      sourceFile: null,
      importId: null,
      concurrency: 4,
      qps: 1000,
      operator: null,
      items: ids.map((id) => ({ type: 'pay' as const, id })),
    })
    const db = w.ctx.db
    // A few pages left: some attempts are written, then the disk is full.
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 4}`)

    const rejections: unknown[] = []
    const onRejection = (r: unknown) => rejections.push(r)
    process.on('unhandledRejection', onRejection)
    let last: BatchProgressEvent
    try {
      last = await runBatch(w.ctx, batchId)
      await new Promise((r) => setTimeout(r, 50))
    } finally {
      process.off('unhandledRejection', onRejection)
    }
    expect(rejections).toEqual([])
    // Paused, with the reason the window shows and the command line prints; no item failed for it.
    expect(last).toMatchObject({ status: 'paused', pauseReason: 'disk_full' })
    expect(last.counts.error).toBe(0)
    expect(last.done).toBeLessThan(PAID + EXPIRED)
    expect(getBatch(db, batchId)).toMatchObject({ status: 'paused', pause_reason: 'disk_full' })
    expect(getBatchView(w.ctx, batchId)).toMatchObject({ status: 'paused', pauseReason: 'disk_full' })
    expect(count(db, 'SELECT count(*) AS n FROM trade_leases')).toBe(0)
    // Every attempt that asked the gateway has its record, or waits in the journal beside the database.
    const kept = journalEntries(w)
    expect(kept.length).toBeGreaterThan(0)
    expect(count(db, 'SELECT count(*) AS n FROM sync_records') + kept.length).toBe(
      w.sim.state.stats.requests['alipay.trade.query'],
    )
    // Every close the gateway did was announced first.
    expect(count(db, 'SELECT count(*) AS n FROM sync_intents')).toBe(w.sim.state.stats.closes)

    // A replay that wrote these entries and died before it dropped its copy leaves them twice.
    fs.copyFileSync(`${w.dir}/paysync.journal`, `${w.dir}/paysync.journal.999-0badcafe.replay`)

    // Space again; the window's resume writes what waits before it asks the gateway anything more.
    db.pragma('max_page_count = 1073741823')
    const finished = untilEvent(w, (p) => p.batchId === batchId && p.status === 'done')
    expect(resumeBatch(w.ctx, batchId).status).not.toBe('done')
    expect(await finished).toMatchObject({ done: PAID + EXPIRED, counts: { error: 0 } })
    while (w.ctx.runs.size) await new Promise((r) => setTimeout(r, 10))

    expect(journalEntries(w)).toEqual([])
    expect(count(db, 'SELECT count(*) AS n FROM journal_applied')).toBe(kept.length)
    const perOrder = db
      .prepare(
        "SELECT trade_id, count(*) AS n FROM sync_records WHERE batch_id = ? AND outcome <> 'skipped' GROUP BY trade_id",
      )
      .all(batchId) as Array<{ n: number }>
    expect(perOrder.map((r) => r.n)).toEqual(Array(PAID + EXPIRED).fill(1))
    const statuses = db.prepare('SELECT status, count(*) AS n FROM pay_orders GROUP BY status').all()
    expect(statuses).toEqual([
      { status: 'close', n: EXPIRED },
      { status: 'success', n: PAID },
    ])
    expect(count(db, 'SELECT count(*) AS n FROM repair_records')).toBe(PAID + EXPIRED)
    // No order was closed at the gateway twice, and every close is answered by its record.
    expect(w.sim.state.stats.closes).toBe(EXPIRED)
    expect(count(db, 'SELECT count(*) AS n FROM sync_intents WHERE record_id IS NULL')).toBe(0)
    expect(count(db, 'SELECT count(*) AS n FROM trade_leases')).toBe(0)
    expect(count(db, 'SELECT count(*) AS n FROM anomalies')).toBe(0)
    expect(getBatch(db, batchId)).toMatchObject({ status: 'done', pause_reason: null })
  }, 60_000)

  it('a schedule pass stops at it too: the answers are kept, the rest waits for a later tick', async () => {
    w = await createWorld()
    const db = w.ctx.db
    for (let i = 0; i < 40; i++) {
      const orderNo = `DUE-${i}`
      w.payOrder({ merchant: 'ali', orderNo, amount: 100 })
      w.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
    }
    db.prepare('UPDATE pay_orders SET next_sync_at = ?').run(Date.now() - 1000)
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 4}`)
    const scheduler = new Scheduler(fileDue(db), w.ctx.engine, () => ({
      schedulesEnabled: true,
      scheduleTickSec: 60,
      defaultConcurrency: 2,
      defaultQps: 1000,
    }))
    expect(await scheduler.runOnce()).toMatchObject({ pay: 40 })
    const queries = w.sim.state.stats.requests['alipay.trade.query']!
    expect(queries).toBeLessThan(40)
    const kept = journalEntries(w).length
    expect(kept).toBeGreaterThan(0)
    expect(count(db, 'SELECT count(*) AS n FROM sync_records') + kept).toBe(queries)
    expect(count(db, 'SELECT count(*) AS n FROM trade_leases')).toBe(0)
    // Space again: the kept answers are written, each once, and the pass's repairs with them.
    db.pragma('max_page_count = 1073741823')
    expect(w.ctx.recover()).toMatchObject({ written: kept, waiting: 0 })
    expect(count(db, 'SELECT count(*) AS n FROM sync_records')).toBe(queries)
    expect(count(db, "SELECT count(*) AS n FROM pay_orders WHERE status = 'success'")).toBe(queries)
  })
})
