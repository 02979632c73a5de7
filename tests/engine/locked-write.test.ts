import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { getBatchView, runBatch } from '../../src/main/services/sync'
import { createBatch } from '../../src/main/store/batches'
import type { Db } from '../../src/main/store/connection'
import { startLockHolder, type LockHolder } from '../helpers/lock-holder'
import { createWorld, type World } from '../helpers/world'

// Issue 13, L1: another program holds the database (BEGIN IMMEDIATE) past the busy timeout while a
// batch closes expired orders at the gateway. The review saw the gateway close an order whose local
// order stayed `progress` with no sync record: the final write failed and the answer was dropped.
// Now the close is announced by an intent first, the final write is retried past the busy timeout,
// and what still cannot be written goes to the journal beside the database, written later, once.

const ORDERS = 12

/**
 * The simulator answers in this thread, which SQLite's busy wait blocks: a generous timeout, so that
 * an answer held up by the wait is not taken for a lost one, and one try, so that every close at the
 * gateway is one of ours.
 */
const PATIENT = { timeoutMs: 10_000, retries: 0, backoffMs: 10, maxBackoffMs: 20 }

let w: World | null = null
let holder: LockHolder | null = null
afterEach(async () => {
  holder?.kill()
  holder = null
  if (w) {
    await w.sim.close()
    fs.rmSync(w.dir, { recursive: true, force: true })
  }
  w = null
})

async function expiredBatch(world: World): Promise<number> {
  const ids: number[] = []
  for (let i = 0; i < ORDERS; i++) {
    const orderNo = `LOCK-${i}`
    ids.push(world.payOrder({ merchant: 'ali', orderNo, amount: 100, expiredAt: Date.now() - 3600_000 }))
    world.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'WAIT_BUYER_PAY' })
  }
  // Each order is a query, then a close: slow enough for the lock to land between a close and its
  // write, however long the lock holder takes to be scheduled on a busy machine.
  world.sim.state.faults = { latencyMs: 800, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
  return createBatch(world.ctx.db, {
    name: 'locked',
    sourceFile: null,
    importId: null,
    concurrency: 3,
    qps: 1000,
    operator: null,
    items: ids.map((id) => ({ type: 'pay' as const, id })),
  })
}

const count = (db: Db, sql: string, ...params: unknown[]) =>
  (db.prepare(sql).get(...params) as { n: number }).n

/** Resolves once a close has reached the gateway, its answer still to come: when the review's lock hit. */
function closeInFlight(world: World): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if ((world.sim.state.stats.requests['alipay.trade.close'] ?? 0) > 0) {
        clearInterval(t)
        resolve()
      }
    }, 5)
  })
}

function journalFiles(world: World): string[] {
  return fs.readdirSync(world.dir).filter((f) => f.startsWith('paysync.journal'))
}

