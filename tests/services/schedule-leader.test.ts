import { spawn } from 'node:child_process'
import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { DailyReconcile } from '../../src/main/engine/reconcile-schedule'
import { SCHEDULE_JOB, ScheduleLead } from '../../src/main/engine/schedule-lead'
import { Scheduler } from '../../src/main/engine/scheduler'
import { fileDue } from '../../src/main/store/schedule-due'
import { sqliteExec } from '../../src/main/store/sql/sqlite-exec'
import { appInfo } from '../../src/main/services/app-info'
import { ServiceContext } from '../../src/main/services/context'
import { openStore } from '../../src/main/store/connection'
import { sqliteCoordination } from '../../src/main/store/coordination/sqlite'
import type { Coordination } from '../../src/main/store/coordination/types'
import { listSyncRecords } from '../../src/main/store/records'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// One leader of the schedules per database (issue 15 item 3, docs/domain.md section 7): two processes
// on one SQLite file, as the app and `paysync serve` on the same books, each with its own connection,
// engine owner and coordination. Only the leader runs passes and the daily reconciliation; the other
// takes over at its next tick when the leader stops, and once the lease lapses when it dies.

const MIN = 60_000
/** Ticks every 20 ms: a test waits for a number of ticks, never for a time. */
const TICK_SEC = 0.02

/** A count that a test can wait on: resolves once it has reached `k`. */
function counter() {
  let n = 0
  const waiting: Array<{ at: number; resolve: () => void }> = []
  return {
    get n() {
      return n
    },
    bump() {
      n += 1
      for (const w of waiting.filter((w) => n >= w.at)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve()
      }
    },
    reach(k: number): Promise<void> {
      return n >= k ? Promise.resolve() : new Promise((resolve) => waiting.push({ at: k, resolve }))
    },
  }
}

interface Proc {
  ctx: ServiceContext
  coordination: Coordination
  lead: ScheduleLead
  scheduler: Scheduler
  /** Passes run: the onRun callback. */
  runs: ReturnType<typeof counter>
  /** Settings read: at least once a tick, so n more of them are at least n more ticks of a non-leader. */
  ticks: ReturnType<typeof counter>
}

let w: World
const others: ServiceContext[] = []
const procs: Proc[] = []

afterEach(async () => {
  for (const p of procs.splice(0)) {
    await p.scheduler.stop()
    await p.coordination.close()
  }
  for (const ctx of others.splice(0)) await ctx.close()
  await w.close()
})

/** A second process on the world's books: a connection and an engine of its own. */
function secondProcess(): ServiceContext {
  const ctx = new ServiceContext({ dbFile: w.dbFile, retry: FAST_RETRY, transport: 'cli', operator: 'other' })
  others.push(ctx)
  return ctx
}

function proc(
  ctx: ServiceContext,
  options: { leaderTtlMs?: number; schedules?: boolean; daily?: DailyReconcile } = {},
): Proc {
  const coordination = sqliteCoordination(ctx.db, { leaderTtlMs: options.leaderTtlMs })
  const lead = new ScheduleLead(coordination, ctx.engine.owner)
  const runs = counter()
  const ticks = counter()
  const scheduler = new Scheduler(
    fileDue(ctx.db),
    ctx.engine,
    () => {
      ticks.bump()
      return { ...DEFAULT_SETTINGS, schedulesEnabled: options.schedules ?? true, scheduleTickSec: TICK_SEC }
    },
    Date.now,
    () => runs.bump(),
    undefined,
    options.daily ?? null,
    lead,
  )
  ctx.scheduleLead = lead
  ctx.schedulerStarted = true
  const p = { ctx, coordination, lead, scheduler, runs, ticks }
  procs.push(p)
  return p
}

const queries = () => Object.values(w.sim.state.stats.requests).reduce((a, b) => a + b, 0)

/** A pending order the gateway still waits on: due now, and a minute later again after its sync. */
function duePending(orderNo: string): number {
  const id = w.payOrder({ merchant: 'ali', orderNo, createdAt: Date.now() - 2 * MIN })
  w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'WAIT_BUYER_PAY' })
  return id
}

const records = (id: number) =>
  listSyncRecords(w.ctx.db, { tradeId: id, type: 'pay', limit: 5, offset: 0 }).total

