import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fileBatchRun } from '../../src/main/engine/batch-on-file'
import type { BatchProgressEvent } from '../../src/shared/contract'
import { SyncEngine } from '../../src/main/engine/sync'
import { exportCsv } from '../../src/main/services/export'
import { batchItems, createBatch, getBatch } from '../../src/main/store/batches'
import { openStore } from '../../src/main/store/connection'
import { listSyncRecords } from '../../src/main/store/records'
import { getPayOrder } from '../../src/main/store/orders'
import { waitForProgress } from '../helpers/progress'
import { busiestWindow } from '../helpers/rate-window'
import { createWorld, type World } from '../helpers/world'

let w: World
let seq = 0
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})
beforeEach(() => {
  w.sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
})

function orders(n: number, state = 'TRADE_SUCCESS'): number[] {
  const tag = `B${++seq}-${Date.now()}`
  const ids: number[] = []
  for (let i = 0; i < n; i++) {
    const orderNo = `${tag}-${i}`
    ids.push(w.payOrder({ merchant: 'ali', orderNo, amount: 100 }))
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state })
  }
  return ids
}

function batchOf(ids: number[], concurrency: number, qps: number): number {
  return createBatch(w.ctx.db, {
    name: 't',
    sourceFile: null,
    importId: null,
    concurrency,
    qps,
    operator: null,
    items: ids.map((id) => ({ type: 'pay', id })),
  })
}

