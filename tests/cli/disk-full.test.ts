import Database from 'better-sqlite3'
import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertOrders } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { addMerchant } from '../../src/main/services/merchants'
import { insertPayOrder } from '../../src/main/store/orders'
import { screensStub, tempDir } from '../helpers/world'

// Issue 13, M5, as the review found it: the command line and `paysync serve` writing to a disk that
// fills up mid-batch. The review's serve died of an unhandled rejection, leases stayed, and the
// gateway's answers went unrecorded. A process may not grow a file past the size its limit allows
// (`ulimit -f`): SQLite's writes then fail as on a full disk (EFBIG, an I/O error to SQLite), for
// real and without root. Node ignores the signal that would otherwise end the process.

const BIN = path.resolve('bin/paysync.js')
const run = promisify(execFile)
const paysync = (args: string[]) => run(process.execPath, [BIN, ...args], { timeout: 120_000 })
const ORDERS = 40

let dir: string
let sim: Simulator
beforeAll(async () => {
  dir = tempDir()
  sim = await startSimulator({
    scenario: { merchants: [{ name: 'df-ali', channel: 'alipay' }], orders: [], refunds: [] },
  })
})
afterAll(async () => {
  await sim.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A database with ORDERS progress orders, half paid and half expired unpaid at the gateway. */
async function seeded(name: string): Promise<string> {
  const db = path.join(dir, `${name}.db`)
  const ctx = new ServiceContext({ dbFile: db, transport: 'cli', operator: 'test' })
  try {
    const merchant = await addMerchant(ctx, sim.profiles()[0]!)
    for (let i = 0; i < ORDERS; i++) {
      const orderNo = `${name.toUpperCase()}${i}`
      const paid = i % 2 === 0
      insertPayOrder(ctx.db, {
        orderNo,
        bizOrderNo: orderNo,
        gatewayTradeNo: null,
        merchantId: merchant.id,
        channel: 'alipay',
        kind: 'pay',
        title: '',
        amount: 100,
        status: 'progress',
        createdAt: Date.now() - 7200_000,
        expiredAt: paid ? Date.now() + 3600_000 : Date.now() - 3600_000,
        paidAt: null,
        importId: null,
      })
      upsertOrders(sim.state, [
        { merchant: 'df-ali', orderNo, amount: 100, state: paid ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY' },
      ])
    }
  } finally {
    await ctx.close()
  }
  // The command is bundled on first use: done now, while files may still grow.
  await paysync(['--db', db, 'batch', 'list'])
  return db
}

/** A shell line that runs paysync with files capped a little above the database's size. */
function capped(db: string, args: string[]): string[] {
  const kb = Math.ceil(fs.statSync(db).size / 1024) + 64
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')
  return ['-c', `ulimit -f ${kb} && exec ${quoted}`]
}

function journalEntries(db: string): number {
  const base = path.basename(db, '.db')
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.journal`))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)).length
}

/** After the resume: every order synced once in its batch, closed or paid, nothing left behind. */
function expectWhole(db: string, batchId: number, closesBefore: number): void {
  const check = new Database(db, { readonly: true })
  try {
    const perOrder = check
      .prepare(
        "SELECT count(*) AS n FROM sync_records WHERE batch_id = ? AND outcome <> 'skipped' GROUP BY trade_id",
      )
      .all(batchId) as Array<{ n: number }>
    expect(perOrder.map((r) => r.n)).toEqual(Array(ORDERS).fill(1))
    expect(check.prepare('SELECT status, count(*) AS n FROM pay_orders GROUP BY status').all()).toEqual([
      { status: 'close', n: ORDERS / 2 },
      { status: 'success', n: ORDERS / 2 },
    ])
    expect(check.prepare('SELECT count(*) AS n FROM repair_records').get()).toEqual({ n: ORDERS })
    expect(check.prepare('SELECT count(*) AS n FROM trade_leases').get()).toEqual({ n: 0 })
    expect(check.prepare('SELECT count(*) AS n FROM sync_intents WHERE record_id IS NULL').get()).toEqual({
      n: 0,
    })
    expect(check.prepare('SELECT count(*) AS n FROM anomalies').get()).toEqual({ n: 0 })
  } finally {
    check.close()
  }
  // No order was closed at the gateway twice.
  expect(sim.state.stats.closes - closesBefore).toBe(ORDERS / 2)
  expect(journalEntries(db)).toBe(0)
}

describe.skipIf(process.platform === 'win32')('the disk fills up under paysync (M5)', () => {
  it('sync --all: exit 1 with the reason, every answer kept; batch resume finishes it, nothing twice', async () => {
    const db = await seeded('cli')
    const queriesBefore = sim.state.stats.requests['alipay.trade.query'] ?? 0
    const closesBefore = sim.state.stats.closes
    sim.state.faults = { ...sim.state.faults, latencyMs: 20 }
    const child = spawn(
      'bash',
      capped(db, ['--db', db, '--json', 'sync', '--all', '--concurrency', '2', '--qps', '500']),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.once('close', (c, s) => r([c, s])),
    )
    // Stopped short, said why, and ended as a command that could not finish: no crash, no stack.
    expect(signal, stderr).toBeNull()
    expect(code, stderr).toBe(1)
    expect(stderr).toMatch(/paused: the database file could not be written/)
    expect(stderr).toMatch(/paysync batch resume \d+/)
    expect(stderr).not.toMatch(/SqliteError|Unhandled|\n\s+at /)
    const summary = JSON.parse(stdout) as { batchId: number; pauseReason: string; total: number }
    expect(summary).toMatchObject({ pauseReason: 'io_error', total: ORDERS })

    // Every answered query has its record or waits in the journal.
    const reader = new Database(db, { readonly: true })
    const records = (reader.prepare('SELECT count(*) AS n FROM sync_records').get() as { n: number }).n
    reader.close()
    const queries = sim.state.stats.requests['alipay.trade.query']! - queriesBefore
    expect(queries).toBeGreaterThan(0)
    expect(queries).toBeLessThan(ORDERS)
    expect(records + journalEntries(db)).toBe(queries)

    // Space again: the resume writes what waits first, then finishes the rest.
    sim.state.faults = { ...sim.state.faults, latencyMs: 0 }
    const resumed = JSON.parse(
      (await paysync(['--db', db, 'batch', 'resume', String(summary.batchId), '--json'])).stdout,
    )
    expect(resumed).toMatchObject({ total: ORDERS, errors: 0 })
    expect(resumed.pauseReason).toBeUndefined()
    expectWhole(db, summary.batchId, closesBefore)
  }, 120_000)

  it('paysync serve stays up, shows the paused batch and its reason, and stops cleanly', async () => {
    const db = await seeded('serve')
    const closesBefore = sim.state.stats.closes
    sim.state.faults = { ...sim.state.faults, latencyMs: 20 }
    const serve = spawn(
      'bash',
      capped(db, [
        '--db',
        db,
        '--json',
        'serve',
        '--renderer',
        screensStub(dir),
        '--no-sandbox',
        '--no-schedules',
        '--print-token',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    serve.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((r) => serve.once('exit', (c) => r(c)))
    const first = await new Promise<string>((resolve) =>
      readline.createInterface({ input: serve.stdout }).once('line', resolve),
    )
    const { url, token } = JSON.parse(first) as { url: string; token: string }
    const api = async (op: string, input: unknown) => {
      const res = await fetch(`${url}/api/${op}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      })
      const body = (await res.json()) as { ok: boolean; value?: unknown; error?: unknown }
      if (!body.ok) throw new Error(JSON.stringify(body.error))
      return body.value as Record<string, unknown>
    }
    const started = await api('batches.start', { pending: true, concurrency: 2, qps: 500 })
    let view: Record<string, unknown> = started
    for (let t = 0; t < 600 && view.status !== 'paused' && view.status !== 'done'; t++) {
      await new Promise((r) => setTimeout(r, 50))
      view = await api('batches.get', { id: started.id })
    }
    expect(view, stderr).toMatchObject({ status: 'paused', pauseReason: 'io_error' })
    expect(view.done as number).toBeLessThan(ORDERS)
    // Still up and answering.
    expect(serve.exitCode).toBeNull()
    expect(await api('batches.list', {})).toMatchObject({ total: 1 })
    expect(stderr).not.toMatch(/Unhandled|\n\s+at /)
    serve.kill('SIGTERM')
    expect(await exited, stderr).toBe(0)

    sim.state.faults = { ...sim.state.faults, latencyMs: 0 }
    const resumed = JSON.parse(
      (await paysync(['--db', db, 'batch', 'resume', String(started.id), '--json'])).stdout,
    )
    expect(resumed).toMatchObject({ total: ORDERS, errors: 0 })
    expectWhole(db, started.id as number, closesBefore)
  }, 120_000)
})
