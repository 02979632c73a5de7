import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ServiceContext } from '../src/main/services/context'
import { addMerchant } from '../src/main/services/merchants'
import { insertPayOrder } from '../src/main/store/orders'
import { benchOrder } from './batch-seed'
import { figure, round, type Figure } from './figures'
import { startSimChild, writeScenario } from './sim-child'

// Issue 16, item 1: `paysync sync --all` beside the script a user would write with the official Alipay
// SDK (bench/alipay-sdk-script.mjs), on one simulator, over the same orders: the SDK script with a
// pool of the same size, and the same script one call at a time. Each is a process of its own, timed
// from start to exit, as a person at a shell would time them; the three take turns, round after round,
// so that a busy moment of this shared machine falls on all of them alike.

const BIN = path.resolve('bin/paysync.js')
const SCRIPT = path.resolve('bench/alipay-sdk-script.mjs')

function run(args: string[], env: Record<string, string> = {}): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t = performance.now()
    execFile(
      process.execPath,
      args,
      { env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20 },
      (err, stdout, stderr) => {
        // The exit code and the tail of standard output say which trades failed (exit 3: some sync_error).
        if (err)
          reject(new Error(`${args.join(' ')}: exit ${String(err.code)}\n${stderr}\n${stdout.slice(-2000)}`))
        else resolve({ ms: performance.now() - t, stdout })
      },
    )
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export async function sideBySide(
  dir: string,
  n = 1_000,
  rounds = 3,
  latencyMs = 20,
  pool = 16,
): Promise<Figure[]> {
  const sim = await startSimChild(writeScenario(dir, [{ name: 'side-ali', channel: 'alipay' }]))
  try {
    const [profile] = sim.profiles()
    const orders = Array.from({ length: n }, (_, i) => `SIDE${String(i).padStart(8, '0')}`)
    const gateway = orders.map((orderNo, i) => ({
      merchant: 'side-ali',
      orderNo,
      amount: 100,
      state: i % 2 ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY',
    }))
    for (let i = 0; i < gateway.length; i += 2000) await sim.post('/_sim/orders', gateway.slice(i, i + 2000))
    // No QPS cap at the simulator, none that binds in paysync (its most, 2,000 a second, is more than
    // 16 calls at 20 ms can make).
    await sim.post('/_sim/faults', { latencyMs, jitterMs: 0, qps: 0, faultRate: 0, faults: [] })
    const profileFile = path.join(dir, 'side-profile.json')
    const ordersFile = path.join(dir, 'side-orders.json')
    fs.writeFileSync(profileFile, JSON.stringify(profile))
    fs.writeFileSync(ordersFile, JSON.stringify(orders))

    /** Fresh books for each paysync run: the same 1,000 orders, none synced yet. */
    const books = async (round: number) => {
      const dbFile = path.join(dir, `side-${round}.db`)
      const ctx = new ServiceContext({ dbFile, transport: 'cli' })
      try {
        const merchant = await addMerchant(ctx, profile)
        const now = Date.now()
        ctx.db.transaction(() => {
          for (const orderNo of orders) insertPayOrder(ctx.db, benchOrder(orderNo, merchant.id, now))
        })()
      } finally {
        await ctx.close()
      }
      return dbFile
    }
    const queries = async () =>
      ((await sim.get('/_sim/stats')) as { requests: Record<string, number> }).requests[
        'alipay.trade.query'
      ] ?? 0

    const script = (size: number) =>
      run([SCRIPT, profileFile, ordersFile, String(size)], { TZ: 'Asia/Shanghai' })
    // Once each, unmeasured: the first use bundles paysync, and the file cache warms.
    await run([BIN, '--db', await books(-1), 'sync', '--all', '--concurrency', String(pool), '--qps', '2000'])
    await script(pool)

    const ms = { paysync: [] as number[], pool: [] as number[], serial: [] as number[] }
    let unrecorded = 0
    let notFinal = 0
    for (let round = 0; round < rounds; round++) {
      const dbFile = await books(round)
      const turns: Array<() => Promise<void>> = [
        async () => {
          const asked = await queries()
          const r = await run([
            BIN,
            '--db',
            dbFile,
            '--json',
            'sync',
            '--all',
            '--concurrency',
            String(pool),
            '--qps',
            '2000',
          ])
          ms.paysync.push(r.ms)
          const summary = JSON.parse(r.stdout) as { total: number; errors: number; batchId: number }
          // Every call that reached the gateway has its sync record, read back from the books.
          const calls = (await queries()) - asked
          const ctx = new ServiceContext({ dbFile, transport: 'cli' })
          try {
            const recorded = (
              ctx.db
                .prepare('SELECT count(*) AS n FROM sync_records WHERE batch_id = ?')
                .get(summary.batchId) as {
                n: number
              }
            ).n
            unrecorded += Math.max(0, calls - recorded)
          } finally {
            await ctx.close()
          }
          notFinal += summary.errors + (n - summary.total)
        },
        async () => {
          ms.pool.push((await script(pool)).ms)
        },
        async () => {
          ms.serial.push((await script(1)).ms)
        },
      ]
      for (let i = 0; i < turns.length; i++) await turns[(round + i) % turns.length]!()
    }
    const seconds = (xs: number[]) => round(median(xs) / 1000, 3)
    const paysync = seconds(ms.paysync)
    const withPool = seconds(ms.pool)
    const serial = seconds(ms.serial)
    const what = `${n} Alipay orders, L=${latencyMs} ms, no QPS cap, median of ${rounds}`
    return [
      figure(`side by side: paysync sync --all --concurrency ${pool} (${what})`, paysync, 's', null, null),
      figure(`side by side: alipay-sdk script, pool of ${pool}`, withPool, 's', null, null),
      figure('side by side: alipay-sdk script, one call at a time', serial, 's', null, null),
      // The script's time over paysync's: 1 or more when paysync is as fast or faster.
      figure(`side by side: the SDK script's time (pool of ${pool}) over paysync's`, withPool, 's', paysync, {
        atLeast: 1,
      }),
      figure("side by side: the SDK script's time one at a time over paysync's", serial, 's', paysync, {
        atLeast: 10,
      }),
      figure('side by side: gateway calls paysync made without a sync record', unrecorded, 'calls', null, {
        atMost: 0,
      }),
      figure('side by side: orders paysync left unsynced or in error', notFinal, 'orders', null, {
        atMost: 0,
      }),
    ]
  } finally {
    await sim.stop()
  }
}
