import Database from 'better-sqlite3'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { startHost } from '../../src/main/services/host'
import { runBatch } from '../../src/main/services/sync'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// Issue 13, L1: a process that dies between a close sent to the gateway and its write leaves a side
// effect nobody recorded: the gateway closed the order, the local order is still `progress`, and
// nothing says a close was ever sent. The intent written before the call says it: the next opening
// records the attempt as an error with an unknown outcome, opens an anomaly for a person, and the
// trade is synced again, which learns the truth from the gateway instead of assuming it.

const BIN = path.resolve('bin/paysync.js')

const worlds: World[] = []
afterAll(async () => {
  for (const w of worlds) {
    await w.sim.close()
    fs.rmSync(w.dir, { recursive: true, force: true })
  }
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a close whose process died before it was recorded', () => {
  it('is shown at the next opening, never assumed, and the trade is synced again', async () => {
    const w = await createWorld()
    worlds.push(w)
    const orderIds: number[] = []
    for (let i = 0; i < 3; i++) {
      const orderNo = `UNK-${i}`
      orderIds.push(w.payOrder({ merchant: 'ali', orderNo, amount: 100, expiredAt: Date.now() - 3600_000 }))
      w.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'WAIT_BUYER_PAY' })
    }
    await w.ctx.close()
    // The close is held at the gateway long enough to kill the process that sent it.
    w.sim.state.faults = { latencyMs: 600, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }

    const child = spawn(process.execPath, [BIN, '--db', w.dbFile, 'sync', '--all', '--concurrency', '1'], {
      stdio: 'ignore',
    })
    const exited = new Promise((r) => child.once('exit', r))
    for (let t = 0; t < 6000 && !w.sim.state.stats.requests['alipay.trade.close']; t++) await sleep(10)
    expect(w.sim.state.stats.requests['alipay.trade.close']).toBe(1)
    child.kill('SIGKILL')
    await exited
    // The gateway finishes the close it received: the order is closed there.
    while (w.sim.state.inFlight > 0) await sleep(10)
    expect(w.sim.state.stats.closes).toBe(1)

    // Announced closes, each with no record. The batch keeps two attempts moving (one at the gateway,
    // one waiting for the call slot), so the next may have announced its close too, unsent yet: its
    // outcome is just as unknown to the next opening, which cannot tell.
    const before = new Database(w.dbFile, { readonly: true })
    const announced = (
      before
        .prepare(
          `SELECT i.trade_id AS id, p.order_no AS no FROM sync_intents i JOIN pay_orders p ON p.id = i.trade_id
           WHERE i.record_id IS NULL`,
        )
        .all() as Array<{ id: number; no: string }>
    ).map((r) => r.id)
    expect(announced.length).toBeGreaterThanOrEqual(1)
    const orderNo = (id: number) =>
      (before.prepare('SELECT order_no FROM pay_orders WHERE id = ?').get(id) as { order_no: string })
        .order_no
    const sent = announced.filter((id) => w.sim.state.getOrder('ali', orderNo(id))?.state === 'TRADE_CLOSED')
    expect(sent).toHaveLength(1)
    const orderId = sent[0]!
    // The review's state: closed at the gateway, progress here, no record of the close.
    expect(before.prepare('SELECT status FROM pay_orders WHERE id = ?').get(orderId)).toEqual({
      status: 'progress',
    })
    expect(before.prepare('SELECT count(*) AS n FROM sync_records WHERE trade_id = ?').get(orderId)).toEqual({
      n: 0,
    })
    before.close()

    // The next opening (the app here) says so, and asks the gateway again.
    const ctx = new ServiceContext({ dbFile: w.dbFile, transport: 'cli', retry: FAST_RETRY })
    w.sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
    try {
      for (const id of announced) {
        const record = ctx.db
          .prepare("SELECT * FROM sync_records WHERE trade_id = ? AND error_code = 'outcome_unknown'")
          .get(id) as { outcome: string; error_msg: string; anomaly_id: number; batch_id: number | null }
        expect(record).toMatchObject({ outcome: 'error', batch_id: null })
        expect(record.error_msg).toContain('关单已发出，结果未知')
        const anomaly = ctx.db.prepare('SELECT * FROM anomalies WHERE id = ?').get(record.anomaly_id)
        expect(anomaly).toMatchObject({ kind: 'gateway_action_unknown', status: 'open', trade_id: id })
        // Nothing was assumed: the order is as it was, and due at once.
        const order = ctx.db.prepare('SELECT status, next_sync_at FROM pay_orders WHERE id = ?').get(id) as {
          status: string
          next_sync_at: number
        }
        expect(order.status).toBe('progress')
        expect(order.next_sync_at).toBeLessThanOrEqual(Date.now())
      }
      expect(ctx.db.prepare('SELECT count(*) AS n FROM sync_intents WHERE record_id IS NULL').get()).toEqual({
        n: 0,
      })
      expect(ctx.db.prepare('SELECT count(*) AS n FROM trade_leases').get()).toEqual({ n: 0 })

      const host = await startHost(ctx, { sandbox: false, schedules: false })
      const status = (id: number) =>
        (ctx.db.prepare('SELECT status FROM pay_orders WHERE id = ?').get(id) as { status: string }).status
      for (let t = 0; t < 1000 && announced.some((id) => status(id) === 'progress'); t++) await sleep(10)
      // The gateway said closed: the order closes here, without a second close there.
      expect(status(orderId)).toBe('close')
      expect(
        ctx.db
          .prepare(
            'SELECT outcome, gateway_status FROM sync_records WHERE trade_id = ? AND error_code IS NULL',
          )
          .all(orderId),
      ).toEqual([{ outcome: 'repaired', gateway_status: 'pay_closed' }])
      // One close each, the unsent one's sent now.
      expect(w.sim.state.stats.closes).toBe(announced.length)

      // The batch it belonged to resumes: its item was never finished, so it is synced in the batch.
      const batchId = (ctx.db.prepare('SELECT max(id) AS id FROM batches').get() as { id: number }).id
      const last = await runBatch(ctx, batchId)
      expect(last).toMatchObject({ status: 'done', done: 3, counts: { error: 0 } })
      const perItem = ctx.db
        .prepare(
          "SELECT trade_id, count(*) AS n FROM sync_records WHERE batch_id = ? AND outcome <> 'skipped' GROUP BY trade_id",
        )
        .all(batchId) as Array<{ n: number }>
      expect(perItem.map((r) => r.n)).toEqual([1, 1, 1])
      expect(ctx.db.prepare("SELECT count(*) AS n FROM pay_orders WHERE status = 'close'").get()).toEqual({
        n: 3,
      })
      expect(w.sim.state.stats.closes).toBe(3)
      await host.stop()
    } finally {
      await ctx.close()
    }
  }, 90_000)

  it('an intent whose process still runs is left to it; once that process is gone, it is shown', async () => {
    const world = await createWorld()
    try {
      const id = world.payOrder({ merchant: 'ali', orderNo: 'UNK-LIVE', amount: 100 })
      // Another process of this machine, alive: it may still write the answer (after a lock, or from
      // its memory when the journal was refused too), whatever its lease says.
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
      const gone = new Promise((r) => other.once('exit', r))
      world.ctx.db
        .prepare(
          `INSERT INTO sync_intents (id, trade_type, trade_id, action, holder, source, operator, batch_id, created_at)
           VALUES ('live-1', 'pay', ?, 'close', ?, 'timeout', NULL, NULL, ?)`,
        )
        .run(id, `${os.hostname()}:${other.pid}:feedbeef#1`, Date.now() - 600_000)
      expect(world.ctx.recover()).toMatchObject({ syncAgain: [] })
      other.kill('SIGKILL')
      await gone
      expect(world.ctx.recover()).toMatchObject({ syncAgain: [{ type: 'pay', id }] })
      expect(world.ctx.db.prepare('SELECT kind, status FROM anomalies WHERE trade_id = ?').all(id)).toEqual([
        { kind: 'gateway_action_unknown', status: 'open' },
      ])
    } finally {
      await world.close()
    }
  })

  it("lets a gone process's leases go at the opening, not a live one's; a gone one's intent is shown first", async () => {
    const world = await createWorld()
    try {
      const ids = ['GONE-1', 'GONE-2', 'LIVE-1'].map((orderNo) =>
        world.payOrder({ merchant: 'ali', orderNo, amount: 100 }),
      )
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
      const gone = new Promise((r) => other.once('exit', r))
      const live = `${os.hostname()}:${other.pid}:feedbeef#1`
      const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
      const dead = `${os.hostname()}:${ended.stdout.toString()}:deadbeef`
      const lease = world.ctx.db.prepare(
        'INSERT INTO trade_leases (trade_key, owner, expires_at) VALUES (?, ?, ?)',
      )
      // Leases of a killed attempt last their full time: they have not expired.
      lease.run(`pay:${ids[0]}`, `${dead}#1`, Date.now() + 600_000)
      lease.run(`pay:${ids[1]}`, `${dead}#2`, Date.now() + 600_000)
      lease.run(`pay:${ids[2]}`, live, Date.now() + 600_000)
      const held = () =>
        (
          world.ctx.db.prepare('SELECT trade_key FROM trade_leases ORDER BY trade_key').all() as Array<{
            trade_key: string
          }>
        ).map((r) => r.trade_key)
      world.ctx.recover()
      expect(held()).toEqual([`pay:${ids[2]}`])
      other.kill('SIGKILL')
      await gone
      // Gone now, with a close it announced and no answer: the opening shows it first, then lets go.
      world.ctx.db
        .prepare(
          `INSERT INTO sync_intents (id, trade_type, trade_id, action, holder, source, operator, batch_id, created_at)
           VALUES ('gone-1', 'pay', ?, 'close', ?, 'timeout', NULL, NULL, ?)`,
        )
        .run(ids[2], live, Date.now() - 600_000)
      expect(world.ctx.recover()).toMatchObject({ syncAgain: [{ type: 'pay', id: ids[2] }] })
      expect(held()).toEqual([])
    } finally {
      await world.close()
    }
  })
})
