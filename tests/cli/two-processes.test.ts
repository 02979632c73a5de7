import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { alipayBillZip } from '../../src/main/gateways/simulator/bills/alipay'
import { formatBeijing } from '../../src/shared/time'
import { BIN, paysync, useCliSimulator } from '../helpers/cli-simulator'
import { startLockHolder } from '../helpers/lock-holder'
import { ALIPAY_PID } from '../helpers/reconcile'
import { bj } from '../helpers/statements'

// Issue 15 item 6 with real processes: two `paysync` commands on one SQLite file acting on the same
// thing at once, as two people's cron jobs or shells do. The same through the contract in one process,
// with more cases: tests/services/two-processes.test.ts and two-processes-statements.test.ts.

const world = useCliSimulator('two')
let db = ''
let reader: Database.Database

beforeAll(async () => {
  db = path.join(world.dir, 'two.db')
  await paysync(['--db', db, 'merchant', 'add', '--config', world.profile])
  reader = new Database(db, { readonly: true })
})

afterAll(() => reader?.close())

interface Ran {
  pid: number
  code: number | null
  out: string
  err: string
}

/** Starts `paysync ARGS` now; `ended` settles with its exit code and what it wrote. */
function start(args: string[], operator: string): { pid: number; ended: Promise<Ran> } {
  const child = spawn(process.execPath, [BIN, '--db', db, ...args], {
    env: { ...process.env, PAYSYNC_OPERATOR: operator },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const ended = new Promise<Ran>((resolve) =>
    child.once('exit', (code) => resolve({ pid: child.pid!, code, out, err })),
  )
  return { pid: child.pid!, ended }
}

const count = (sql: string, ...args: unknown[]) => (reader.prepare(sql).get(...args) as { n: number }).n

/** Imports pay orders in the given local status, which the gateway says were paid. */
async function paidAtGateway(orders: Array<{ no: string; amount: number; status: string }>): Promise<void> {
  const csv = path.join(world.dir, `${orders[0]!.no}.csv`)
  const rows = [
    'orderNo,merchant,amountFen,status',
    ...orders.map((o) => `${o.no},two,${o.amount},${o.status}`),
  ]
  fs.writeFileSync(csv, rows.join('\n'))
  upsertOrders(
    world.sim.state,
    orders.map((o) => ({ merchant: 'two', orderNo: o.no, amount: o.amount, state: 'TRADE_SUCCESS' })),
  )
  await paysync(['--db', db, 'import', csv])
}

const orderId = (no: string) =>
  (reader.prepare('SELECT id FROM pay_orders WHERE order_no = ?').get(no) as { id: number }).id

describe('two paysync processes on one file', () => {
  it('resolve one anomaly at once, both waiting behind a third holder of the write lock: one wins, the other names who', async () => {
    await paidAtGateway([{ no: 'CLI-PAID', amount: 1000, status: 'close' }])
    await paysync(['--db', db, 'sync', '--order', 'CLI-PAID'])
    const trade = orderId('CLI-PAID')
    const { id } = reader
      .prepare("SELECT id FROM anomalies WHERE trade_id = ? AND status = 'open'")
      .get(trade) as {
      id: number
    }
    const holder = await startLockHolder(db)
    // Long enough for both commands to start and queue for the lock; the outcome is the same if not.
    await holder.lock(3_000)
    const resolve = (operator: string) =>
      start(
        ['anomalies', 'resolve', String(id), '--action', 'mark_paid', '--remark', '买家已付，补单'],
        operator,
      )
    const runs = await Promise.all([resolve('张会计').ended, resolve('李会计').ended])
    await holder.released

    const won = runs.filter((r) => r.code === 0)
    const lost = runs.filter((r) => r.code !== 0)
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(won[0]!.out).toContain(`anomaly ${id}: resolved, the order marked paid`)
    const row = reader.prepare('SELECT operator, resolved_at FROM anomalies WHERE id = ?').get(id) as {
      operator: string
      resolved_at: number
    }
    expect(['张会计', '李会计']).toContain(row.operator)
    expect(lost[0]!.err).toContain(
      `anomaly ${id} is already resolved: ${row.operator} decided it at ${formatBeijing(row.resolved_at)}`,
    )
    expect(count('SELECT count(*) AS n FROM repair_records WHERE trade_id = ?', trade)).toBe(1)
    expect(
      count(
        "SELECT count(*) AS n FROM audit_log WHERE target = ? AND action LIKE 'anomaly_%'",
        `anomaly:${id}`,
      ),
    ).toBe(1)
    expect(
      (reader.prepare('SELECT status FROM pay_orders WHERE id = ?').get(trade) as { status: string }).status,
    ).toBe('success')
  }, 120_000)

  it('sync one trade at once: the gateway is asked once, one repair, the other skipped with 10007', async () => {
    await paidAtGateway([{ no: 'CLI-SYNC', amount: 1200, status: 'progress' }])
    const trade = orderId('CLI-SYNC')
    const asked = world.sim.state.stats.requests['alipay.trade.query'] ?? 0
    const hold = world.sim.state.hold('CLI-SYNC')
    const a = start(['sync', '--order', 'CLI-SYNC'], '张会计')
    const b = start(['sync', '--order', 'CLI-SYNC'], '李会计')
    // The gateway keeps the first asker's answer: the one that ends meanwhile is the one turned away.
    await hold.reached
    const first = await Promise.race([a.ended, b.ended])
    hold.release()
    const [ra, rb] = await Promise.all([a.ended, b.ended])
    expect(first.out).toContain('1 skipped')
    expect(first.out).toContain('1 of the skipped was being synced by another process (10007)')
    expect([ra, rb].filter((r) => r.out.includes('1 repaired'))).toHaveLength(1)
    expect((world.sim.state.stats.requests['alipay.trade.query'] ?? 0) - asked).toBe(1)
    expect(count('SELECT count(*) AS n FROM repair_records WHERE trade_id = ?', trade)).toBe(1)
    expect(
      reader
        .prepare('SELECT outcome, error_code FROM sync_records WHERE trade_id = ? ORDER BY outcome')
        .all(trade),
    ).toEqual([
      { outcome: 'repaired', error_code: null },
      { outcome: 'skipped', error_code: '10007' },
    ])
  }, 120_000)

  it('reconcile one day at once: one runs, the other is told the process that runs it', async () => {
    const D = '2026-10-08'
    await paidAtGateway([{ no: 'CLI-BILL', amount: 3580, status: 'progress' }])
    const bill = alipayBillZip({
      pid: ALIPAY_PID,
      date: D,
      exportedAt: bj(`${D} 23:59:59`) + 6 * 3600_000,
      rows: [{ kind: 'pay', orderNo: 'CLI-BILL', amount: 3580, time: bj(`${D} 12:00:00`) }],
    })
    const file = path.join(world.dir, bill.name)
    fs.writeFileSync(file, bill.zip)
    const hold = world.sim.state.hold('CLI-BILL')
    const args = ['reconcile', '--merchant', 'two', '--date', D, '--file', file]
    const a = start(args, '张会计')
    const b = start(args, '李会计')
    // The run that took the statement waits at the gateway for its sync; the other ends meanwhile.
    const first = await Promise.race([a.ended, b.ended])
    hold.release()
    const winner = first.pid === a.pid ? b : a
    expect(first.code).not.toBe(0)
    expect(first.err).toContain(
      `the bill of two for ${D} is being reconciled already, by process ${winner.pid} on ${os.hostname()}`,
    )
    expect((await winner.ended).code).toBe(0)
    const trade = orderId('CLI-BILL')
    expect(count('SELECT count(*) AS n FROM statement_lines')).toBe(1)
    expect(count("SELECT count(*) AS n FROM batches WHERE source = 'reconcile'")).toBe(1)
    expect(
      count("SELECT count(*) AS n FROM sync_records WHERE trade_id = ? AND source = 'reconcile'", trade),
    ).toBe(1)
    expect(count('SELECT count(*) AS n FROM repair_records WHERE trade_id = ?', trade)).toBe(1)
  }, 120_000)
})
