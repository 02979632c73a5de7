import { afterEach, describe, expect, it } from 'vitest'
import {
  billNeverCame,
  dayDue,
  DailyReconcile,
  RETRY_EVERY_MS,
} from '../../src/main/engine/reconcile-schedule'
import { Scheduler } from '../../src/main/engine/scheduler'
import { fileDue } from '../../src/main/store/schedule-due'
import { sqliteExec } from '../../src/main/store/sql/sqlite-exec'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { dailyReconcileOf, reconcileScheduled } from '../../src/main/services/statements/daily'
import { statementKey } from '../../src/main/engine/reconcile/lease'
import { getBatch } from '../../src/main/store/batches'
import { leaseOwner } from '../../src/main/store/leases'
import { statementsOfDays } from '../../src/main/store/statements'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { formatBeijing, parseBeijing } from '../../src/shared/time'
import { createWorld, type World } from '../helpers/world'

// docs/reconcile.md A12: yesterday's bills at the set time, a bill not out yet asked again every 30
// minutes until 14:00, a day done once whatever restarts, two hosts at once meeting at the lease. The
// clock is the context's: nothing here sleeps.

const DAY_MS = 86_400_000
const at = (text: string) => parseBeijing(text)!
/** A Beijing day `n` days before today: its bill is out at the simulator, whatever the hour. */
const daysAgo = (n: number) => formatBeijing(Date.now() - n * DAY_MS).slice(0, 10)
const nextDay = (d: string) => formatBeijing(at(`${d} 12:00`) + DAY_MS).slice(0, 10)

describe('when a day is due', () => {
  const now = at('2026-10-04 11:00')
  it('never tried: at once; done (a result, no bill, a refused file): never again', () => {
    expect(dayDue(undefined, null, now, '11:00')).toBe(true)
    for (const status of ['matched', 'empty', 'failed'] as const)
      expect(dayDue({ status, lastRunAt: now - 5 * 3600_000 }, null, now, '11:00')).toBe(false)
  })
  it('not ready or stopped short: again after 30 minutes, not from 14:00 on', () => {
    const state = (lastRunAt: number) => ({ status: 'not_ready' as const, lastRunAt })
    expect(dayDue(state(now - RETRY_EVERY_MS + 1), null, now, '11:00')).toBe(false)
    expect(dayDue(state(now - RETRY_EVERY_MS), null, now, '11:00')).toBe(true)
    expect(dayDue({ status: 'fetching', lastRunAt: now - RETRY_EVERY_MS }, null, now, '11:00')).toBe(true)
    expect(dayDue(state(now - 3600_000), null, now, '14:00')).toBe(false)
    // A try of this process that failed before the statement was written counts as a try.
    expect(dayDue(undefined, now - 60_000, now, '11:00')).toBe(false)
  })
  it('a bill still not out at 14:00 the next day never came', () => {
    expect(billNeverCame('not_ready', '2026-10-03', at('2026-10-04 13:59'))).toBe(false)
    expect(billNeverCame('not_ready', '2026-10-03', at('2026-10-04 14:00'))).toBe(true)
    expect(billNeverCame('not_ready', '2026-10-03', at('2026-10-06 09:00'))).toBe(true)
    expect(billNeverCame('matched', '2026-10-03', at('2026-10-06 09:00'))).toBe(false)
  })
})

