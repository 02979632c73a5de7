import { spawn, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { ServiceContext } from '../src/main/services/context'
import { copyDatabase } from '../src/main/services/db-copy'
import { teamDbTarget } from '../src/main/services/team-db'
import { openPgPool } from '../src/main/store/pg/connect'
import { numberParams } from '../src/main/store/sql/pg-exec'
import { seedBatchOrders } from './batch-seed'
import { busySeconds, figure, stealSeconds, type Figure } from './figures'
import { startSimChild, writeScenario } from './sim-child'
import { onServer, server } from './store-pg'
import { secondsFigures, type Second } from './shared-seconds'
import { parentPid, processCpuMs, processTreeCpuMs } from './thread-cpu'

// Issue 15 item 8: one batch run by two processes on one SQLite file (docs/team-mode.md B8.5), the
// batch of the one-process figure (batch.ts) at the same limits. Process A is `paysync sync --all`;
// once it has done a twentieth of the batch, process B joins with `paysync batch resume N`. Judged:
// the two together from B's join to the last record against the batch's QPS limit, the busiest
// one-second window the simulator saw against that limit (never over it), and every trade asked and
// recorded once. The same on a team database (docs/team-mode.md B8.10): the books copied into a
// throwaway PostgreSQL, both processes working them with `--db postgres://…`, claiming items with
// FOR UPDATE SKIP LOCKED.

const BIN = path.resolve('bin/paysync.js')
/** How often the bench reads the books while B registers: its start is timed to this. */
const POLL_MS = 10
/**
 * How often it reads them otherwise. The figures come from the records' own times, not from when the
 * bench saw them; and the bench's reads are a process of the machine it measures, whose cores the
 * runners, the simulator and the database already share: read every 10 ms, they were a twentieth of
 * a core of the bench and as much of the database's.
 */
const IDLE_POLL_MS = 100

interface Child {
  proc: ChildProcess
  exit: Promise<number | null>
  output(): string
}

const PASSPHRASE = 'bench team passphrase 2026'

/** The bench's own reads of the books, as another process would make them. */
interface Reader {
  one<T>(sql: string, ...params: unknown[]): Promise<T>
  all<T>(sql: string, ...params: unknown[]): Promise<T[]>
  close(): Promise<void>
}

function fileReader(dbFile: string): Reader {
  // A WAL reader never holds a writer up.
  const db = new Database(dbFile, { readonly: true })
  return {
    one: async <T>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T,
    all: async <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
    close: async () => void db.close(),
  }
}

function teamReader(url: string): Reader {
  const pool = openPgPool(teamDbTarget(url), 2)
  const all = async <T>(sql: string, ...params: unknown[]) =>
    (await pool.query(numberParams(sql), params)).rows as T[]
  return {
    all,
    one: async <T>(sql: string, ...params: unknown[]) => (await all<T>(sql, ...params))[0]!,
    close: () => pool.end(),
  }
}

function paysync(args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
  let out = ''
  // Only the tail is kept: it says why a run failed.
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-4000))
  proc.stdout!.on('data', keep)
  proc.stderr!.on('data', keep)
  return { proc, exit: new Promise((r) => proc.once('exit', r)), output: () => out }
}

const tick = (ms = POLL_MS) => new Promise((r) => setTimeout(r, ms))

