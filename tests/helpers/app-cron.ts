import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { BUSY_CODE, BUSY_MESSAGE } from '../../src/main/engine/sync'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { runImport } from '../../src/main/services/imports'
import { addMerchant } from '../../src/main/services/merchants'
import { openStore } from '../../src/main/store/connection'
import { formatBeijing } from '../../src/shared/time'
import { rng, type Rng } from './prng'
import { screensStub, tempDir } from './world'

// Two processes syncing one database (issue 6, item 3): the app (`paysync serve`, browser mode, with
// its schedules on) and cron runs of `paysync sync --pending`, started together on the same trades.
// Each wave imports fresh trades, waits for the app's schedule pass to end, and starts two cron
// runs timed to meet the app's next pass. Afterwards: no repair applied twice, every lock conflict
// recorded as one (10007, 同步处理中，请勿重复操作, outcome skipped) and never as a failure, every trade
// in the gateway's state, the database whole and no lease left behind.

const BIN = path.resolve('bin/paysync.js')

interface Kind {
  key: string
  merchant: 'ac-ali' | 'ac-wx'
  local: 'progress' | 'success'
  expired: boolean
  gateway: string
  refund?: string
}

const KINDS: Kind[] = [
  { key: 'ali-paid', merchant: 'ac-ali', local: 'progress', expired: false, gateway: 'TRADE_SUCCESS' },
  {
    key: 'ali-unpaid-expired',
    merchant: 'ac-ali',
    local: 'progress',
    expired: true,
    gateway: 'WAIT_BUYER_PAY',
  },
  { key: 'ali-waiting', merchant: 'ac-ali', local: 'progress', expired: false, gateway: 'WAIT_BUYER_PAY' },
  {
    key: 'ali-refund',
    merchant: 'ac-ali',
    local: 'success',
    expired: false,
    gateway: 'TRADE_SUCCESS',
    refund: 'REFUND_SUCCESS',
  },
  { key: 'wx-paid', merchant: 'ac-wx', local: 'progress', expired: false, gateway: 'SUCCESS' },
  { key: 'wx-unpaid-expired', merchant: 'ac-wx', local: 'progress', expired: true, gateway: 'NOTPAY' },
  { key: 'wx-closed', merchant: 'ac-wx', local: 'progress', expired: false, gateway: 'CLOSED' },
]

/** The local status that agrees with the gateway's word. */
const LOCAL_OF: Record<string, string> = {
  TRADE_SUCCESS: 'success',
  SUCCESS: 'success',
  WAIT_BUYER_PAY: 'progress',
  NOTPAY: 'progress',
  TRADE_CLOSED: 'close',
  CLOSED: 'close',
  REFUND_SUCCESS: 'success',
}

interface Trade {
  kind: Kind
  orderNo: string
  refundNo: string | null
}

export interface AppCronOptions {
  waves: number
  copies: number
  seed: number
}

