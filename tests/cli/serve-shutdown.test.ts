import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { runImport } from '../../src/main/services/imports'
import { addMerchant } from '../../src/main/services/merchants'
import { writeSettings } from '../../src/main/store/settings'
import { screensStub, tempDir } from '../helpers/world'

// `paysync serve` stopped (SIGTERM) while its schedules are mid-pass: the attempts in flight finish
// and are written before the database closes. Found while building the app + cron test: the serve
// closed the database under them, so answered queries went unrecorded and their leases stayed.

let dir: string
let sim: Simulator
beforeAll(async () => {
  dir = tempDir()
  sim = await startSimulator({
    scenario: { merchants: [{ name: 'st-ali', channel: 'alipay' }], orders: [], refunds: [] },
  })
})
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('paysync serve, stopped mid-pass', () => {
  it('records every attempt it started, leaves no lease, and exits 0', async () => {
    const db = path.join(dir, 'serve.db')
    const ctx = new ServiceContext({ dbFile: db, transport: 'cli' })
    try {
      await addMerchant(ctx, sim.profiles()[0])
      const rows = ['orderNo,merchant,amountFen,status']
      for (let i = 0; i < 200; i++) rows.push(`ST${i},st-ali,100,progress`)
      fs.writeFileSync(path.join(dir, 'orders.csv'), rows.join('\n'))
      await runImport(ctx, { file: path.join(dir, 'orders.csv'), type: 'pay' })
      // A slow pass: 200 due orders at 5 calls a second.
      writeSettings(ctx.db, { defaultQps: 5 })
    } finally {
      await ctx.close()
    }
    upsertOrders(
      sim.state,
      Array.from({ length: 200 }, (_, i) => ({
        merchant: 'st-ali',
        orderNo: `ST${i}`,
        amount: 100,
        state: 'TRADE_SUCCESS',
      })),
    )
    sim.state.faults = { ...sim.state.faults, latencyMs: 300 }
    const serve = spawn(
      process.execPath,
      [path.resolve('bin/paysync.js'), '--db', db, '--json', 'serve', '--renderer', screensStub(dir)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )

    let stderr = ''
    serve.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)))
    // Stop once the first pass (five seconds after start) has written a few records: each write
    // to the database's log is an event on its folder, and the count is read again on each.
    const reader = new Database(db, { readonly: true })
    const records = () => (reader.prepare('SELECT count(*) AS n FROM sync_records').get() as { n: number }).n
    const written = async (n: number) => {
      if (records() >= n) return
      for await (const _ of fsp.watch(dir, { signal: AbortSignal.timeout(40_000) }))
        if (records() >= n) return
    }
    await new Promise<void>((resolve, reject) => {
      serve.once('exit', (code) => reject(new Error(`paysync serve exited (${code}) first: ${stderr}`)))
      written(3).then(resolve, reject)
    })
    expect(records(), stderr).toBeGreaterThanOrEqual(3)
    serve.kill('SIGTERM')
    expect(await exited, stderr).toBe(0)
    // Every query the gateway answered is recorded: none was cut off by the database closing.
    expect(records()).toBe(sim.state.stats.requests['alipay.trade.query'])
    expect(records()).toBeLessThan(200)
    expect(reader.prepare('SELECT * FROM trade_leases').all()).toEqual([])
    reader.close()
  }, 60_000)
})