describe('the daily reconciliation against the simulator', () => {
  let w: World
  let clock = 0
  const others: ServiceContext[] = []
  afterEach(async () => {
    for (const c of others.splice(0)) await c.close()
    await w.close()
  })

  const statementOf = (day: string) => statementsOfDays(w.ctx.db, w.merchantId('wx'), day, day)[0]
  const notReady = (on: boolean) => {
    w.sim.state.faults = {
      ...w.sim.state.faults,
      faultRate: on ? 1 : 0,
      faults: on ? ['bill_not_ready'] : [],
    }
  }
  async function world(): Promise<World> {
    // WeChat: its STATEMENT_CREATING is a bill not out yet (Alipay's answer cannot tell one from a day without trades).
    w = await createWorld({ now: () => clock, merchants: [{ name: 'wx', channel: 'wechat' }] })
    return w
  }
  /** A payment of the day on both sides, and one the books still have in progress (a sync to queue). */
  function trades(day: string): void {
    const paidAt = at(`${day} 12:00`)
    w.gatewayOrder({ merchant: 'wx', orderNo: `D-${day}-1`, amount: 1000, state: 'SUCCESS', paidAt })
    w.payOrder({ merchant: 'wx', orderNo: `D-${day}-1`, amount: 1000, status: 'success', paidAt })
    w.gatewayOrder({ merchant: 'wx', orderNo: `D-${day}-2`, amount: 2000, state: 'SUCCESS', paidAt })
    w.payOrder({
      merchant: 'wx',
      orderNo: `D-${day}-2`,
      amount: 2000,
      status: 'progress',
      createdAt: paidAt - 60_000,
      expiredAt: paidAt + 3600_000,
    })
  }
  /** The run's syncs ended and written back, before the world closes under them. */
  async function settled(day: string): Promise<void> {
    const batchId = statementOf(day)!.sync_batch_id
    if (batchId !== null)
      await expect.poll(() => getBatch(w.ctx.db, batchId)?.status, { timeout: 20_000 }).toBe('done')
    const key = statementKey(w.merchantId('wx'), day)
    await expect.poll(() => leaseOwner(w.ctx.db, key), { timeout: 20_000 }).toBeNull()
  }

  it('waits for the set time, asks a bill not out yet again every 30 minutes, then reconciles it once', async () => {
    const day = daysAgo(3)
    const today = nextDay(day)
    clock = at(`${today} 10:29`)
    await world()
    trades(day)
    const daily = dailyReconcileOf(w.ctx)

    expect(await daily.check()).toEqual({ billDate: null, ran: [] })
    expect(statementOf(day)).toBeUndefined()

    notReady(true)
    clock = at(`${today} 10:30`)
    expect(await daily.check()).toEqual({ billDate: day, ran: ['wx'] })
    expect(statementOf(day)).toMatchObject({ status: 'not_ready', error_code: 'STATEMENT_NOT_READY' })
    clock = at(`${today} 10:50`)
    expect((await daily.check()).ran).toEqual([])
    clock = at(`${today} 11:00`)
    expect((await daily.check()).ran).toEqual(['wx'])
    expect(statementOf(day)).toMatchObject({ status: 'not_ready', run_count: 2 })

    notReady(false)
    clock = at(`${today} 11:30`)
    expect((await daily.check()).ran).toEqual(['wx'])
    const st = statementOf(day)!
    expect(st).toMatchObject({ status: 'matched', result: 'unbalanced', run_count: 3 })
    // Its syncs run by the schedule, in the background as a window's run has them.
    expect(st.sync_batch_id).not.toBeNull()
    expect(getBatch(w.ctx.db, st.sync_batch_id!)).toMatchObject({
      source: 'reconcile',
      transport: 'schedule',
    })
    await settled(day)

    // Later the same day, and after a restart (a new schedule, nothing in memory): the day is done.
    clock = at(`${today} 12:30`)
    expect((await daily.check()).ran).toEqual([])
    expect((await dailyReconcileOf(w.ctx).check()).ran).toEqual([])
    expect(statementOf(day)!.run_count).toBe(3)
  }, 60_000)

  it('leaves a bill still not out at 14:00 not_ready, for the overview', async () => {
    const day = daysAgo(4)
    const today = nextDay(day)
    clock = at(`${today} 13:45`)
    await world()
    notReady(true)
    const daily = dailyReconcileOf(w.ctx)
    expect((await daily.check()).ran).toEqual(['wx'])
    clock = at(`${today} 14:15`)
    expect((await daily.check()).ran).toEqual([])
    clock = at(`${today} 18:00`)
    expect((await daily.check()).ran).toEqual([])
    expect(statementOf(day)).toMatchObject({ status: 'not_ready', run_count: 1 })
    expect(billNeverCame('not_ready', day, clock)).toBe(true)
    // The overview tells it apart from a bill still to come (A15.4).
    const { reconcile } = await dispatch(w.ctx, 'overview.get', undefined)
    expect(reconcile).toEqual({
      billDate: day,
      merchants: [
        {
          merchant: 'wx',
          channel: 'wechat',
          state: 'never_came',
          statementId: expect.any(Number),
          openDiffs: 0,
        },
      ],
      openDiffs: 0,
    })
    clock = at(`${today} 13:00`)
    expect((await dispatch(w.ctx, 'overview.get', undefined)).reconcile.merchants[0]!.state).toBe('not_ready')
  }, 60_000)

  it('is off when Settings say so', async () => {
    const day = daysAgo(5)
    clock = at(`${nextDay(day)} 11:00`)
    await world()
    const daily = new DailyReconcile({
      exec: sqliteExec(w.ctx.db),
      settings: () => ({ ...DEFAULT_SETTINGS, autoReconcileEnabled: false }),
      now: () => clock,
      merchants: () => [{ id: w.merchantId('wx'), name: 'wx' }],
      reconcile: () => Promise.reject(new Error('must not run')),
    })
    expect(await daily.check()).toEqual({ billDate: null, ran: [] })
  })

  it('two hosts at the same minute reconcile a day once: the second meets the statement lease', async () => {
    const day = daysAgo(6)
    clock = at(`${nextDay(day)} 10:30`)
    await world()
    trades(day)
    const second = new ServiceContext({
      dbFile: w.dbFile,
      transport: 'cli',
      operator: 'other',
      now: () => clock,
    })
    others.push(second)
    const first = dailyReconcileOf(w.ctx).check()
    // The first has read which days ran (on either store's books, asked through an Exec) and holds the day.
    const key = statementKey(w.merchantId('wx'), day)
    await expect.poll(() => leaseOwner(w.ctx.db, key), { interval: 5 }).not.toBeNull()
    await expect(reconcileScheduled(second, w.merchantId('wx'), day)).rejects.toMatchObject({
      code: 'busy',
    })
    expect((await first).ran).toEqual(['wx'])
    // The second host's own schedule, a moment later, finds the day done.
    expect((await dailyReconcileOf(second).check()).ran).toEqual([])
    const st = statementOf(day)!
    expect(st).toMatchObject({ status: 'matched', run_count: 1 })
    await settled(day)
  }, 60_000)

  it('runs from the scheduler’s tick, and stop() waits for it', async () => {
    const day = daysAgo(7)
    clock = at(`${nextDay(day)} 10:31`)
    await world()
    trades(day)
    const scheduler = new Scheduler(
      fileDue(w.ctx.db),
      w.ctx.engine,
      () => ({ ...w.ctx.settings(), schedulesEnabled: false }),
      () => clock,
      undefined,
      () => w.ctx.scheduleActor,
      dailyReconcileOf(w.ctx),
    )
    scheduler.start(0)
    await expect.poll(() => statementOf(day)?.status, { timeout: 20_000 }).toBe('matched')
    await scheduler.stop()
    await settled(day)
  }, 60_000)
})