export interface AppCronReport {
  waves: number
  trades: number
  records: number
  /** Lock conflicts recorded: by the app's schedules, and by the cron runs. */
  appConflicts: number
  cronConflicts: number
  /** Cron batch items finished with the record another process wrote while it held the trade. */
  itemsTakenFromOthers: number
  appRecords: number
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

function start(args: string[]): {
  child: ChildProcess
  exit: Promise<Exit>
  stdout: () => string
  stderr: () => string
  exited: () => boolean
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const exit = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) =>
      child.once('close', () => resolve({ code, signal, stdout, stderr })),
    ),
  )
  return {
    child,
    exit,
    stdout: () => stdout,
    stderr: () => stderr,
    exited: () => child.exitCode !== null || child.signalCode !== null,
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until<T>(
  what: string,
  probe: () => Promise<T | null> | T | null,
  limitMs = 60_000,
): Promise<T> {
  // A hang guard only: each thing waited for comes in seconds when the program is healthy.
  const end = Date.now() + limitMs
  for (;;) {
    const v = await probe()
    if (v !== null) return v
    if (Date.now() > end) throw new Error(`waited in vain for ${what}`)
    await sleep(50)
  }
}

/** The app as a browser would call it: its contract over HTTP with the run's token. */
function appApi(url: string, token: string) {
  return async <T>(op: string, input: unknown = {}): Promise<T> => {
    const res = await fetch(`${url}/api/${op}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    })
    const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } }
    if (!body.ok) throw new Error(`${op}: ${body.error?.message}`)
    return body.value as T
  }
}

function tradesOf(prefix: string, copies: number): Trade[] {
  const out: Trade[] = []
  KINDS.forEach((kind, k) => {
    for (let c = 0; c < copies; c++) {
      const orderNo = `${prefix}K${k}C${c}`
      out.push({ kind, orderNo, refundNo: kind.refund ? `${orderNo}R` : null })
    }
  })
  return out
}

async function importWave(sim: Simulator, dbFile: string, dir: string, name: string, trades: Trade[]) {
  upsertOrders(
    sim.state,
    trades.map((t) => ({
      merchant: t.kind.merchant,
      orderNo: t.orderNo,
      amount: 100,
      state: t.kind.gateway,
    })),
  )
  upsertRefunds(
    sim.state,
    trades
      .filter((t) => t.refundNo)
      .map((t) => ({
        merchant: t.kind.merchant,
        orderNo: t.orderNo,
        refundNo: t.refundNo!,
        amount: 30,
        state: t.kind.refund!,
      })),
  )
  const pay = ['orderNo,merchant,amountFen,status,expiredAt']
  const refund = ['orderNo,refundNo,merchant,refundAmountFen,createdAt']
  for (const t of trades) {
    pay.push(
      `${t.orderNo},${t.kind.merchant},100,${t.kind.local},${t.kind.expired ? '2020-01-01 00:00:00' : ''}`,
    )
    if (t.refundNo)
      refund.push(`${t.orderNo},${t.refundNo},${t.kind.merchant},30,${formatBeijing(Date.now() - 3600_000)}`)
  }
  fs.writeFileSync(path.join(dir, `${name}-pay.csv`), pay.join('\n'))
  fs.writeFileSync(path.join(dir, `${name}-refund.csv`), refund.join('\n'))
  // A third writer on the database while the app runs: the import, as another window or script would.
  const ctx = new ServiceContext({ dbFile, transport: 'cli', operator: 'app-cron' })
  try {
    const a = await runImport(ctx, { file: path.join(dir, `${name}-pay.csv`), type: 'pay' })
    const b = await runImport(ctx, { file: path.join(dir, `${name}-refund.csv`), type: 'refund' })
    expect(a.rejected + b.rejected, JSON.stringify([...a.errors, ...b.errors])).toBe(0)
  } finally {
    await ctx.close()
  }
}

type Api = ReturnType<typeof appApi>

async function lastRunOf(api: Api): Promise<string | null> {
  return (await api<{ schedules: { lastRunAt: string | null } }>('app.info')).schedules.lastRunAt
}

/** Waits for the end of one of the app's schedule passes (a pass in progress, or the next one). */
async function passEnd(api: Api): Promise<number> {
  const before = await lastRunOf(api)
  await until('the end of an app schedule pass', async () =>
    (await lastRunOf(api)) !== before ? true : null,
  )
  return Date.now()
}

/**
 * Two cron runs of `sync --pending` around the moment the app's next pass starts (`tickAt`). A run
 * takes a second or two to start; the two start a drawn moment apart.
 */
async function cronRuns(r: Rng, dbFile: string, tickAt: number): Promise<void> {
  const firstAt = tickAt - 1_800 + r.int(1_000)
  const secondAt = firstAt + r.int(1_500)
  const cron = (at: number) =>
    sleep(Math.max(0, at - Date.now())).then(
      () => start(['--db', dbFile, 'sync', '--pending', '--concurrency', '3', '--qps', '500', '--json']).exit,
    )
  const exits = await Promise.all([cron(firstAt), cron(secondAt)])
  for (const e of exits) {
    expect(e.code, `cron run: ${e.stderr}`).toBe(0)
    const summary = JSON.parse(e.stdout)
    // Lock contention never fails a trade, and a deferred item is finished, not left skipped.
    expect(summary.errors, e.stdout).toBe(0)
    expect(summary.skipped, e.stdout).toBe(0)
  }
}

export async function runAppAndCron(options: AppCronOptions): Promise<AppCronReport> {
  const r = rng(options.seed)
  const dir = tempDir('paysync-appcron-')
  const dbFile = path.join(dir, 'shared.db')
  const sim = await startSimulator({
    scenario: {
      merchants: [
        { name: 'ac-ali', channel: 'alipay' },
        { name: 'ac-wx', channel: 'wechat' },
      ],
      orders: [],
      refunds: [],
    },
  })
  let serve: ReturnType<typeof start> | null = null
  try {
    const setup = new ServiceContext({ dbFile, transport: 'cli', operator: 'app-cron' })
    try {
      for (const p of sim.profiles()) await addMerchant(setup, p)
    } finally {
      await setup.close()
    }
    // Every call takes a while, so both processes hold leases long enough to meet.
    sim.state.faults = { ...sim.state.faults, latencyMs: 100, jitterMs: 100 }

    // The first wave is there when the app starts: its first pass comes five seconds after.
    const trades: Trade[] = tradesOf(`W1S${r.seed % 10000}`, options.copies)
    await importWave(sim, dbFile, dir, 'wave1', trades)
    serve = start([
      '--db',
      dbFile,
      '--json',
      'serve',
      '--port',
      '0',
      '--renderer',
      screensStub(dir),
      '--print-token',
    ])
    const ready = await until('paysync serve to print its address', () => {
      if (serve!.exited()) throw new Error(`paysync serve exited early: ${serve!.stderr()}`)
      const line = serve!.stdout().split('\n')[0]
      return line && serve!.stdout().includes('\n')
        ? (JSON.parse(line) as { url: string; token: string })
        : null
    })
    const readyAt = Date.now()
    const api = appApi(ready.url, ready.token)
    // The app's own settings screen: schedules on (the default), a 10 s tick, a gentle rate, so a
    // pass lasts while the cron runs work. The daily reconcile is off: after 10:30 Beijing it would
    // download yesterday's bills and sync what they name, and this run counts the sync passes only.
    const settings = await api<{ schedulesEnabled: boolean }>('settings.set', {
      autoReconcileEnabled: false,
      scheduleTickSec: 10,
      defaultQps: 10,
      defaultConcurrency: 4,
    })
    expect(settings.schedulesEnabled).toBe(true)
    await cronRuns(r, dbFile, readyAt + 5_000)
    for (let n = 2; n <= options.waves; n++) {
      // Right after one of the app's passes ends, the next is a tick (10 s) away: trades imported
      // now are due then, and the cron runs are timed to be at work by that moment.
      const ended = await passEnd(api)
      const more = tradesOf(`W${n}S${r.seed % 10000}`, options.copies)
      await importWave(sim, dbFile, dir, `wave${n}`, more)
      trades.push(...more)
      await cronRuns(r, dbFile, ended + 10_000)
    }
    // Let the app finish the pass it is in before it stops.
    await passEnd(api)
    serve.child.kill('SIGTERM')
    const served = await serve.exit
    serve = null
    expect(served.code, `paysync serve: ${served.stderr}`).toBe(0)
    return check(dbFile, sim, trades, options.waves)
  } catch (err) {
    console.error(`app + cron failed with seed ${options.seed} (replay with APPCRON_SEED=${options.seed})`)
    throw err
  } finally {
    if (serve) {
      serve.child.kill('SIGKILL')
      await serve.exit
    }
    await sim.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

function check(dbFile: string, sim: Simulator, trades: Trade[], waves: number): AppCronReport {
  const db = openStore(dbFile)
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.prepare('SELECT * FROM trade_leases').all(), 'no lease is left behind').toEqual([])
    // No repair applied twice: one repair row per trade and status change, one repair per trade here
    // (each of these trades changes once at most), and each repair made by exactly one record.
    const doubled = db
      .prepare(
        `SELECT trade_type, trade_no, before_status, after_status, count(*) AS n FROM repair_records
         GROUP BY trade_type, trade_id, before_status, after_status HAVING n > 1`,
      )
      .all()
    expect(doubled, 'repairs applied twice').toEqual([])
    const repairsPerRecord = db
      .prepare(
        `SELECT repair_no, count(DISTINCT sync_record_id) AS n FROM repair_records GROUP BY repair_no HAVING n <> 1`,
      )
      .all()
    expect(repairsPerRecord).toEqual([])
    // Lock conflicts are recorded as such, with DaxPay's words, and never as errors.
    const skipped = db
      .prepare(
        `SELECT error_code, error_msg, batch_id IS NULL AS app, count(*) AS n FROM sync_records
         WHERE outcome = 'skipped' GROUP BY 1, 2, 3`,
      )
      .all() as Array<{ error_code: string; error_msg: string; app: number; n: number }>
    for (const s of skipped) {
      if (s.error_code === 'conflict') continue // compare-and-set found the trade changed: also not a failure
      expect(s.error_code).toBe(BUSY_CODE)
      expect(s.error_msg).toBe(BUSY_MESSAGE)
    }
    const errors = db
      .prepare("SELECT trade_no, error_code, error_msg FROM sync_records WHERE outcome = 'error'")
      .all()
    expect(errors, 'no trade failed for meeting another process').toEqual([])
    expect(db.prepare('SELECT kind, trade_no FROM anomalies').all(), 'no anomaly from the race').toEqual([])
    // Every cron batch item finished, with a record of its own trade (its own or the app's).
    const items = db
      .prepare(
        `SELECT i.state, s.trade_type = i.trade_type AND s.trade_id = i.trade_id AS same,
           s.batch_id IS NOT i.batch_id AS other
         FROM batch_items i LEFT JOIN sync_records s ON s.id = i.sync_record_id`,
      )
      .all() as Array<{ state: string; same: number | null; other: number | null }>
    expect(items.length).toBeGreaterThan(0)
    expect(items.every((i) => i.state === 'done' && i.same === 1)).toBe(true)
    // Every trade in the gateway's state, and changed by exactly as many repairs as it changed.
    for (const t of trades) {
      const g = sim.state.getOrder(t.kind.merchant, t.orderNo)!
      const local = db.prepare('SELECT id, status FROM pay_orders WHERE order_no = ?').get(t.orderNo) as {
        id: number
        status: string
      }
      expect(local.status, `${t.orderNo} (${t.kind.key}) against the gateway's ${g.state}`).toBe(
        LOCAL_OF[g.state],
      )
      const payRepairs = (
        db
          .prepare("SELECT count(*) AS n FROM repair_records WHERE trade_type = 'pay' AND trade_id = ?")
          .get(local.id) as { n: number }
      ).n
      const changed = local.status !== t.kind.local ? 1 : 0
      const refundRow = t.refundNo ? 1 : 0 // a refund repair also writes a row for its pay order
      expect(payRepairs, `${t.orderNo} (${t.kind.key}) repairs`).toBe(changed + refundRow)
      if (t.refundNo) {
        const refund = db.prepare('SELECT status FROM refund_orders WHERE refund_no = ?').get(t.refundNo) as {
          status: string
        }
        const gr = sim.state.getRefund(t.kind.merchant, t.refundNo)!
        expect(refund.status, `${t.refundNo} against the gateway's ${gr.state}`).toBe(LOCAL_OF[gr.state])
      }
    }
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    const report: AppCronReport = {
      waves,
      trades: trades.length,
      records: count('SELECT count(*) AS n FROM sync_records'),
      appConflicts: count(
        "SELECT count(*) AS n FROM sync_records WHERE outcome = 'skipped' AND batch_id IS NULL",
      ),
      cronConflicts: count(
        "SELECT count(*) AS n FROM sync_records WHERE outcome = 'skipped' AND batch_id IS NOT NULL",
      ),
      itemsTakenFromOthers: items.filter((i) => i.other === 1).length,
      appRecords: count(
        "SELECT count(*) AS n FROM sync_records WHERE batch_id IS NULL AND outcome <> 'skipped'",
      ),
    }
    return report
  } finally {
    db.close()
  }
}
