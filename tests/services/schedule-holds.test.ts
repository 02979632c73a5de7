import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Scheduler } from '../../src/main/engine/scheduler'
import { fileDue } from '../../src/main/store/schedule-due'
import { refsFor } from '../../src/main/services/batches'
import { dispatch } from '../../src/main/services/index'
import { createBatchOf, startBatchInBackground } from '../../src/main/services/sync'
import { getBatch } from '../../src/main/store/batches'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { waitForProgress } from '../helpers/progress'
import { createWorld, type World } from '../helpers/world'

// docs/domain.md 6.7: a cancelled or paused batch is left alone, by the batch and by the schedules.
// The report's M3: within a minute of cancelling a 2,000-row batch the schedule had synced 832 of
// its trades, because every imported 支付中 order was due on the pending ladder.

const MIN = 60_000

let w: World
let seq = 0
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})
afterEach(() => {
  w.sim.state.faults = { ...w.sim.state.faults, latencyMs: 0, jitterMs: 0 }
})

const queries = () => Object.values(w.sim.state.stats.requests).reduce((a, b) => a + b, 0)
const scheduler = () => new Scheduler(fileDue(w.ctx.db), w.ctx.engine, () => DEFAULT_SETTINGS)

/** `n` waiting orders the gateway has paid, all due on the ladder now, in a stored batch. */
function batchOf(n: number, opts: { expiredAt?: number } = {}): { batchId: number; ids: number[] } {
  const run = ++seq
  const ids: number[] = []
  for (let i = 0; i < n; i++) {
    const orderNo = `HOLD${run}N${i}`
    ids.push(w.payOrder({ merchant: 'ali', orderNo, amount: 100, createdAt: Date.now() - 2 * MIN, ...opts }))
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
  }
  const batchId = createBatchOf(
    w.ctx,
    ids.map((id) => ({ type: 'pay' as const, id })),
    { name: `hold ${run}`, concurrency: 2, qps: 1000 },
  )
  return { batchId, ids }
}

const synced = (ids: number[]) => ids.filter((id) => getPayOrder(w.ctx.db, id)!.last_sync_at !== null)

describe('a cancel holds against the schedules', () => {
  it('M3: the schedule asks nothing about the trades of a batch cancelled mid-run', async () => {
    const { batchId, ids } = batchOf(60)
    w.sim.state.faults = { ...w.sim.state.faults, latencyMs: 40, jitterMs: 0 }
    startBatchInBackground(w.ctx, batchId)
    await waitForProgress(w.ctx.runs.get(batchId)!, (p) => p.done >= 4)
    expect(await dispatch(w.ctx, 'batches.openTrades', { id: batchId })).toEqual({
      trades: ids.length - synced(ids).length,
    })
    const cancelled = await dispatch(w.ctx, 'batches.cancel', { id: batchId })
    // Said at once, while the calls already on the wire come back.
    const now = await dispatch(w.ctx, 'orders.list', { held: true, limit: 1 })
    expect(now.items[0]!.heldBy).toEqual({ batchId, batchStatus: 'cancelled' })
    await w.ctx.runs.get(batchId)?.idle()
    const done = synced(ids)
    expect(done.length).toBeLessThan(ids.length)
    expect(cancelled.status).toBe('cancelled')

    const before = queries()
    const tick = await scheduler().runOnce()
    expect(synced(ids)).toEqual(done)
    expect(queries()).toBe(before)
    expect(tick.pay).toBe(0)
    // The batch says how many of its trades the schedules leave alone, and each trade says why.
    const view = await dispatch(w.ctx, 'batches.get', { id: batchId })
    expect(view.held).toBe(ids.length - done.length)
    const held = await dispatch(w.ctx, 'orders.list', { held: true, limit: 100 })
    expect(held.total).toBe(ids.length - done.length)
    expect(held.items[0]!.heldBy).toEqual({ batchId, batchStatus: 'cancelled' })
    expect((await dispatch(w.ctx, 'orders.list', { held: false, limit: 1 })).items[0]?.heldBy).toBeNull()
  })

  it('asked not to, the cancel leaves the trades to the schedules', async () => {
    const { batchId, ids } = batchOf(5)
    await dispatch(w.ctx, 'batches.cancel', { id: batchId, holdSchedule: false })
    expect(getBatch(w.ctx.db, batchId)!.status).toBe('cancelled')
    expect((await dispatch(w.ctx, 'batches.get', { id: batchId })).held).toBe(0)
    await scheduler().runOnce()
    expect(synced(ids)).toEqual(ids)
  })

  it('the timeout close leaves the expired orders of a cancelled batch alone too', async () => {
    const { batchId, ids } = batchOf(3, { expiredAt: Date.now() - 10 * MIN })
    await dispatch(w.ctx, 'batches.cancel', { id: batchId })
    const tick = await scheduler().runOnce()
    expect(tick.timeout).toBe(0)
    expect(synced(ids)).toEqual([])
  })

  it('the nightly `sync --pending` leaves them alone; a batch a person starts on them takes them back', async () => {
    const { batchId, ids } = batchOf(3)
    await dispatch(w.ctx, 'batches.cancel', { id: batchId })
    const cron = refsFor(w.ctx, { pending: true, exceptHeld: true }).map((r) => r.id)
    expect(cron.filter((id) => ids.includes(id))).toEqual([])
    // Every trade, as a person asks for it: the held ones are in, and starting the batch releases them.
    const all = refsFor(w.ctx, { pending: true }).map((r) => r.id)
    expect(ids.every((id) => all.includes(id))).toBe(true)
    createBatchOf(w.ctx, [{ type: 'pay', id: ids[0]! }], { concurrency: 1, qps: 1 })
    expect(getPayOrder(w.ctx.db, ids[0]!)!.held_by_batch).toBeNull()
    expect(getPayOrder(w.ctx.db, ids[1]!)!.held_by_batch).toBe(batchId)
  })
})

