import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { createBatch } from '../../src/main/store/batches'
import { openStore } from '../../src/main/store/connection'
import { formatBeijing } from '../../src/shared/time'
import { tempDir } from '../helpers/world'

// The command line as a user runs it: a separate process, its output and its exit code.

const run = promisify(execFile)
const BIN = path.resolve('bin/paysync.js')

async function paysync(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

let dir: string
let sim: Simulator
let db: string
beforeAll(async () => {
  dir = tempDir()
  db = path.join(dir, 'cli.db')
  sim = await startSimulator({
    scenario: { merchants: [{ name: 'cli-ali', channel: 'alipay' }], orders: [], refunds: [] },
  })
  // An ISV's profile: the app auth token is a credential like the private key.
  fs.writeFileSync(
    path.join(dir, 'cli-ali.json'),
    JSON.stringify({ ...sim.profiles()[0], appAuthToken: 'cli-app-auth-token-0123456789abcdef' }),
  )
})
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('paysync command line', () => {
  it('demo works on a fresh machine: repairs, anomalies, no errors, exit 0', async () => {
    const yesterday = () => formatBeijing(Date.now() - 86_400_000).slice(0, 10)
    const before = yesterday()
    const r = await paysync(['demo', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.summary.errors).toBe(0)
    expect(out.summary.repaired).toBeGreaterThan(0)
    expect(out.anomalies.length).toBeGreaterThan(0)
    expect(out.repairs.length).toBeGreaterThan(0)
    const human = await paysync(['demo'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/repairs applied/)
    // Then the 对账 side: four reconciled days of every merchant with bills, yesterday among them
    // whatever the hour (tests/services/demo-bills.test.ts sets the clock).
    const statements = out.statements as Array<{ result: string; billDate: string; merchant: string }>
    const results = statements.map((s) => s.result)
    for (const [result, n] of [
      ['balanced', 4],
      ['unbalanced', 8],
      ['pending_cross_day', 4],
    ] as const)
      expect(
        results.filter((r) => r === result),
        result,
      ).toHaveLength(n)
    const days = new Set([before, yesterday()])
    expect(
      statements
        .filter((s) => days.has(s.billDate))
        .map((s) => s.merchant)
        .sort(),
    ).toEqual(['demo-alipay', 'demo-unionpay', 'demo-wechat', 'demo-wechat-sp'])
    expect(human.stdout).toMatch(/statements reconciled against the simulated bills \(16\)/)
  }, 120_000)

  it('merchant add stores secrets encrypted and never prints them; list shows set / not set', async () => {
    const added = await paysync(['--db', db, 'merchant', 'add', '--config', path.join(dir, 'cli-ali.json')])
    expect(added.code).toBe(0)
    const profile = JSON.parse(fs.readFileSync(path.join(dir, 'cli-ali.json'), 'utf8'))
    const secretLine = profile.appPrivateKey.split('\n')[1]
    const list = await paysync(['--db', db, 'merchant', 'list', '--json'])
    expect(list.code).toBe(0)
    expect(JSON.parse(list.stdout).items[0].secrets).toEqual({ appPrivateKey: true, appAuthToken: true })
    for (const text of [added.stdout, added.stderr, list.stdout, list.stderr]) {
      expect(text).not.toContain(secretLine)
      expect(text).not.toContain(profile.appAuthToken)
    }
    // Not in the database file in the clear either, and the key file beside it is private.
    expect(fs.readFileSync(db).includes(Buffer.from(secretLine))).toBe(false)
    expect(fs.readFileSync(db).includes(Buffer.from(profile.appAuthToken))).toBe(false)
    const keyFile = path.join(dir, 'cli.key')
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600)
    const again = await paysync(['--db', db, 'merchant', 'add', '--config', path.join(dir, 'cli-ali.json')])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/exists already/)
  })

  it('imports, syncs, lists, and exits 3 when some trades ended in sync_error', async () => {
    const csv = path.join(dir, 'orders.csv')
    fs.writeFileSync(
      csv,
      'orderNo,merchant,amountFen,status\nC-1,cli-ali,100,progress\nC-2,cli-ali,200,progress\nbad,,x,\n',
    )
    upsertOrders(sim.state, [{ merchant: 'cli-ali', orderNo: 'C-1', amount: 100, state: 'TRADE_SUCCESS' }])
    const imp = await paysync(['--db', db, 'import', csv, '--json'])
    expect(imp.code).toBe(0)
    expect(JSON.parse(imp.stdout)).toMatchObject({ inserted: 2, rejected: 1, errors: [{ line: 4 }] })
    const ok = await paysync(['--db', db, 'sync', '--order', 'C-1', '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ total: 1, repaired: 1, errors: 0 })
    sim.state.faults = { ...sim.state.faults, faultRate: 1, faults: ['system_error'] }
    const bad = await paysync(['--db', db, 'sync', '--all', '--json'])
    sim.state.faults = { ...sim.state.faults, faultRate: 0 }
    expect(bad.code).toBe(3)
    expect(JSON.parse(bad.stdout)).toMatchObject({ total: 2, errors: 2 })
    const records = await paysync(['--db', db, 'records', '--result', 'error', '--json'])
    expect(JSON.parse(records.stdout).total).toBe(2)
    const orders = JSON.parse((await paysync(['--db', db, 'orders', '--no', 'C-1', '--json'])).stdout)
    expect(orders.items[0]).toMatchObject({ orderNo: 'C-1', status: 'success', amount: 100 })
    expect(orders.items[0].createdAt).toMatch(/\+08:00$/)
  })

  it('bad arguments and unreadable files exit 1 with one sentence on standard error', async () => {
    const cases = [
      ['--db', db, 'sync'],
      ['--db', db, 'import', path.join(dir, 'nope.csv')],
      ['--db', db, 'records', '--result', 'maybe'],
      ['--db', db, 'records', '--since', 'yesterday'],
      ['--db', db, 'anomalies', 'resolve', '99', '--action', 'dismiss', '--remark', 'x y'],
      ['--db', db, 'frobnicate'],
    ]
    for (const args of cases) {
      const r = await paysync(args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr.trim().length, args.join(' ')).toBeGreaterThan(0)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('batch cancel keeps its trades out of `sync --pending` unless told not to; batch release takes them back', async () => {
    const db3 = path.join(dir, 'hold.db')
    await paysync(['--db', db3, 'merchant', 'add', '--config', path.join(dir, 'cli-ali.json')])
    fs.writeFileSync(
      path.join(dir, 'hold.csv'),
      ['orderNo,merchant,amountFen,status', ...[1, 2, 3].map((i) => `HOLD-${i},cli-ali,100,progress`)].join(
        '\n',
      ),
    )
    upsertOrders(
      sim.state,
      [1, 2, 3].map((i) => ({
        merchant: 'cli-ali',
        orderNo: `HOLD-${i}`,
        amount: 100,
        state: 'WAIT_BUYER_PAY',
      })),
    )
    await paysync(['--db', db3, 'import', path.join(dir, 'hold.csv')])
    // Two batches of the imported orders, waiting to run: the window's import with 导入并开始同步
    // stores them the same way.
    const store = openStore(db3)
    const ids = (store.prepare('SELECT id FROM pay_orders ORDER BY id').all() as Array<{ id: number }>).map(
      (r) => ({ type: 'pay' as const, id: r.id }),
    )
    const spec = { sourceFile: null, importId: null, concurrency: 1, qps: 1, operator: null }
    const held = createBatch(store, { ...spec, name: 'held', items: ids.slice(0, 2) })
    const left = createBatch(store, { ...spec, name: 'left', items: ids.slice(2) })
    store.close()

    const cancelled = await paysync(['--db', db3, 'batch', 'cancel', String(held)])
    expect(cancelled.code).toBe(0)
    expect(cancelled.stdout).toMatch(/Cancelled, 0\/2 done/)
    expect(cancelled.stdout).toMatch(/2 of its trades stay out of the schedules/)
    const other = await paysync([
      '--db',
      db3,
      'batch',
      'cancel',
      String(left),
      '--no-stop-schedule',
      '--json',
    ])
    expect(JSON.parse(other.stdout)).toMatchObject({ status: 'cancelled', held: 0 })

    const listed = JSON.parse((await paysync(['--db', db3, 'orders', '--held', 'yes', '--json'])).stdout)
    expect(listed.items.map((o: { heldBy: unknown }) => o.heldBy)).toEqual([
      { batchId: held, batchStatus: 'cancelled' },
      { batchId: held, batchStatus: 'cancelled' },
    ])
    const table = await paysync(['--db', db3, 'orders', '--held', 'yes'])
    expect(table.stdout).toContain(`held: batch ${held} cancelled`)
    // The nightly pass syncs only the order of the batch cancelled with --no-stop-schedule.
    const nightly = await paysync(['--db', db3, 'sync', '--pending', '--json'])
    expect(JSON.parse(nightly.stdout)).toMatchObject({ total: 1 })

    const released = await paysync(['--db', db3, 'batch', 'release', String(held)])
    expect(released.stdout).toMatch(new RegExp(`2 trades of batch ${held} are back in the schedules`))
    expect(JSON.parse((await paysync(['--db', db3, 'sync', '--pending', '--json'])).stdout)).toMatchObject({
      total: 3,
    })
  }, 60_000)

  it('two `sync --all` processes at once: each trade synced by one of them, no repair applied twice', async () => {
    const db2 = path.join(dir, 'two.db')
    await paysync(['--db', db2, 'merchant', 'add', '--config', path.join(dir, 'cli-ali.json')])
    const rows = ['orderNo,merchant,amountFen,status']
    const gateway = []
    for (let i = 0; i < 60; i++) {
      rows.push(`TWO-${i},cli-ali,100,progress`)
      gateway.push({ merchant: 'cli-ali', orderNo: `TWO-${i}`, amount: 100, state: 'TRADE_SUCCESS' })
    }
    fs.writeFileSync(path.join(dir, 'two.csv'), rows.join('\n'))
    upsertOrders(sim.state, gateway)
    await paysync(['--db', db2, 'import', path.join(dir, 'two.csv')])
    sim.state.faults = { ...sim.state.faults, latencyMs: 20, faultRate: 0 }
    const start = () =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, '--db', db2, 'sync', '--all', '--concurrency', '4', '--json'])
        let out = ''
        p.stdout.on('data', (d) => (out += d))
        p.on('close', (code) => resolve({ code: code ?? -1, out }))
      })
    const [a, b] = await Promise.all([start(), start()])
    sim.state.faults = { ...sim.state.faults, latencyMs: 0 }
    expect([a.code, b.code]).toEqual([0, 0])
    const sa = JSON.parse(a.out)
    const sb = JSON.parse(b.out)
    expect(sa.errors + sb.errors).toBe(0)
    const repairs = JSON.parse((await paysync(['--db', db2, 'repairs', '--limit', '1000', '--json'])).stdout)
    expect(repairs.total).toBe(60)
    expect(new Set(repairs.items.map((r: { tradeNo: string }) => r.tradeNo)).size).toBe(60)
    const orders = JSON.parse(
      (await paysync(['--db', db2, 'orders', '--status', 'success', '--json', '--limit', '1000'])).stdout,
    )
    expect(orders.total).toBe(60)
  }, 120_000)
})
