import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { fileBatchRun } from '../../src/main/engine/batch-on-file'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { ServiceContext } from '../../src/main/services/context'
import { BIN, paysync, useCliSimulator } from '../helpers/cli-simulator'
import { FAST_RETRY } from '../helpers/world'

// A runner killed with SIGKILL while another process runs the same batch with it (docs/team-mode.md
// B8.5): the survivor takes the dead runner's claimed items over at once (its process is gone from
// this machine), finishes the batch, and nothing is synced twice.

const world = useCliSimulator('two')

async function until(test: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('a runner killed while another runs the batch with it', () => {
  it('the other takes its items over at once and finishes; one record and one repair per trade', async () => {
    const db = path.join(world.dir, 'two.db')
    await paysync(['--db', db, 'merchant', 'add', '--config', world.profile])
    const n = 200
    const rows = ['orderNo,merchant,amountFen,status']
    const gateway = []
    for (let i = 0; i < n; i++) {
      rows.push(`J-${i},two,100,progress`)
      gateway.push({ merchant: 'two', orderNo: `J-${i}`, amount: 100, state: 'TRADE_SUCCESS' })
    }
    fs.writeFileSync(path.join(world.dir, 'j.csv'), rows.join('\n'))
    upsertOrders(world.sim.state, gateway)
    await paysync(['--db', db, 'import', path.join(world.dir, 'j.csv')])
    world.sim.state.faults = { ...world.sim.state.faults, latencyMs: 25 }

    const child = spawn(
      process.execPath,
      [BIN, '--db', db, 'sync', '--all', '--concurrency', '2', '--qps', '40'],
      { stdio: 'ignore' },
    )
    const reader = new Database(db, { readonly: true })
    const count = (sql: string, ...args: unknown[]) => {
      try {
        return (reader.prepare(sql).get(...args) as { n: number }).n
      } catch {
        return 0
      }
    }
    await until(() => count("SELECT count(*) AS n FROM batch_items WHERE state = 'done'") >= 10, 'child runs')
    const batchId = count('SELECT max(id) AS n FROM batches')

    const here = new ServiceContext({ dbFile: db, retry: FAST_RETRY, transport: 'cli' })
    try {
      const me = here.engine.owner
      const runner = fileBatchRun(here.db, here.engine, batchId, {
        coordination: here.coordination,
        heartbeatMs: 100,
        progressEveryMs: 0,
      })
      const ended = runner.run()
      await until(
        () => count("SELECT count(*) AS n FROM batch_items WHERE state = 'done' AND claimed_by = ?", me) >= 5,
        'this process runs items of the batch too',
      )
      // The child's claims as it dies: pending items it holds, which nobody else may take before.
      const queriesBefore = world.sim.state.stats.requests['alipay.trade.query'] ?? 0
      child.kill('SIGKILL')
      await new Promise((r) => child.once('exit', r))
      const held = reader
        .prepare("SELECT id FROM batch_items WHERE batch_id = ? AND state = 'pending' AND claimed_by <> ?")
        .all(batchId, me) as Array<{ id: number }>
      expect(held.length).toBeGreaterThan(0)
      const pendingAtKill = count("SELECT count(*) AS n FROM batch_items WHERE state = 'pending'")

      const last = await ended
      expect(last).toMatchObject({ status: 'done', total: n, done: n, counts: { repaired: n } })
      expect(runner.markedDone).toBe(true)
      const taken = reader
        .prepare(
          `SELECT count(*) AS n FROM batch_items WHERE id IN (${held.map((h) => h.id).join(',')})
             AND state = 'done' AND claimed_by = ?`,
        )
        .get(me) as { n: number }
      expect(taken.n).toBe(held.length)
      // Nothing synced twice: one record and one repair per trade, whichever process did it.
      const records = reader
        .prepare('SELECT count(*) AS n FROM sync_records WHERE batch_id = ? GROUP BY trade_id')
        .all(batchId) as Array<{ n: number }>
      expect(records.map((r) => r.n)).toEqual(Array(n).fill(1))
      const repairs = reader
        .prepare('SELECT count(*) AS n FROM repair_records GROUP BY trade_id')
        .all() as Array<{
        n: number
      }>
      expect(repairs.map((r) => r.n)).toEqual(Array(n).fill(1))
      // Asked again: the items pending at the kill, and at most the child's calls on the wire then
      // (answered, never written: their trades are still to sync).
      const asked = (world.sim.state.stats.requests['alipay.trade.query'] ?? 0) - queriesBefore
      expect(asked).toBeLessThanOrEqual(pendingAtKill + 2)
    } finally {
      reader.close()
      await here.close()
    }
  }, 120_000)
})