describe('a pause holds until the batch resumes', () => {
  it('paused: left alone by the schedules; resumed: the batch syncs them and holds nothing', async () => {
    const { batchId, ids } = batchOf(30)
    w.sim.state.faults = { ...w.sim.state.faults, latencyMs: 30, jitterMs: 0 }
    startBatchInBackground(w.ctx, batchId)
    await waitForProgress(w.ctx.runs.get(batchId)!, (p) => p.done >= 2)
    await dispatch(w.ctx, 'batches.pause', { id: batchId })
    await w.ctx.runs.get(batchId)!.idle()
    const done = synced(ids)
    expect((await dispatch(w.ctx, 'batches.get', { id: batchId })).held).toBe(ids.length - done.length)
    await scheduler().runOnce()
    expect(synced(ids)).toEqual(done)

    w.sim.state.faults = { ...w.sim.state.faults, latencyMs: 0 }
    const run = w.ctx.runs.get(batchId)!
    const finished = waitForProgress(run, (p) => p.status === 'done')
    await dispatch(w.ctx, 'batches.resume', { id: batchId })
    expect((await dispatch(w.ctx, 'batches.get', { id: batchId })).held).toBe(0)
    await finished
    expect(synced(ids)).toEqual(ids)
  })

  it('a paused batch that is not running here is resumed in the background, its trades released', async () => {
    const { batchId, ids } = batchOf(4)
    await dispatch(w.ctx, 'batches.pause', { id: batchId })
    expect((await dispatch(w.ctx, 'batches.get', { id: batchId })).held).toBe(4)
    await dispatch(w.ctx, 'batches.resume', { id: batchId })
    expect(ids.map((id) => getPayOrder(w.ctx.db, id)!.held_by_batch)).toEqual([null, null, null, null])
    await expect.poll(() => getBatch(w.ctx.db, batchId)!.status).toBe('done')
  })
})

describe('a person takes them back', () => {
  it('syncing a trade by hand releases that trade; 恢复定时同步 releases the rest', async () => {
    const { batchId, ids } = batchOf(4)
    await dispatch(w.ctx, 'batches.cancel', { id: batchId })
    await dispatch(w.ctx, 'orders.sync', { type: 'pay', ids: [ids[0]!] })
    expect(getPayOrder(w.ctx.db, ids[0]!)!.held_by_batch).toBeNull()
    expect((await dispatch(w.ctx, 'batches.get', { id: batchId })).held).toBe(3)

    expect(await dispatch(w.ctx, 'schedule.release', { type: 'pay', ids: [ids[1]!] })).toEqual({
      released: 1,
    })
    expect(await dispatch(w.ctx, 'schedule.release', { batchId })).toEqual({ released: 2 })
    expect((await dispatch(w.ctx, 'batches.get', { id: batchId })).held).toBe(0)
    await scheduler().runOnce()
    expect(synced(ids)).toEqual(ids)
  })

  it('refunds are held and released the same way', async () => {
    const orderNo = `HOLDR${++seq}`
    const payId = w.payOrder({ merchant: 'ali', orderNo, amount: 1000, status: 'success' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    const refundId = w.refund({
      merchant: 'ali',
      payOrderId: payId,
      refundNo: `${orderNo}R`,
      amount: 300,
      createdAt: Date.now() - 2 * MIN,
    })
    w.gatewayRefund({
      merchant: 'ali',
      orderNo,
      refundNo: `${orderNo}R`,
      amount: 300,
      state: 'REFUND_SUCCESS',
    })
    w.ctx.db.prepare('UPDATE refund_orders SET next_sync_at = ? WHERE id = ?').run(Date.now() - 1, refundId)
    const batchId = createBatchOf(w.ctx, [{ type: 'refund', id: refundId }], { concurrency: 1, qps: 1 })
    await dispatch(w.ctx, 'batches.cancel', { id: batchId })
    const listed = await dispatch(w.ctx, 'refunds.list', { held: true, limit: 10 })
    expect(listed.items.map((r) => [r.id, r.heldBy?.batchId])).toEqual([[refundId, batchId]])
    expect((await scheduler().runOnce()).refund).toBe(0)
    expect(getRefundOrder(w.ctx.db, refundId)!.last_sync_at).toBeNull()
    await dispatch(w.ctx, 'schedule.release', { batchId })
    expect((await scheduler().runOnce()).refund).toBe(1)
    expect(getRefundOrder(w.ctx.db, refundId)!.status).toBe('success')
  })
})