describe('batch runner', () => {
  it('is stored before the first call, keeps to its concurrency and QPS, reports progress, ends done', async () => {
    // More calls than the QPS allows in one second, so that the limit has something to hold back.
    const ids = orders(60)
    const id = batchOf(ids, 4, 40)
    expect(batchItems(w.ctx.db, id, { limit: 100, offset: 0 }).total).toBe(60)
    w.sim.state.stats = { ...w.sim.state.stats, maxConcurrent: 0 }
    w.sim.state.faults = { latencyMs: 30, jitterMs: 10, qps: 0, faultRate: 0, faults: [] }
    const events: BatchProgressEvent[] = []
    const since = performance.now()
    const last = await fileBatchRun(w.ctx.db, w.ctx.engine, id, {
      onProgress: (p) => events.push(p),
      progressEveryMs: 50,
    }).run()
    expect(last).toMatchObject({ status: 'done', total: 60, done: 60, counts: { repaired: 60, error: 0 } })
    expect(w.sim.state.stats.maxConcurrent).toBeLessThanOrEqual(4)
    // At most 40 calls in any second of the gateway's clock. The simulator stamps arrivals in this
    // same process: a stall of its event loop bunches a few (the RateGate's margin covers the way
    // there, not that), hence the allowance; an unpaced batch would put all 60 in half a second.
    const arrivals = w.sim.state.arrivalsSince(since)
    expect(arrivals).toHaveLength(60)
    expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(40 + 8)
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(1000)
    expect(events.length).toBeGreaterThan(3)
    expect(events.some((e) => e.rate > 0 && e.etaSeconds !== null && e.done < 60)).toBe(true)
    expect(getBatch(w.ctx.db, id)!.status).toBe('done')
    for (const orderId of ids) expect(getPayOrder(w.ctx.db, orderId)!.status).toBe('success')
  })

  it('pause stops new calls, resume finishes, cancel leaves the rest cancelled', async () => {
    const ids = orders(30)
    const id = batchOf(ids, 2, 1000)
    w.sim.state.faults = { latencyMs: 40, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
    const calls = () => w.sim.state.stats.requests['alipay.trade.query'] ?? 0
    const before = calls()
    const run = fileBatchRun(w.ctx.db, w.ctx.engine, id, { progressEveryMs: 0 })
    const done = run.run()
    await waitForProgress(run, (p) => p.done >= 5)
    run.pause()
    expect(getBatch(w.ctx.db, id)!.status).toBe('paused')
    // Once the calls on the wire are written nothing is in flight, and while paused nothing leaves:
    // had the pause not stopped new calls, the queues would only have emptied with the batch.
    await run.idle()
    const during = run.snapshot().done
    expect(during).toBeLessThan(30)
    expect(calls() - before).toBe(during)
    run.resume()
    const last = await done
    expect(last).toMatchObject({ status: 'done', done: 30 })
    expect(calls() - before).toBe(30)

    const ids2 = orders(30)
    const id2 = batchOf(ids2, 2, 1000)
    const run2 = fileBatchRun(w.ctx.db, w.ctx.engine, id2, { progressEveryMs: 0 })
    const done2 = run2.run()
    await waitForProgress(run2, (p) => p.done >= 5)
    run2.cancel()
    const last2 = await done2
    expect(last2.status).toBe('cancelled')
    expect(last2.done).toBeLessThan(30)
    const states = batchItems(w.ctx.db, id2, { limit: 100, offset: 0 }).rows.map((r) => r.state)
    expect(states.filter((s) => s === 'cancelled').length).toBe(30 - last2.done)
  })

  it('cancel or pause asks nothing more of the gateway, even of items already waiting for their turn', async () => {
    const calls = () => Object.values(w.sim.state.stats.requests).reduce((a, b) => a + b, 0)
    // A slow QPS: with concurrency 4, eight items at a time wait at the gate for their turn.
    const ids = orders(30)
    const id = batchOf(ids, 4, 4)
    const run = fileBatchRun(w.ctx.db, w.ctx.engine, id, { progressEveryMs: 0 })
    const before = calls()
    const done = run.run()
    // Two answered: the next ones are on the wire or waiting at the gate.
    await waitForProgress(run, (p) => p.done >= 2)
    run.cancel()
    const atCancel = calls() - before
    const last = await done
    const sent = calls() - before
    // At most a call already on the wire when the cancel came; the ones still waiting never leave.
    expect(sent - atCancel).toBeLessThanOrEqual(1)
    expect(last.status).toBe('cancelled')
    expect(last.done).toBe(sent)
    const records = listSyncRecords(w.ctx.db, { batchId: id, limit: 100, offset: 0 }).total
    expect(records).toBe(sent)

    const ids2 = orders(12)
    const id2 = batchOf(ids2, 4, 4)
    const run2 = fileBatchRun(w.ctx.db, w.ctx.engine, id2, { progressEveryMs: 0 })
    const before2 = calls()
    const done2 = run2.run()
    await waitForProgress(run2, (p) => p.done >= 2)
    run2.pause()
    const atPause = calls() - before2
    // Every item waiting at the gate has had its turn and given it up, back in its paused queue.
    await run2.idle()
    expect(calls() - before2 - atPause).toBeLessThanOrEqual(1)
    expect(run2.snapshot().done).toBe(calls() - before2)
    expect(run2.snapshot().done).toBeLessThan(12)
    run2.resume()
    const last2 = await done2
    // Every item once: the ones given back at the pause were asked after the resume, not twice.
    expect(last2).toMatchObject({ status: 'done', done: 12 })
    expect(calls() - before2).toBe(12)
    expect(listSyncRecords(w.ctx.db, { batchId: id2, limit: 100, offset: 0 }).total).toBe(12)
  })

  it('problem rows are the anomalies and errors, on the screen and in the export alike', async () => {
    const tag = `PR${++seq}`
    const make = (suffix: string, amount: number, state: string, gatewayAmount = amount, paid = false) => {
      const orderNo = `${tag}-${suffix}`
      const id = w.payOrder({ merchant: 'ali', orderNo, amount })
      w.gatewayOrder({
        merchant: 'ali',
        orderNo,
        amount: gatewayAmount,
        state,
        paidAt: paid ? Date.now() - 60_000 : null,
      })
      return id
    }
    const ids = [
      make('OK', 100, 'TRADE_SUCCESS'),
      make('WAIT', 100, 'WAIT_BUYER_PAY'),
      make('MISMATCH', 15000, 'TRADE_SUCCESS', 1500),
      // Paid and then refunded at the gateway: repaired to success, and a refund nobody recorded.
      make('REFUNDED', 100, 'TRADE_CLOSED', 100, true),
    ]
    const id = batchOf(ids, 2, 1000)
    const last = await fileBatchRun(w.ctx.db, w.ctx.engine, id).run()
    expect(last.counts).toMatchObject({ repaired: 1, waiting: 1, anomaly: 2 })

    const onScreen = batchItems(w.ctx.db, id, { problemsOnly: true, limit: 100, offset: 0 }).rows.map(
      (r) => getPayOrder(w.ctx.db, r.trade_id)!.order_no,
    )
    expect(onScreen.sort()).toEqual([`${tag}-MISMATCH`, `${tag}-REFUNDED`])
    const file = path.join(w.dir, `${tag}.csv`)
    await exportCsv(w.ctx, { kind: 'batch', batchId: id, problemsOnly: true, file })
    const rows = parse(fs.readFileSync(file, 'utf8').slice(1), { columns: true }) as Array<
      Record<string, string>
    >
    expect(rows.map((r) => r['交易号']!.trim()).sort()).toEqual(onScreen.sort())
    expect(rows.every((r) => r['处理结果'] === '待处理')).toBe(true)
  })

  it('its repairs and records name who started the batch', async () => {
    const ids = orders(3, 'TRADE_SUCCESS')
    const id = createBatch(w.ctx.db, {
      name: 'who',
      sourceFile: null,
      importId: null,
      concurrency: 2,
      qps: 1000,
      operator: '李会计',
      items: ids.map((tradeId) => ({ type: 'pay' as const, id: tradeId })),
    })
    await fileBatchRun(w.ctx.db, w.ctx.engine, id).run()
    const repairs = w.ctx.db
      .prepare(`SELECT operator FROM repair_records WHERE trade_id IN (${ids.join(',')})`)
      .all() as Array<{ operator: string | null }>
    expect(repairs.map((r) => r.operator)).toEqual(['李会计', '李会计', '李会计'])
    const records = w.ctx.db
      .prepare('SELECT DISTINCT operator FROM sync_records WHERE batch_id = ?')
      .all(id) as Array<{ operator: string | null }>
    expect(records).toEqual([{ operator: '李会计' }])
  })

  it("a record's duration is the gateway's time, not the wait for the QPS turn", async () => {
    const ids = orders(8)
    const id = batchOf(ids, 4, 4)
    const since = performance.now()
    await fileBatchRun(w.ctx.db, w.ctx.engine, id).run()
    // Eight calls at four a second reach the gateway spread over more than a second: the last ones
    // waited that long for their turn, and that wait is not in their records.
    const arrivals = w.sim.state.arrivalsSince(since)
    expect(arrivals).toHaveLength(8)
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(1000)
    const longest = w.ctx.db
      .prepare('SELECT max(duration_ms) AS ms FROM sync_records WHERE batch_id = ?')
      .get(id) as { ms: number }
    expect(longest.ms).toBeLessThan(500)
  })

  it('a lock conflict is tried again later, and a result another worker got meanwhile is taken, not asked again', async () => {
    const [a, b] = orders(2)
    const id = batchOf([a!, b!], 2, 1000)
    // Another process holds trade a; it finishes the sync itself while our batch waits.
    w.ctx.db
      .prepare('INSERT INTO trade_leases VALUES (?, ?, ?)')
      .run(`pay:${a}`, 'other-host:1:x#1', Date.now() + 60_000)
    // The retry comes well after b's sync: a met the lease at once, and waits out this delay.
    const run = fileBatchRun(w.ctx.db, w.ctx.engine, id, { conflictRetryMs: 1_000, progressEveryMs: 0 })
    const done = run.run()
    // b is done; a met the lease, is recorded skipped, and waits for its retry.
    await waitForProgress(run, (p) => p.done >= 1)
    expect(
      listSyncRecords(w.ctx.db, { tradeId: a!, type: 'pay', limit: 10, offset: 0 }).items.map(
        (r) => r.outcome,
      ),
    ).toEqual(['skipped'])
    w.ctx.db.prepare('DELETE FROM trade_leases WHERE trade_key = ?').run(`pay:${a}`)
    const otherDb = openStore(w.dbFile)
    await new SyncEngine(otherDb, (m) => w.ctx.adapterFor(m), { owner: 'other-host:1:y' }).syncPay(a!, {
      source: 'schedule',
    })
    otherDb.close()
    const before = w.sim.state.stats.requests['alipay.trade.query']
    const last = await done
    expect(last).toMatchObject({ status: 'done', done: 2, counts: { repaired: 2 } })
    expect(w.sim.state.stats.requests['alipay.trade.query']).toBe(before)
    const records = listSyncRecords(w.ctx.db, { tradeId: a!, type: 'pay', limit: 10, offset: 0 })
      .items.map((r) => r.outcome)
      .sort()
    expect(records).toEqual(['repaired', 'skipped'])
  })

  it('claims a long list a page at a time and syncs every item exactly once', async () => {
    const ids = orders(1_300)
    const id = batchOf(ids, 8, 5_000)

    const before = w.sim.state.stats.requests['alipay.trade.query'] ?? 0
    const last = await fileBatchRun(w.ctx.db, w.ctx.engine, id).run()
    expect(last).toMatchObject({ status: 'done', total: 1_300, done: 1_300, counts: { repaired: 1_300 } })
    expect((w.sim.state.stats.requests['alipay.trade.query'] ?? 0) - before).toBe(1_300)
    const left = w.ctx.db
      .prepare(
        "SELECT count(*) AS n FROM batch_items WHERE batch_id = ? AND (state <> 'done' OR claimed_by IS NULL)",
      )
      .get(id) as { n: number }
    // Every item done, each under the claim of the one runner.
    expect(left.n).toBe(0)
    const perTrade = w.ctx.db
      .prepare('SELECT count(*) AS n FROM sync_records WHERE batch_id = ? GROUP BY trade_id HAVING n <> 1')
      .all(id)
    expect(perTrade).toEqual([])
  })

  it('a lease of a process of this machine that died is broken at once', async () => {
    const [a] = orders(1)
    w.ctx.db
      .prepare('INSERT INTO trade_leases VALUES (?, ?, ?)')
      .run(`pay:${a}`, `${(await import('node:os')).hostname()}:999999:dead#1`, Date.now() + 600_000)
    const r = await w.ctx.engine.syncPay(a!, { source: 'manual' })
    expect(r.outcome).toBe('repaired')
  })
})