/** The attempts the journal keeps; `answered`: those that asked the gateway (not skipped). */
function kept(world: World, answered = false): number {
  return journalFiles(world)
    .flatMap((f) => fs.readFileSync(`${world.dir}/${f}`, 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as { finding: { outcome: string } })
    .filter((e) => !answered || e.finding.outcome !== 'skipped').length
}

/** Every order closed at the gateway once, closed here, with one record of the batch each. */
function expectEveryCloseRecorded(world: World, db: Db, batchId: number): void {
  expect(world.sim.state.stats.closes).toBe(ORDERS)
  expect(count(db, "SELECT count(*) AS n FROM pay_orders WHERE status = 'close'")).toBe(ORDERS)
  // Skipped: an attempt whose close was not sent because the lock refused its intent (it stays to do).
  const perOrder = db
    .prepare(
      "SELECT trade_id, count(*) AS n FROM sync_records WHERE batch_id = ? AND outcome <> 'skipped' GROUP BY trade_id",
    )
    .all(batchId) as Array<{ n: number }>
  expect(perOrder.map((r) => r.n)).toEqual(Array(ORDERS).fill(1))
  // Every close was announced, and every announcement is answered by its record.
  expect(count(db, 'SELECT count(*) AS n FROM sync_intents')).toBe(ORDERS)
  expect(count(db, 'SELECT count(*) AS n FROM sync_intents WHERE record_id IS NULL')).toBe(0)
  expect(count(db, "SELECT count(*) AS n FROM repair_records WHERE way = 'pay_close_gateway'")).toBe(ORDERS)
  expect(count(db, 'SELECT count(*) AS n FROM trade_leases')).toBe(0)
  expect(count(db, 'SELECT count(*) AS n FROM anomalies')).toBe(0)
}

describe('a database locked by another program mid-batch (L1)', () => {
  it('a lock that outlasts the retries: the answers go to the journal, the next opening writes them once', async () => {
    w = await createWorld({
      retry: PATIENT,
      context: { store: { busyTimeoutMs: 150 }, writeRetryMs: 300 },
    })
    const batchId = await expiredBatch(w)
    holder = await startLockHolder(w.dbFile)
    const rejections: unknown[] = []
    const onRejection = (r: unknown) => rejections.push(r)
    process.on('unhandledRejection', onRejection)
    try {
      const running = runBatch(w.ctx, batchId)
      await closeInFlight(w)
      await holder.lock(6_000)
      const last = await running
      // The batch paused with its reason; it did not crash, nor count an answered close as an error.
      expect(last).toMatchObject({ status: 'paused', pauseReason: 'db_locked' })
      expect(last.counts.error).toBe(0)
      expect(getBatchView(w.ctx, batchId)).toMatchObject({ status: 'paused', pauseReason: 'db_locked' })
      await holder.released
      expect(rejections).toEqual([])
    } finally {
      process.off('unhandledRejection', onRejection)
    }

    // The gateway closed orders whose final write the lock refused: none of them is lost.
    const db = w.ctx.db
    const keptNow = kept(w)
    expect(kept(w, true)).toBeGreaterThan(0)
    const answered = "SELECT count(*) AS n FROM sync_records WHERE outcome <> 'skipped'"
    expect(count(db, answered) + kept(w, true)).toBe(w.sim.state.stats.closes)

    // Another process opens the database (the CLI, the app): the journal is written before anything else.
    await w.ctx.close()
    const next = new ServiceContext({ dbFile: w.dbFile, transport: 'cli', retry: PATIENT })
    try {
      expect(journalFiles(w)).toEqual([])
      expect(count(next.db, answered)).toBe(w.sim.state.stats.closes)
      expect(count(next.db, 'SELECT count(*) AS n FROM journal_applied')).toBe(keptNow)
      // A second opening finds nothing more to write.
      expect(next.recover()).toMatchObject({ written: 0, waiting: 0, syncAgain: [] })
      w.sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
      expect(await runBatch(next, batchId)).toMatchObject({ status: 'done', done: ORDERS })
      expectEveryCloseRecorded(w, next.db, batchId)
    } finally {
      await next.close()
    }
  }, 60_000)

  it('a lock shorter than the retries is waited out: every close written at once, nothing kept', async () => {
    w = await createWorld({
      retry: PATIENT,
      context: { store: { busyTimeoutMs: 150 }, writeRetryMs: 10_000 },
    })
    const batchId = await expiredBatch(w)
    holder = await startLockHolder(w.dbFile)
    const running = runBatch(w.ctx, batchId)
    await closeInFlight(w)
    await holder.lock(1_000)
    const last = await running
    await holder.released
    // Every close the gateway did is written, none kept for later, none counted as failed.
    expect(journalFiles(w)).toEqual([])
    expect(last.counts.error).toBe(0)
    expect(count(w.ctx.db, "SELECT count(*) AS n FROM sync_records WHERE outcome <> 'skipped'")).toBe(
      w.sim.state.stats.closes,
    )
    // A trade that came to take its lease while the lock was held paused the batch instead of
    // failing; whether one did depends on when the lock fell. The resume finishes it.
    if (last.status !== 'done') {
      expect(last).toMatchObject({ status: 'paused', pauseReason: 'db_locked' })
      w.sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
      expect(await runBatch(w.ctx, batchId)).toMatchObject({ status: 'done', done: ORDERS })
    }
    expectEveryCloseRecorded(w, w.ctx.db, batchId)
    await w.ctx.close()
  }, 60_000)
})
