import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { BIN, paysync, useCliSimulator } from '../helpers/cli-simulator'

// kill -9 in the middle of a batch, then `paysync batch resume`: every order ends as in an
// uninterrupted run, with the same number of repair records, and nothing finished is synced again.

const world = useCliSimulator('crash')

describe('a batch killed with SIGKILL resumes without syncing twice', () => {
  it('resume completes it; one repair per order; finished items are not asked again', async () => {
    const db = path.join(world.dir, 'crash.db')
    await paysync(['--db', db, 'merchant', 'add', '--config', world.profile])
    const n = 120
    const rows = ['orderNo,merchant,amountFen,status,expiredAt']
    const gateway = []
    for (let i = 0; i < n; i++) {
      // Half are paid (repair to success), half expired and unpaid (closed at the gateway, then here).
      const paid = i % 2 === 0
      rows.push(`K-${i},crash,100,progress,${paid ? '' : '2020-01-01 00:00:00'}`)
      gateway.push({
        merchant: 'crash',
        orderNo: `K-${i}`,
        amount: 100,
        state: paid ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY',
      })
    }
    fs.writeFileSync(path.join(world.dir, 'k.csv'), rows.join('\n'))
    upsertOrders(world.sim.state, gateway)
    await paysync(['--db', db, 'import', path.join(world.dir, 'k.csv')])
    world.sim.state.faults = { ...world.sim.state.faults, latencyMs: 25 }

    const child = spawn(
      process.execPath,
      [BIN, '--db', db, 'sync', '--all', '--concurrency', '3', '--qps', '200'],
      { stdio: 'ignore' },
    )
    const reader = new Database(db, { readonly: true })
    const doneCount = () => {
      try {
        return (
          reader.prepare("SELECT count(*) AS n FROM batch_items WHERE state = 'done'").get() as { n: number }
        ).n
      } catch {
        return 0
      }
    }
    for (let t = 0; t < 400 && doneCount() < n / 3; t++) await new Promise((r) => setTimeout(r, 25))
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    const finishedBeforeCrash = doneCount()
    expect(finishedBeforeCrash).toBeGreaterThan(0)
    expect(finishedBeforeCrash).toBeLessThan(n)
    reader.close()

    const list = JSON.parse((await paysync(['--db', db, 'batch', 'list', '--json'])).stdout)
    expect(list.items[0].status).toBe('interrupted')
    const queriesBefore = world.sim.state.stats.requests['alipay.trade.query'] ?? 0
    const resumed = JSON.parse(
      (await paysync(['--db', db, 'batch', 'resume', String(list.items[0].id), '--json'])).stdout,
    )
    expect(resumed.errors).toBe(0)
    expect(resumed.total).toBe(n)

    const check = new Database(db, { readonly: true })
    const statuses = check
      .prepare('SELECT status, count(*) AS n FROM pay_orders GROUP BY status')
      .all() as Array<{ status: string; n: number }>
    expect(Object.fromEntries(statuses.map((s) => [s.status, s.n]))).toEqual({ success: n / 2, close: n / 2 })
    const repairs = check
      .prepare('SELECT trade_id, count(*) AS n FROM repair_records GROUP BY trade_id')
      .all() as Array<{ n: number }>
    expect(repairs).toHaveLength(n)
    expect(repairs.every((r) => r.n === 1)).toBe(true)
    expect(
      (check.prepare("SELECT count(*) AS n FROM batch_items WHERE state = 'done'").get() as { n: number }).n,
    ).toBe(n)
    check.close()
    // Only the unfinished items were asked about again (each once, an unpaid one twice: query and, after close, nothing more).
    const queriesAfter = world.sim.state.stats.requests['alipay.trade.query']!
    expect(queriesAfter - queriesBefore).toBeLessThanOrEqual(n - finishedBeforeCrash + 3)
  }, 120_000)
})