describe('one leader of the schedules per database', () => {
  it('runs the passes in one of two processes on one file; the other ticks and says who leads', async () => {
    w = await createWorld()
    const ids = ['LEAD-1', 'LEAD-2', 'LEAD-3'].map(duePending)
    const a = proc(w.ctx)
    const b = proc(secondProcess())
    // Both at once: whichever asks first leads, and the other must not run the same pass beside it.
    a.scheduler.start(0)
    b.scheduler.start(0)
    await Promise.race([a.runs.reach(1), b.runs.reach(1)])
    const [leader, other] = a.runs.n > 0 ? [a, b] : [b, a]
    await Promise.all([other.ticks.reach(other.ticks.n + 5), leader.runs.reach(leader.runs.n + 3)])

    expect(other.runs.n).toBe(0)
    // Each order asked once: one pass synced it, and its ladder put it a minute on.
    expect(ids.map(records)).toEqual([1, 1, 1])
    expect(queries()).toBe(3)
    expect(leader.lead.state()).toEqual({ self: true, owner: leader.ctx.engine.owner })
    expect(other.lead.state()).toEqual({ self: false, owner: leader.ctx.engine.owner })
    // The window of each process says which one runs them.
    expect(appInfo(leader.ctx).schedules.leader).toEqual({ self: true, owner: leader.ctx.engine.owner })
    expect(appInfo(other.ctx).schedules.leader).toEqual({ self: false, owner: leader.ctx.engine.owner })
  })

  it('hands the schedules to the other process as soon as the leader stops, not after its lease lapses', async () => {
    w = await createWorld()
    const a = proc(w.ctx)
    a.scheduler.start(0)
    await a.runs.reach(1)
    const b = proc(secondProcess())
    b.scheduler.start(0)
    await b.ticks.reach(5)
    expect(b.runs.n).toBe(0)

    const id = duePending('HANDOVER')
    const stopped = Date.now()
    await a.scheduler.stop()
    expect(a.lead.state()).toBeNull()
    await b.runs.reach(1)
    // The lease would have kept it 30 s: the leader gave it back when it stopped.
    expect(Date.now() - stopped).toBeLessThan(5_000)
    expect(b.lead.state()).toEqual({ self: true, owner: b.ctx.engine.owner })
    await b.runs.reach(b.runs.n + 1)
    expect(records(id)).toBe(1)
  })

  it('replaces a leader that dies without stopping, once its lease lapses', async () => {
    w = await createWorld()
    const ttl = 300
    // Process A leads on a connection of its own, then dies: its connection goes, nothing renews.
    const dbA = openStore(w.dbFile)
    const deadOwner = `${w.ctx.engine.owner}-a`
    const coordinationA = sqliteCoordination(dbA, { leaderTtlMs: ttl })
    const leadA = new ScheduleLead(coordinationA, deadOwner)
    expect(await leadA.leads()).toBe(true)

    const b = proc(secondProcess(), { leaderTtlMs: ttl })
    b.scheduler.start(0)
    await b.ticks.reach(5)
    expect(b.runs.n).toBe(0)
    expect(b.lead.state()).toEqual({ self: false, owner: deadOwner })

    const died = Date.now()
    dbA.close()
    await b.runs.reach(1)
    expect(Date.now() - died).toBeGreaterThanOrEqual(ttl / 3)
    expect(b.lead.state()).toEqual({ self: true, owner: b.ctx.engine.owner })
    // Had it lived, it would know it lost: it leads no more, and has not asked who does.
    expect(leadA.state()).toBeNull()
    expect(await leadA.leads().catch((err: Error) => err.message)).toMatch(/not open/)
    await coordinationA.close()
  })

  it('does not wait for the lease of a process of this computer that is gone: an app started again after a crash', async () => {
    w = await createWorld()
    const crashed = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    const gone = new Promise((resolve) => crashed.once('exit', resolve))
    const deadOwner = `${os.hostname()}:${crashed.pid}:feedbeef`
    // It led with the lease's whole 30 s lifetime, and died without giving it back.
    const db = openStore(w.dbFile)
    const before = sqliteCoordination(db)
    expect(await before.lead(SCHEDULE_JOB, deadOwner)).not.toBeNull()
    db.close()
    await before.close()
    crashed.kill('SIGKILL')
    await gone

    const started = Date.now()
    const a = proc(w.ctx)
    a.scheduler.start(0)
    await a.runs.reach(1)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(a.lead.state()).toEqual({ self: true, owner: a.ctx.engine.owner })
  })

  it('reconciles a day once with two processes on one file', async () => {
    w = await createWorld()
    const merchant = { id: w.merchantId('ali'), name: 'ali' }
    const calls: string[] = []
    const firstCall = counter()
    const daily = (ctx: ServiceContext) =>
      new DailyReconcile({
        exec: sqliteExec(ctx.db),
        settings: () => ({ ...DEFAULT_SETTINGS, autoReconcileEnabled: true, autoReconcileTime: '10:30' }),
        now: () => Date.parse('2026-12-04T11:00:00+08:00'),
        merchants: () => [merchant],
        // A run that never got to its statement: each process would try it once on its own, since only
        // its own memory says it tried.
        reconcile: async () => {
          calls.push(ctx.engine.owner)
          firstCall.bump()
        },
      })
    const ctxB = secondProcess()
    const a = proc(w.ctx, { schedules: false, daily: daily(w.ctx) })
    const b = proc(ctxB, { schedules: false, daily: daily(ctxB) })
    a.scheduler.start(0)
    b.scheduler.start(0)
    await firstCall.reach(1)
    await Promise.all([a.ticks.reach(a.ticks.n + 5), b.ticks.reach(b.ticks.n + 5)])
    expect(calls).toHaveLength(1)
    const leader = a.lead.state()?.self ? a : b
    expect(calls).toEqual([leader.ctx.engine.owner])
  })
})
