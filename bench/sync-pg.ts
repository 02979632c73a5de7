import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { ServiceContext } from '../src/main/services/context'
import { copyDatabase } from '../src/main/services/db-copy'
import type { SyncSummary } from '../src/shared/views'
import { seedBatchOrders } from './batch-seed'
import { figure, type Figure } from './figures'
import { startSimChild, writeScenario } from './sim-child'
import { onServer, server } from './store-pg'

// The cron's nightly pass on a team database beside the same pass on the desktop's file
// (docs/team-mode.md B8.9): the same books (n Alipay orders in progress, half paid at the gateway),
// one copied into a throwaway PostgreSQL by `paysync db copy`'s copyDatabase, each synced by
// `paysync sync --pending` at the same pace against the same simulated gateway. Judged: each pass's
// orders per second against the pace's limit (the calls the concurrency allows at this latency, or the
// QPS), and that the gateway never saw the QPS passed. The file's pass is a stored batch; the team's is
// a pass in lanes with one PostgreSQL transaction per attempt.

const BIN = path.resolve('bin/paysync.js')
const run = promisify(execFile)
const PASSPHRASE = 'bench team passphrase 2026'

interface SimStats {
  rateLimited: number
  maxConcurrent: number
}

export async function syncPgFigures(
  dir: string,
  n: number,
  log: (s: string) => void,
  latencyMs = 20,
  concurrency = 16,
  qps = 400,
): Promise<Figure[]> {
  const srv = await server(log)
  if (!srv) return []
  const sim = await startSimChild(writeScenario(dir, [{ name: 'pg-ali', channel: 'alipay' }]))
  const name = `paysync_bench_sync_${process.pid}`
  try {
    const file = path.join(dir, 'sync-pg.db')
    const ctx = new ServiceContext({ dbFile: file, transport: 'cli', passphrase: PASSPHRASE })
    try {
      await seedBatchOrders(ctx, sim, n, 'PGSYNC')
    } finally {
      await ctx.close()
    }
    await onServer(srv.url, `CREATE DATABASE ${name}`)
    const u = new URL(srv.url)
    u.pathname = `/${name}`
    const url = u.toString()
    await copyDatabase(file, url)
    await sim.post('/_sim/faults', { latencyMs, jitterMs: 0, qps, faultRate: 0, faults: [] })
    const env = { ...process.env, PAYSYNC_PASSPHRASE: PASSPHRASE, XDG_CONFIG_HOME: dir, NO_COLOR: '1' }
    const pace = ['--concurrency', String(concurrency), '--qps', String(qps)]
    const pass = async (db: string): Promise<{ summary: SyncSummary; stats: SimStats }> => {
      await sim.post('/_sim/reset', {})
      await sim.post('/_sim/faults', { latencyMs, jitterMs: 0, qps, faultRate: 0, faults: [] })
      const { stdout } = await run(
        process.execPath,
        [BIN, '--db', db, 'sync', '--pending', '--json', ...pace],
        {
          env,
          maxBuffer: 16 << 20,
        },
      )
      return { summary: JSON.parse(stdout) as SyncSummary, stats: (await sim.get('/_sim/stats')) as SimStats }
    }
    const onFile = await pass(file)
    const onTeam = await pass(url)
    const limit = Math.min(concurrency / (latencyMs / 1000), qps)
    const rate = (s: SyncSummary) => s.total / (s.durationMs / 1000)
    const label = `${n} orders, L=${latencyMs} ms, C=${concurrency}, Q=${qps}`
    return [
      figure(`nightly pass on the file (${label})`, rate(onFile.summary), 'orders/s', limit, null),
      figure(`nightly pass on the team database (${label})`, rate(onTeam.summary), 'orders/s', limit, {
        atLeast: 0.9,
      }),
      figure(
        'nightly pass on the team database: its pace beside the file`s',
        rate(onTeam.summary),
        'orders/s',
        rate(onFile.summary),
        { atLeast: 0.9 },
      ),
      figure('nightly pass on the team database: trades synced', onTeam.summary.total, 'orders', n, {
        atLeast: 1,
      }),
      figure(
        'nightly pass on the team database: calls refused for going over the QPS limit',
        onTeam.stats.rateLimited,
        'calls',
        null,
        { atMost: 0 },
      ),
    ]
  } finally {
    await sim.stop()
    await onServer(srv.url, `DROP DATABASE IF EXISTS ${name}`).catch(() => undefined)
    srv.stop()
  }
}
