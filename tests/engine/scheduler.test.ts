import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Scheduler } from '../../src/main/engine/scheduler'
import { fileDue } from '../../src/main/store/schedule-due'
import { ladderInterval, nextSyncAt } from '../../src/main/engine/ladder'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { listSyncRecords } from '../../src/main/store/records'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { createWorld, type World } from '../helpers/world'

// docs/domain.md section 7: timeout close, the pending pay and refund ladders, on by default.

const MIN = 60_000

describe('the sync ladder', () => {
  it('is keyed on age: every minute, then every 10 minutes, hourly, daily', () => {
    expect(ladderInterval(5 * MIN)).toBe(MIN)
    expect(ladderInterval(30 * MIN)).toBe(10 * MIN)
    expect(ladderInterval(5 * 60 * MIN)).toBe(60 * MIN)
    expect(ladderInterval(3 * 24 * 60 * MIN)).toBe(24 * 60 * MIN)
  })

  it('stretches after errors and backs off to daily at the threshold', () => {
    const now = 1_000_000_000_000
    expect(nextSyncAt(now - MIN, now, 0, 20)).toBe(now + MIN)
    expect(nextSyncAt(now - MIN, now, 3, 20)).toBe(now + 4 * MIN)
    expect(nextSyncAt(now - MIN, now, 20, 20)).toBe(now + 24 * 60 * MIN)
  })

  it('asks a trade whose difference a person decided at its full back-off, at most daily', () => {
    const now = 1_000_000_000_000
    expect(nextSyncAt(now - MIN, now, 0, 20, true)).toBe(now + 8 * MIN)
    expect(nextSyncAt(now - 30 * MIN, now, 0, 20, true)).toBe(now + 80 * MIN)
    expect(nextSyncAt(now - 5 * 60 * MIN, now, 0, 20, true)).toBe(now + 8 * 60 * MIN)
    expect(nextSyncAt(now - 3 * 24 * 60 * MIN, now, 0, 20, true)).toBe(now + 24 * 60 * MIN)
  })
})

describe('scheduler', () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld()
  })
  afterAll(async () => {
    await w.close()
  })

  it('one pass: closes expired orders (source timeout), syncs due pending pay and refunds (source schedule), leaves the rest', async () => {
    const now = Date.now()
    const expired = w.payOrder({
      merchant: 'ali',
      orderNo: 'SCH-EXP',
      expiredAt: now - 5 * MIN,
      createdAt: now - 20 * MIN,
    })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'SCH-EXP', amount: 1000, state: 'WAIT_BUYER_PAY' })
    const justExpired = w.payOrder({
      merchant: 'ali',
      orderNo: 'SCH-JUST',
      expiredAt: now - 10_000,
      createdAt: now - 20 * MIN,
    })
    w.ctx.db.prepare('UPDATE pay_orders SET next_sync_at = ? WHERE id = ?').run(now + 10 * MIN, justExpired)
    const pending = w.payOrder({ merchant: 'ali', orderNo: 'SCH-PEND', createdAt: now - 2 * MIN })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'SCH-PEND', amount: 1000, state: 'TRADE_SUCCESS' })
    const notDue = w.payOrder({ merchant: 'ali', orderNo: 'SCH-LATER', createdAt: now - 2 * MIN })
    w.ctx.db.prepare('UPDATE pay_orders SET next_sync_at = ? WHERE id = ?').run(now + 10 * MIN, notDue)
    const pay = w.payOrder({ merchant: 'ali', orderNo: 'SCH-RPAY', status: 'success' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'SCH-RPAY', amount: 1000, state: 'TRADE_SUCCESS' })
    const refund = w.refund({
      merchant: 'ali',
      payOrderId: pay,
      refundNo: 'SCH-R',
      amount: 100,
      createdAt: now - MIN,
    })
    w.ctx.db.prepare('UPDATE refund_orders SET next_sync_at = ? WHERE id = ?').run(now - 1, refund)
    w.gatewayRefund({
      merchant: 'ali',
      orderNo: 'SCH-RPAY',
      refundNo: 'SCH-R',
      amount: 100,
      state: 'REFUND_SUCCESS',
    })

    const scheduler = new Scheduler(fileDue(w.ctx.db), w.ctx.engine, () => DEFAULT_SETTINGS)
    const tick = await scheduler.runOnce()
    expect(tick).toMatchObject({ timeout: 1, pay: 1, refund: 1 })
    expect(getPayOrder(w.ctx.db, expired)!.status).toBe('close')
    expect(
      listSyncRecords(w.ctx.db, { tradeId: expired, type: 'pay', limit: 5, offset: 0 }).items[0]!.source,
    ).toBe('timeout')
    expect(getPayOrder(w.ctx.db, pending)!.status).toBe('success')
    expect(
      listSyncRecords(w.ctx.db, { tradeId: pending, type: 'pay', limit: 5, offset: 0 }).items[0]!.source,
    ).toBe('schedule')
    expect(getRefundOrder(w.ctx.db, refund)!.status).toBe('success')
    expect(getPayOrder(w.ctx.db, notDue)!.last_sync_at).toBeNull()
    expect(getPayOrder(w.ctx.db, justExpired)!.last_sync_at).toBeNull()
    // Nothing is due a moment later: the ladder set each trade's next time.
    expect(await scheduler.runOnce()).toMatchObject({ timeout: 0, pay: 0, refund: 0 })
  })

  it('a failing expired order is not retried every tick: it follows its back-off', async () => {
    const now = Date.now()
    const id = w.payOrder({ merchant: 'ali', orderNo: 'SCH-FAIL', expiredAt: now - 5 * MIN })
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 1, faults: ['system_error'] }
    const scheduler = new Scheduler(fileDue(w.ctx.db), w.ctx.engine, () => DEFAULT_SETTINGS)
    await scheduler.runOnce()
    await scheduler.runOnce()
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0 }
    expect(listSyncRecords(w.ctx.db, { tradeId: id, type: 'pay', limit: 5, offset: 0 }).total).toBe(1)
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
  })

  it('is switched on by default and can be switched off', async () => {
    expect(DEFAULT_SETTINGS.schedulesEnabled).toBe(true)
    // Switched off: its first tick reads the settings and runs no pass.
    let ticked!: () => void
    const tick = new Promise<void>((r) => (ticked = r))
    const off = new Scheduler(fileDue(w.ctx.db), w.ctx.engine, () => {
      ticked()
      return { ...DEFAULT_SETTINGS, schedulesEnabled: false }
    })
    off.start(10)
    await tick
    await off.stop()
    expect(off.lastRunAt).toBeNull()

    let ran!: (at: number) => void
    const pass = new Promise<number>((r) => (ran = r))
    const on = new Scheduler(
      fileDue(w.ctx.db),
      w.ctx.engine,
      () => DEFAULT_SETTINGS,
      Date.now,
      (at) => ran(at),
    )
    on.start(10)
    const at = await pass
    await on.stop()
    expect(on.lastRunAt).toBe(at)
  })
})
