import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BatchProgressEvent } from '../../src/shared/contract'
import { copyDatabase } from '../../src/main/services/db-copy'
import {
  createTeamBatch,
  runTeamBatch,
  stopTeamBatch,
  teamBatchView,
  teamTrades,
} from '../../src/main/services/team-batches'
import { TeamDesk } from '../../src/main/services/team-desk'
import { startCluster, whyNoCluster } from '../helpers/pg-cluster'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { startPgProxy } from '../helpers/pg-proxy'
import { insertPaidOrders, payRefsOf } from '../helpers/team-orders'
import { createWorld, tempDir, type World } from '../helpers/world'

// Stored batches on a team database (docs/team-mode.md B8.10): several desktops run one batch together,
// each trade synced once; a desktop killed with its claims held is taken over; the connection cut under
// a run ends it paused with the reason, and it resumes once the database answers, nothing synced twice.

const TEAM = 'Team-Pass for 2026!'
const BIN = path.resolve('bin/paysync.js')
const run = promisify(execFile)

describe.skipIf(pgMissing())('stored batches on a team database', () => {
  let world: World
  let url: string
  let desk: TeamDesk
  const dataDir = tempDir('paysync-team-batch-')
  const actor = { operator: 'amy', systemUser: 'amy', transport: 'cli' as const }
  const open = (address = url, o: { dataDir?: string; writeRetryMs?: number; leaseMs?: number } = {}) =>
    TeamDesk.open(address, { keys: { passphrase: TEAM }, actor, dataDir, ...o })

  /** Pay orders in progress here that the gateway has paid: each batch item is one repair. */
  const paidOrders = async (prefix: string, n: number): Promise<string[]> => {
    const nos = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)
    await insertPaidOrders(world, desk.reads.pool, nos)
    return nos
  }

  const batchOf = async (nos: string[], name: string) =>
    createTeamBatch(desk, await payRefsOf(desk.reads.pool, nos), {
      name,
      source: 'batch',
      concurrency: 2,
      qps: 20,
    })

  /** Every order synced exactly once: one record and one repair each, whoever ran it. */
  const syncedOnce = async (nos: string[]) => {
    const recs = await desk.reads.pool.query(
      `SELECT trade_no, count(*)::int AS n, min(outcome) AS outcome FROM sync_records
        WHERE trade_no = ANY($1) GROUP BY trade_no ORDER BY trade_no`,
      [nos],
    )
    expect(recs.rows).toEqual(nos.map((trade_no) => ({ trade_no, n: 1, outcome: 'repaired' })))
    const repairs = await desk.reads.pool.query(
      'SELECT count(*)::int AS n FROM repair_records WHERE trade_no = ANY($1)',
      [nos],
    )
    expect(repairs.rows[0].n).toBe(nos.length)
  }

  /**
   * Runs the batch on `cutDesk` until the gateway is asked about `orderNo`, cuts the desktop from its
   * database there (`cut`), lets the answer come back, and returns the run's last progress; the
   * desktop is closed after.
   */
  const runCutAt = async (cutDesk: TeamDesk, id: number, orderNo: string, cut: () => void) => {
    const hold = world.sim.state.hold(orderNo)
    try {
      const running = runTeamBatch(cutDesk, id, undefined, { heartbeatMs: 200, claimTtlMs: 3_000 })
      await hold.reached
      cut()
      hold.release()
      return await running
    } finally {
      await cutDesk.close().catch(() => undefined)
    }
  }

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'ali', channel: 'alipay' }],
      context: { passphrase: TEAM },
    })
    url = await freshDatabase()
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    desk = await open()
  })

  afterAll(async () => {
    await desk?.close()
    await world?.close()
  })

  it('two desktops run one batch together: each item once, both seen as its runners', async () => {
    const nos = await paidOrders('TOG', 120)
    const id = await batchOf(nos, 'together')
    world.sim.state.faults.latencyMs = 40
    const other = await open()
    try {
      const seen: BatchProgressEvent[] = []
      const first = runTeamBatch(desk, id, (p) => seen.push(p), { heartbeatMs: 200 })
      // The second joins once the first has started on it.
      await expect.poll(() => seen.at(-1)?.done ?? 0, { timeout: 20_000 }).toBeGreaterThan(2)
      const joined: BatchProgressEvent[] = []
      const [a, b] = await Promise.all([
        first,
        runTeamBatch(other, id, (p) => joined.push(p), { heartbeatMs: 200 }),
      ])
      expect([a.status, b.status]).toEqual(['done', 'done'])
      expect(joined.some((p) => p.runners === 2)).toBe(true)
      await syncedOnce(nos)
      const runners = await desk.reads.pool.query(
        "SELECT count(DISTINCT claimed_by)::int AS n FROM batch_items WHERE batch_id = $1 AND state = 'done'",
        [id],
      )
      expect(runners.rows[0].n).toBe(2)
      // Every desktop reads the batch as done, with its counts.
      expect(await teamBatchView(other, id)).toMatchObject({ status: 'done', done: 120, total: 120 })
      expect((await teamBatchView(other, id)).counts.repaired).toBe(120)
    } finally {
      world.sim.state.faults.latencyMs = 0
      await other.close()
    }
  })

  it('a desktop killed with claims held: another takes its items over at once, nothing synced twice', async () => {
    const nos = await paidOrders('KIL', 12)
    const id = await batchOf(nos, 'killed')
    const hold = world.sim.state.hold(nos[0]!)
    const env = { ...process.env, NO_COLOR: '1', PAYSYNC_PASSPHRASE: TEAM, XDG_CONFIG_HOME: dataDir }
    const child = spawn(process.execPath, [BIN, '--db', url, 'batch', 'resume', String(id)], {
      env,
      stdio: 'ignore',
    })
    const gone = new Promise((resolve) => child.on('exit', resolve))
    await hold.reached
    // The child holds a page of claims for 30 s; it dies without a word.
    const claims = await desk.reads.pool.query(
      'SELECT count(*)::int AS n, min(claim_expires_at) AS expires FROM batch_items WHERE batch_id = $1 AND claimed_by IS NOT NULL AND state = $2',
      [id, 'pending'],
    )
    expect(claims.rows[0].n).toBeGreaterThan(0)
    child.kill('SIGKILL')
    await gone
    hold.release()
    const last = await runTeamBatch(desk, id, undefined, { heartbeatMs: 200 })
    expect(last.status).toBe('done')
    await syncedOnce(nos)
    // Taken over because its process is gone, not because its claims lapsed.
    const clock = await desk.reads.pool.query(
      'SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now',
    )
    expect(Number(clock.rows[0].now)).toBeLessThan(Number(claims.rows[0].expires))
  })

  it('the connection cut under a run: paused with the reason, resumed once it is back, nothing twice', async () => {
    const nos = await paidOrders('CUT', 10)
    const id = await batchOf(nos, 'cut')
    const proxy = await startPgProxy(url)
    const cutData = tempDir('paysync-team-batch-cut-')
    const cutDesk = await open(proxy.url, { dataDir: cutData, writeRetryMs: 300, leaseMs: 3_000 })
    const last = await runCutAt(cutDesk, id, nos[3]!, () => proxy.cut())
    expect(last).toMatchObject({ status: 'paused', pauseReason: 'db_unreachable' })
    expect(last.done).toBeLessThan(nos.length)
    // Back: the answer kept on this computer is written at the opening, then the batch runs to its end.
    proxy.restore()
    const back = await open(proxy.url, { dataDir: cutData })
    try {
      expect((await runTeamBatch(back, id)).status).toBe('done')
    } finally {
      await back.close()
      await proxy.close()
    }
    await syncedOnce(nos)
  })

  it('PostgreSQL restarted under a run: paused with the reason, resumed after, nothing twice', async () => {
    // A server of this test's own: the shared one serves the other test files meanwhile.
    const why = whyNoCluster()
    if (why) return void console.warn(`skipped: ${why}`)
    const cluster = await startCluster()
    const own = new URL(cluster.url)
    own.pathname = '/paysync_restart'
    const ownUrl = own.toString()
    try {
      const { default: pg } = await import('pg')
      const admin = new pg.Client(cluster.url)
      await admin.connect()
      await admin.query('CREATE DATABASE paysync_restart')
      await admin.end()
      const nos = await paidOrders('RST', 8)
      // The books as they are now, with these orders, copied to the server that will restart.
      const copyFrom = tempDir('paysync-team-restart-')
      const file = path.join(copyFrom, 'books.db')
      expect((await copyDatabase(url, file)).outcome).toBe('copied')
      expect((await copyDatabase(file, ownUrl)).outcome).toBe('copied')
      const restartData = tempDir('paysync-team-restart-data-')
      const first = await open(ownUrl, { dataDir: restartData, writeRetryMs: 300, leaseMs: 3_000 })
      const { rows } = await first.reads.pool.query('SELECT id FROM pay_orders WHERE order_no = ANY($1)', [
        nos,
      ])
      const id = await createTeamBatch(
        first,
        rows.map((r) => ({ type: 'pay' as const, id: Number(r.id) })),
        { name: 'restart', source: 'batch', concurrency: 2, qps: 20 },
      )
      const last = await runCutAt(first, id, nos[2]!, () => cluster.down())
      expect(last).toMatchObject({ status: 'paused', pauseReason: 'db_unreachable' })
      cluster.up()
      const again = await open(ownUrl, { dataDir: restartData })
      try {
        expect((await runTeamBatch(again, id)).status).toBe('done')
        const recs = await again.reads.pool.query(
          `SELECT trade_no, count(*)::int AS n FROM sync_records WHERE trade_no = ANY($1)
            GROUP BY trade_no ORDER BY trade_no`,
          [nos],
        )
        expect(recs.rows).toEqual(nos.map((trade_no) => ({ trade_no, n: 1 })))
        const repairs = await again.reads.pool.query(
          'SELECT count(*)::int AS n FROM repair_records WHERE trade_no = ANY($1)',
          [nos],
        )
        expect(repairs.rows[0].n).toBe(nos.length)
      } finally {
        await again.close()
      }
    } finally {
      cluster.stop()
    }
  }, 120_000)

  it('the command line: `sync --all`, `batch list|show|pause|release|cancel` on the team database', async () => {
    const env = { ...process.env, NO_COLOR: '1', PAYSYNC_PASSPHRASE: TEAM, XDG_CONFIG_HOME: dataDir }
    const nos = await paidOrders('CLI', 5)
    // Every trade still in progress is one the gateway has paid (the restart test's among them).
    const pending = (await teamTrades(desk, true, false)).length
    const all = await run(
      process.execPath,
      [BIN, '--db', url, 'sync', '--all', '--json', '--qps', '200', '--concurrency', '8'],
      { env },
    )
    const summary = JSON.parse(all.stdout) as { batchId: number; repaired: number; total: number }
    expect(summary.total).toBe((await teamTrades(desk, false, false)).length)
    expect(summary.repaired).toBe(pending)
    await syncedOnce(nos)
    // Its results exported from the team database, byte for byte as from a copy of it on a file.
    const out = tempDir('paysync-team-batch-export-')
    const archive = path.join(out, 'archive.db')
    expect((await copyDatabase(url, archive)).outcome).toBe('copied')
    for (const [db, name] of [
      [url, 'team.csv'],
      [archive, 'file.csv'],
    ] as const)
      await run(
        process.execPath,
        [BIN, '--db', db, 'export', 'batch', String(summary.batchId), '--out', path.join(out, name)],
        { env },
      )
    const team = fs.readFileSync(path.join(out, 'team.csv'))
    expect(team.toString('utf8').split('\r\n').length).toBeGreaterThan(nos.length)
    expect(team.equals(fs.readFileSync(path.join(out, 'file.csv')))).toBe(true)
    const list = await run(process.execPath, [BIN, '--db', url, 'batch', 'list', '--json'], { env })
    expect((JSON.parse(list.stdout) as { items: Array<{ id: number }> }).items[0]!.id).toBe(summary.batchId)
    const show = await run(process.execPath, [BIN, '--db', url, 'batch', 'show', String(summary.batchId)], {
      env,
    })
    expect(show.stdout).toContain(`batch ${summary.batchId} "sync --all": done`)
    // A batch paused from one desktop is paused for all; its trades stay out of the schedules.
    const waiting = await paidOrders('PAU', 3)
    const id = await batchOf(waiting, 'to pause')
    const paused = await run(process.execPath, [BIN, '--db', url, 'batch', 'pause', String(id)], { env })
    expect(paused.stdout).toContain(`batch ${id}: Paused`)
    expect((await teamTrades(desk, true, true)).length).toBe(0)
    const released = await run(process.execPath, [BIN, '--db', url, 'batch', 'release', String(id)], { env })
    expect(released.stdout).toContain(`3 trades of batch ${id} are back in the schedules`)
    expect((await teamTrades(desk, true, true)).length).toBe(3)
    const cancelled = await stopTeamBatch(desk, id, 'cancelled', false)
    expect(cancelled).toMatchObject({ status: 'cancelled', held: 0 })
    const audit = await desk.reads.pool.query(
      'SELECT action, operator FROM audit_log WHERE target = $1 ORDER BY id',
      [`batch:${id}`],
    )
    expect(audit.rows.map((r) => r.action)).toEqual([
      'batch_started',
      'batch_paused',
      'schedule_released',
      'batch_cancelled',
    ])
  })
})
