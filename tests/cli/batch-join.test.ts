import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { BIN, paysync, useCliSimulator } from '../helpers/cli-simulator'

// `paysync batch resume N` while another process runs batch N joins it (docs/cli.md, docs/team-mode.md
// B8.5): it says so, runs a share of the items, and the two together sync each trade once.

const world = useCliSimulator('join')

describe('batch resume of a batch another process runs', () => {
  it('joins it, says so, and each trade is synced once by one of the two', async () => {
    const db = path.join(world.dir, 'join.db')
    await paysync(['--db', db, 'merchant', 'add', '--config', world.profile])
    const n = 300
    const rows = ['orderNo,merchant,amountFen,status']
    const gateway = []
    for (let i = 0; i < n; i++) {
      rows.push(`Q-${i},join,100,progress`)
      gateway.push({ merchant: 'join', orderNo: `Q-${i}`, amount: 100, state: 'TRADE_SUCCESS' })
    }
    fs.writeFileSync(path.join(world.dir, 'q.csv'), rows.join('\n'))
    upsertOrders(world.sim.state, gateway)
    await paysync(['--db', db, 'import', path.join(world.dir, 'q.csv')])
    const before = world.sim.state.stats.requests['alipay.trade.query'] ?? 0

    const first = spawn(process.execPath, [
      BIN,
      '--db',
      db,
      'sync',
      '--all',
      '--concurrency',
      '2',
      '--qps',
      '25',
    ])
    let firstOut = ''
    first.stdout.on('data', (d) => (firstOut += d))
    first.stderr.on('data', (d) => (firstOut += d))
    const firstExit = new Promise<number | null>((r) => first.once('exit', r))
    const reader = new Database(db, { readonly: true })
    const done = () => {
      try {
        return (
          reader.prepare("SELECT count(*) AS n FROM batch_items WHERE state = 'done'").get() as { n: number }
        ).n
      } catch {
        return 0
      }
    }
    for (let t = 0; t < 1_500 && done() < 5; t++) await new Promise((r) => setTimeout(r, 20))
    const batchId = (reader.prepare('SELECT max(id) AS n FROM batches').get() as { n: number }).n

    const second = await paysync(['--db', db, 'batch', 'resume', String(batchId)])
    // The first waited for the second's last items before it ended; both said they ran it together.
    expect(await firstExit).toBe(0)
    expect(firstOut).toContain(`batch ${batchId}: another process runs part of it`)
    expect(firstOut).toContain(`synced ${n} trades (batch ${batchId})`)
    expect(second.stderr).toContain(`batch ${batchId}: another process runs part of it`)
    expect(second.stdout).toContain(`synced ${n} trades (batch ${batchId})`)
    expect(second.stdout).toContain(`${n} repaired`)

    const owners = reader
      .prepare("SELECT claimed_by, count(*) AS n FROM batch_items WHERE state = 'done' GROUP BY claimed_by")
      .all() as Array<{ n: number }>
    expect(owners).toHaveLength(2)
    expect(owners.reduce((a, o) => a + o.n, 0)).toBe(n)
    const records = reader
      .prepare('SELECT count(*) AS n FROM sync_records GROUP BY trade_id')
      .all() as Array<{
      n: number
    }>
    expect(records.map((r) => r.n)).toEqual(Array(n).fill(1))
    expect((world.sim.state.stats.requests['alipay.trade.query'] ?? 0) - before).toBe(n)
    expect(
      (reader.prepare('SELECT status FROM batches WHERE id = ?').get(batchId) as { status: string }).status,
    ).toBe('done')
    reader.close()
  }, 120_000)
})