export async function batchShared(
  dir: string,
  n = 10_000,
  latencyMs = 20,
  concurrency = 16,
  qps = 400,
  on: 'file' | 'team' = 'file',
  log: (s: string) => void = () => {},
  /** Told after the store in every figure's name, for a second run of the same store. */
  label = '',
): Promise<Figure[]> {
  const srv = on === 'team' ? await server(log) : null
  if (on === 'team' && !srv) return []
  const sim = await startSimChild(writeScenario(dir, [{ name: 'shared-ali', channel: 'alipay' }]))
  // One run's books apart from another's of the same bench (the same store at another rate).
  const dbFile = path.join(dir, `batch-shared-${on}-${concurrency}-${qps}.db`)
  const children: Child[] = []
  let reader: Reader | null = null
  const name = `paysync_bench_shared_${process.pid}_${concurrency}_${qps}`
  // Figures of the team database's run say so; the file's keep their names.
  const t = (on === 'team' ? ' on a team database' : '') + label
  try {
    const ctx = new ServiceContext({ dbFile, transport: 'cli', passphrase: PASSPHRASE })
    try {
      await seedBatchOrders(ctx, sim, n, 'SHARED')
    } finally {
      await ctx.close()
    }
    let books = dbFile
    if (srv) {
      await onServer(srv.url, `CREATE DATABASE ${name}`)
      const u = new URL(srv.url)
      u.pathname = `/${name}`
      books = u.toString()
      await copyDatabase(dbFile, books)
    }
    const env = { ...process.env, PAYSYNC_PASSPHRASE: PASSPHRASE, XDG_CONFIG_HOME: dir, NO_COLOR: '1' }
    await sim.post('/_sim/faults', { latencyMs, jitterMs: 0, qps, faultRate: 0, faults: [] })
    const steal0 = stealSeconds()
    const limits = ['--concurrency', String(concurrency), '--qps', String(qps)]
    const startedAt = Date.now()
    const a = paysync(['--db', books, 'sync', '--all', ...limits], env)
    children.push(a)
    let aEnded = false
    void a.exit.then(() => (aEnded = true))

    // The books read from a connection of the bench's own, as another process would: a read of the
    // batch's counters every 10 ms.
    reader = srv ? teamReader(books) : fileReader(dbFile)
    const db = reader
    const one = <T>(sql: string, ...params: unknown[]) => db.one<T>(sql, ...params)
    const doneOf = async (id: number) =>
      (
        await one<{ n: number }>(
          "SELECT count(*) AS n FROM batch_items WHERE batch_id = ? AND state = 'done'",
          id,
        )
      ).n
    const runnersOf = async (id: number) =>
      (
        await one<{ n: number }>(
          'SELECT count(*) AS n FROM trade_leases WHERE trade_key >= ? AND trade_key < ? AND expires_at > ?',
          `batch:${id}:runner:`,
          `batch:${id}:runner;`,
          Date.now(),
        )
      ).n
    const fail = (what: string) => new Error(`${what}\n--- paysync sync --all:\n${a.output()}`)

    let batchId = 0
    while (!batchId || (await doneOf(batchId)) < n / 20) {
      if (aEnded) throw fail('process A ended before B joined')
      batchId = (await one<{ id: number | null }>('SELECT max(id) AS id FROM batches')).id ?? 0
      await tick(IDLE_POLL_MS / 2)
    }
    const aOwner = (
      await one<{ owner: string }>(
        "SELECT claimed_by AS owner FROM batch_items WHERE batch_id = ? AND state = 'done' LIMIT 1",
        batchId,
      )
    ).owner
    const b = paysync(['--db', books, 'batch', 'resume', String(batchId)], env)
    children.push(b)
    const spawnedAt = Date.now()
    // B's join: its registration as a runner of the batch (batch-peers.ts), seen beside A's.
    while ((await runnersOf(batchId)) < 2) {
      if (aEnded) throw fail('process A ended before B joined')
      await tick()
    }
    const joinedAt = Date.now()
    const doneAtJoin = await doneOf(batchId)
    const cpu = { a: processCpuMs(a.proc.pid), b: processCpuMs(b.proc.pid), sim: processCpuMs(sim.proc.pid) }
    const cpuAtJoin = { ...cpu }
    // The database server's processes, when it runs on this machine: its postmaster is the parent of
    // the bench's own backend, and keeps the time of the backends that ended.
    const postmaster = srv
      ? parentPid((await one<{ pid: number }>('SELECT pg_backend_pid() AS pid')).pid)
      : null
    const serverAtJoin = postmaster ? processTreeCpuMs(postmaster) : NaN
    const busyAtJoin = busySeconds()
    let sampled = joinedAt
    while (
      (await one<{ status: string }>('SELECT status FROM batches WHERE id = ?', batchId)).status !== 'done'
    ) {
      if (aEnded && b.proc.exitCode !== null) break
      // Each process's CPU time as last seen before it exits (its /proc entry goes with it).
      if (Date.now() - sampled >= 250) {
        sampled = Date.now()
        for (const [k, pid] of [
          ['a', a.proc.pid],
          ['b', b.proc.pid],
          ['sim', sim.proc.pid],
        ] as const) {
          const ms = processCpuMs(pid)
          if (Number.isFinite(ms)) cpu[k] = ms
        }
      }
      await tick(IDLE_POLL_MS)
    }
    const [aExit, bExit] = await Promise.all([a.exit, b.exit])
    const serverAtEnd = postmaster ? processTreeCpuMs(postmaster) : NaN
    const steal1 = stealSeconds()
    const busyAtEnd = busySeconds()
    const endedAt = Date.now()
    if (aExit !== 0 || bExit !== 0)
      throw new Error(
        `paysync exited ${aExit} (sync --all) and ${bExit} (batch resume)\n--- A:\n${a.output()}\n--- B:\n${b.output()}`,
      )

    const stats = (await sim.get('/_sim/stats')) as {
      maxConcurrent: number
      rateLimited: number
      busiestSecond: number
      requests: Record<string, number>
    }
    const queries = stats.requests['alipay.trade.query'] ?? 0
    const perTrade = await db.all<{ n: number }>(
      'SELECT count(*) AS n FROM sync_records WHERE batch_id = ? GROUP BY trade_id',
      batchId,
    )
    const once = perTrade.filter((r) => r.n === 1).length
    // A trade asked twice, or one never recorded, is a bug of the claims, not a slow figure.
    const notOnce = Math.max(Math.abs(queries - n), n - once)
    if (notOnce > 0) {
      process.stderr.write(
        `\n!!! BUG: batch shared by two processes: ${queries} gateway queries for ${n} trades, ` +
          `${once} trades with exactly one sync record of ${perTrade.length} recorded\n\n`,
      )
      process.exitCode = 1
    }
    const times = await one<{ first: number; last: number }>(
      'SELECT min(created_at) AS first, max(created_at) AS last FROM sync_records WHERE batch_id = ?',
      batchId,
    )
    const byB = await one<{ first: number | null; n: number }>(
      `SELECT min(r.created_at) AS first, count(*) AS n FROM batch_items i
         JOIN sync_records r ON r.id = i.sync_record_id
        WHERE i.batch_id = ? AND i.claimed_by <> ?`,
      batchId,
      aOwner,
    )
    const bFirst = byB.first ?? times.last
    // The end of the part where both call: the first of the two to run out of items to claim.
    const ranOut = (
      await one<{ at: number }>(
        `SELECT min(last) AS at FROM (SELECT max(r.created_at) AS last FROM batch_items i
         JOIN sync_records r ON r.id = i.sync_record_id WHERE i.batch_id = ? GROUP BY i.claimed_by) AS runs`,
        batchId,
      )
    ).at
    const bothCalling = (
      await one<{ n: number }>(
        'SELECT count(*) AS n FROM sync_records WHERE batch_id = ? AND created_at > ? AND created_at <= ?',
        batchId,
        bFirst,
        ranOut,
      )
    ).n
    const fromJoin = (times.last - joinedAt) / 1000
    // The records of each whole second after B's join, by runner (bench/shared-seconds.ts).
    const made = await db.all<{ at: number; byA: number }>(
      `SELECT r.created_at AS at, CASE WHEN i.claimed_by = ? THEN 1 ELSE 0 END AS "byA"
         FROM batch_items i JOIN sync_records r ON r.id = i.sync_record_id
        WHERE i.batch_id = ? AND r.created_at >= ?`,
      aOwner,
      batchId,
      joinedAt,
    )
    const secondOf = (at: number) => Math.floor((at - joinedAt) / 1000)
    const seconds: Second[] = []
    for (const { at, byA } of made) {
      const k = secondOf(Number(at))
      seconds[k] ??= { a: 0, b: 0 }
      if (Number(byA) === 1) seconds[k].a += 1
      else seconds[k].b += 1
    }
    for (let k = 0; k < seconds.length; k++) seconds[k] ??= { a: 0, b: 0 }
    const cores = (k: 'a' | 'b' | 'sim') => (cpu[k] - cpuAtJoin[k]) / 1000 / fromJoin

    const what = `${n} orders, L=${latencyMs} ms, C=${concurrency}, Q=${qps}`
    return [
      figure(
        `batch shared${t} by two processes: throughput of the two from B's join to the end (${what})`,
        (n - doneAtJoin) / fromJoin,
        'orders/s',
        qps,
        { atLeast: 0.95 },
      ),
      figure(
        `batch shared${t}: most calls in any one-second window at the simulator`,
        stats.busiestSecond,
        'calls',
        qps,
        { atMost: 1 },
      ),
      figure(
        `batch shared${t}: calls refused for going over the QPS limit (simulator)`,
        stats.rateLimited,
        'calls',
        null,
        {
          atMost: 0,
        },
      ),
      figure(
        `batch shared${t}: most calls in flight at the gateway (simulator)`,
        stats.maxConcurrent,
        'calls',
        concurrency,
        {
          atMost: 1,
        },
      ),
      figure(`batch shared${t}: trades not asked and recorded exactly once`, notOnce, 'trades', null, {
        atMost: 0,
      }),
      figure(`batch shared${t}: orders done by A before B's join`, doneAtJoin, 'orders', null, null),
      figure(
        `batch shared${t}: orders done by A after B's join`,
        n - doneAtJoin - byB.n,
        'orders',
        null,
        null,
      ),
      figure(`batch shared${t}: orders done by B`, byB.n, 'orders', null, null),
      figure(
        `batch shared${t}: B's start, from its spawn to its registration`,
        (joinedAt - spawnedAt) / 1000,
        's',
        null,
        null,
      ),
      figure(
        `batch shared${t}: B's warm-up, from its registration to its first record (A runs at half its limit)`,
        (bFirst - joinedAt) / 1000,
        's',
        null,
        null,
      ),
      figure(
        `batch shared${t}: throughput while both call, from B's first record to the first one's last`,
        bothCalling / Math.max(0.001, (ranOut - bFirst) / 1000),
        'orders/s',
        qps,
        null,
      ),
      ...secondsFigures(t, seconds, secondOf(bFirst), secondOf(ranOut), qps / 2, qps),
      figure(
        `batch shared${t}: the end, from the first of the two to run out of items to the last record (the other at half its limit)`,
        (times.last - ranOut) / 1000,
        's',
        null,
        null,
      ),
      figure(
        `batch shared${t}: CPU of A from B's join to the end (share of one core)`,
        cores('a'),
        'cores',
        null,
        null,
      ),
      figure(`batch shared${t}: CPU of B from its join to the end`, cores('b'), 'cores', null, null),
      figure(
        `batch shared${t}: CPU of the simulator from B's join to the end`,
        cores('sim'),
        'cores',
        null,
        null,
      ),
      ...(Number.isFinite(serverAtEnd - serverAtJoin)
        ? [
            figure(
              `batch shared${t}: CPU of the database server from B's join to the end (its every process)`,
              (serverAtEnd - serverAtJoin) / 1000 / ((endedAt - joinedAt) / 1000),
              'cores',
              null,
              null,
            ),
          ]
        : []),
      ...(busyAtJoin !== null && busyAtEnd !== null
        ? [
            figure(
              `batch shared${t}: the machine's CPU in use from B's join to the end, every process (of ${os.cpus().length} cores)`,
              (busyAtEnd - busyAtJoin) / ((endedAt - joinedAt) / 1000),
              'cores',
              os.cpus().length,
              null,
            ),
          ]
        : []),
      ...(steal0 !== null && steal1 !== null
        ? [
            figure(
              `batch shared${t}: CPU the host gave other guests meanwhile (steal; this machine's noise)`,
              (steal1 - steal0) / ((Date.now() - startedAt) / 1000),
              'cores',
              null,
              null,
            ),
          ]
        : []),
    ]
  } finally {
    await reader?.close()
    for (const c of children)
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM')
    await Promise.all(children.map((c) => c.exit))
    await sim.stop()
    if (srv) {
      await onServer(srv.url, `DROP DATABASE IF EXISTS ${name}`).catch(() => undefined)
      srv.stop()
    }
  }
}
