import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { fileBatchRun } from '../../src/main/engine/batch-on-file'
import type { BatchRun } from '../../src/main/engine/batch-runner'
import { ServiceContext } from '../../src/main/services/context'
import { createBatch, getBatch } from '../../src/main/store/batches'
import type { BatchProgressEvent } from '../../src/shared/contract'
import { waitForProgress } from '../helpers/progress'
import { busiestWindow } from '../helpers/rate-window'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// Several processes run one batch together (issue 15 item 3, docs/team-mode.md B8.5): two contexts on
// one SQLite file, each with its own connection, engine owner and coordination, as the window and a
// `paysync batch resume` in a terminal have. Each item runs in one process only, pause and cancel said
// in one stop the other, and the batch's QPS holds for both together.

let w: World
let other: ServiceContext
let seq = 0
beforeAll(async () => {
  w = await createWorld()
  other = new ServiceContext({ dbFile: w.dbFile, retry: FAST_RETRY, transport: 'cli', operator: 'other' })
})
afterAll(async () => {
  await other.close()
  await w.close()
})
beforeEach(() => {
  w.sim.state.faults = { latencyMs: 10, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
})

const HEARTBEAT_MS = 100
const queries = () => w.sim.state.stats.requests['alipay.trade.query'] ?? 0

function batchOf(n: number, concurrency: number, qps: number): { id: number; orders: number[] } {
  const tag = `T${++seq}-${Date.now()}`
  const orders: number[] = []
  for (let i = 0; i < n; i++) {
    const orderNo = `${tag}-${i}`
    orders.push(w.payOrder({ merchant: 'ali', orderNo, amount: 100 }))
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
  }
  const id = createBatch(w.ctx.db, {
    name: tag,
    sourceFile: null,
    importId: null,
    concurrency,
    qps,
    operator: 'test',
    items: orders.map((o) => ({ type: 'pay' as const, id: o })),
  })
  return { id, orders }
}

function runner(
  ctx: ServiceContext,
  id: number,
  events?: BatchProgressEvent[],
  timing: { heartbeatMs: number; claimTtlMs: number } = { heartbeatMs: HEARTBEAT_MS, claimTtlMs: 2_000 },
): BatchRun {
  return fileBatchRun(ctx.db, ctx.engine, id, {
    coordination: ctx.coordination,
    ...timing,
    progressEveryMs: 0,
    onProgress: events ? (p) => events.push(p) : undefined,
  })
}

/** Items of the batch done under each owner's claim. */
function doneBy(id: number): Map<string, number> {
  const rows = w.ctx.db
    .prepare(
      "SELECT claimed_by AS owner, count(*) AS n FROM batch_items WHERE batch_id = ? AND state = 'done' GROUP BY claimed_by",
    )
    .all(id) as Array<{ owner: string; n: number }>
  return new Map(rows.map((r) => [r.owner, r.n]))
}

/** Resolves once `test` holds, asking every 20 ms: a counter in the store, not a time. */
async function until(test: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Sync records per trade of the batch: one each, none skipped, when nothing was synced twice. */
function recordsPerTrade(id: number): number[] {
  return (
    w.ctx.db
      .prepare(
        'SELECT count(*) AS n FROM sync_records WHERE batch_id = ? GROUP BY trade_id ORDER BY trade_id',
      )
      .all(id) as Array<{ n: number }>
  ).map((r) => r.n)
}

describe('two processes on one batch', () => {
  it('share it: every trade asked once, both take items, done once, whole counts, QPS held together', async () => {
    const n = 300
    const qps = 60
    const { id } = batchOf(n, 4, qps)
    const before = queries()
    const since = performance.now()
    w.sim.state.resetRateWindow()
    const eventsA: BatchProgressEvent[] = []
    const eventsB: BatchProgressEvent[] = []
    const a = runner(w.ctx, id, eventsA)
    const b = runner(other, id, eventsB)
    const [lastA, lastB] = await Promise.all([a.run(), b.run()])

    expect(queries() - before).toBe(n)
    expect(recordsPerTrade(id)).toEqual(Array(n).fill(1))
    const by = doneBy(id)
    expect(by.get(w.ctx.engine.owner)).toBeGreaterThan(0)
    expect(by.get(other.engine.owner)).toBeGreaterThan(0)
    expect(by.get(w.ctx.engine.owner)! + by.get(other.engine.owner)!).toBe(n)
    // Done once: by the runner whose update found nothing pending; both end done, with the whole batch.
    expect([a.markedDone, b.markedDone].filter(Boolean)).toHaveLength(1)
    expect(getBatch(w.ctx.db, id)!.status).toBe('done')
    for (const last of [lastA, lastB])
      expect(last).toMatchObject({ status: 'done', total: n, done: n, counts: { repaired: n, error: 0 } })
    // Each said it ran with another process.
    expect(eventsA.some((e) => e.runners === 2)).toBe(true)
    expect(eventsB.some((e) => e.runners === 2)).toBe(true)
    // At most the batch's QPS in any second at the gateway, both runners together. Alone each would
    // take all of it: about twice as many in a second. The allowance is the one of batch.test.ts (a
    // stall of this process's event loop bunches a few arrivals at the simulator).
    const arrivals = w.sim.state.arrivalsSince(since)
    expect(arrivals).toHaveLength(n)
    expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(qps + 8)
  }, 60_000)

  it('a runner that joins mid-run is met between heartbeats: it takes part, the QPS held together', async () => {
    // Heartbeats longer than the whole run: the others count the runners between them
    // (batch-peers.ts PEER_CHECK_MS), so the joiner waits for that count and their word that they
    // took their smaller share, not for a heartbeat; waiting for one, it would find nothing left.
    const slow = { heartbeatMs: 8_000, claimTtlMs: 30_000 }
    const n = 240
    const qps = 60
    const { id } = batchOf(n, 4, qps)
    const before = queries()
    const since = performance.now()
    w.sim.state.resetRateWindow()
    const a = runner(w.ctx, id, undefined, slow)
    const endedA = a.run()
    await until(() => (doneBy(id).get(w.ctx.engine.owner) ?? 0) >= 30, 'a runs alone first')
    const b = runner(other, id, undefined, slow)
    const [lastA, lastB] = await Promise.all([endedA, b.run()])

    expect(lastA.status).toBe('done')
    expect(lastB.status).toBe('done')
    expect(queries() - before).toBe(n)
    expect(recordsPerTrade(id)).toEqual(Array(n).fill(1))
    expect(doneBy(id).get(other.engine.owner)).toBeGreaterThan(0)
    const arrivals = w.sim.state.arrivalsSince(since)
    expect(arrivals).toHaveLength(n)
    expect(busiestWindow(arrivals, 1000)).toBeLessThanOrEqual(qps + 8)
  }, 60_000)

  it('a pause said in one stops the other; a resume there starts it again; each trade once', async () => {
    const n = 200
    const { id } = batchOf(n, 2, 100)
    w.sim.state.faults = { latencyMs: 30, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
    const before = queries()
    const a = runner(w.ctx, id)
    const b = runner(other, id)
    const ended = Promise.all([a.run(), b.run()])
    // Both have items done under their claims: b has joined.
    await until(() => (doneBy(id).get(other.engine.owner) ?? 0) > 0, 'b runs items')
    a.pause()
    // b hears of it on its heartbeat, and stops too; their calls in flight are written.
    await waitForProgress(b, (p) => p.status === 'paused')
    await Promise.all([a.idle(), b.idle()])
    const asked = queries() - before
    const done = [...doneBy(id).values()].reduce((x, y) => x + y, 0)
    expect(asked).toBe(done)
    expect(done).toBeLessThan(n)
    // Nothing more leaves while paused, in either: one more heartbeat each, and still the same.
    await until(() => {
      const heldByNone = w.ctx.db
        .prepare(
          'SELECT count(*) AS n FROM batch_items WHERE batch_id = ? AND claimed_by IS NOT NULL AND state = ?',
        )
        .get(id, 'pending') as { n: number }
      return heldByNone.n === 0
    }, 'the claims let go at the pause')
    expect(queries() - before).toBe(asked)
    // The resume said in b: a follows it at its heartbeat.
    b.resume()
    const [lastA, lastB] = await ended
    expect(lastA.status).toBe('done')
    expect(lastB.status).toBe('done')
    expect(queries() - before).toBe(n)
    expect(recordsPerTrade(id)).toEqual(Array(n).fill(1))
  }, 60_000)

  it('a cancel said in one ends the other; the calls in flight are recorded, the rest cancelled', async () => {
    const n = 200
    const { id } = batchOf(n, 2, 100)
    w.sim.state.faults = { latencyMs: 30, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
    const before = queries()
    const a = runner(w.ctx, id)
    const b = runner(other, id)
    const ended = Promise.all([a.run(), b.run()])
    await until(() => (doneBy(id).get(other.engine.owner) ?? 0) > 0, 'b runs items')
    b.cancel()
    const [lastA, lastB] = await ended
    expect(lastA.status).toBe('cancelled')
    expect(lastB.status).toBe('cancelled')
    const states = w.ctx.db
      .prepare('SELECT state, count(*) AS n FROM batch_items WHERE batch_id = ? GROUP BY state')
      .all(id) as Array<{ state: string; n: number }>
    const count: Record<string, number> = Object.fromEntries(states.map((s) => [s.state, s.n]))
    // Every call asked has its record and its finished item; nothing is left pending.
    expect(count.pending).toBeUndefined()
    expect(count.done).toBe(queries() - before)
    expect(count.done! + count.cancelled!).toBe(n)
    expect(count.cancelled).toBeGreaterThan(0)
    expect(recordsPerTrade(id)).toEqual(Array(count.done).fill(1))
    expect(getBatch(w.ctx.db, id)!.status).toBe('cancelled')
  }, 60_000)

  it('takes over the items of a runner that died elsewhere once their claims expire, and only then ends', async () => {
    const n = 60
    const { id } = batchOf(n, 4, 200)
    // A desktop on another computer claimed twenty items and died: its claims lapse in 1.5 s.
    const gone = 'far-host:4242:gone'
    const held = await w.ctx.coordination.claimItems(id, gone, 20, 1_500)
    expect(held).toHaveLength(20)
    const before = queries()
    const b = runner(other, id)
    const last = await b.run()
    // b ran the forty it could claim, kept looking on its heartbeat, and took the twenty once free.
    expect(last).toMatchObject({ status: 'done', done: n, counts: { repaired: n } })
    expect(queries() - before).toBe(n)
    expect(doneBy(id).get(other.engine.owner)).toBe(n)
    expect(b.markedDone).toBe(true)
  }, 30_000)
})
