import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { createTeamBatch, runTeamBatch } from '../../src/main/services/team-batches'
import { checkTeamDatabase } from '../../src/main/services/team-db'
import { TeamDesk } from '../../src/main/services/team-desk'
import { storageFaultOf } from '../../src/main/store/faults'
import { say } from '../../src/shared/messages'
import { pgMissing, serverUrl } from '../helpers/pg'
import { insertPaidOrders, payRefsOf } from '../helpers/team-orders'
import { createWorld, tempDir, type World } from '../helpers/world'

// A team database that takes no more connections (SQLSTATE 53300: its max_connections, or a limit on
// the database or the role, docs/team-mode.md B8.9). Every desktop keeps a pool, so one desktop more can
// be one too many. That is a storage fault that passes as others close theirs: a batch ends paused with
// its own reason and sentence, records no error for the trades it could not reach, and resumes once
// there is room, nothing synced twice. Checked to fail before the fault had its name: the trades were
// recorded as "internal error: too many connections" and a process running a batch crashed.

const TEAM = 'Team-Pass for 2026!'

describe.skipIf(pgMissing())('a team database that takes no more connections', () => {
  let world: World
  let admin: pg.Client
  let url: string
  let desk: TeamDesk
  const role = `paysync_few_${process.pid}`
  const database = `paysync_test_few_${process.pid}_${Date.now().toString(36)}`
  const actor = { operator: 'amy', systemUser: 'amy', transport: 'cli' as const }
  const open = (dataDir: string, o: { writeRetryMs?: number } = {}) =>
    TeamDesk.open(url, { keys: { passphrase: TEAM }, actor, dataDir, ...o })
  const limitTo = (n: number) => admin.query(`ALTER ROLE ${role} CONNECTION LIMIT ${n}`)
  const connectionsOf = async () =>
    Number(
      (await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1', [role])).rows[0].n,
    )

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'ali', channel: 'alipay' }],
      context: { passphrase: TEAM },
    })
    admin = new pg.Client(serverUrl())
    await admin.connect()
    // A role of its own that owns the database: a superuser is never held to a connection limit.
    await admin.query(`CREATE ROLE ${role} LOGIN`)
    await admin.query(`CREATE DATABASE ${database} OWNER ${role}`)
    url = serverUrl({ user: role, database })
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    desk = await open(tempDir('paysync-few-'))
  })

  afterAll(async () => {
    await desk?.close()
    await world?.close()
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined)
    await admin?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined)
    await admin?.end()
  })

  it('names the fault: the same sentence on the command line, in the window and in a paused batch', () => {
    expect(storageFaultOf({ code: '53300' })).toBe('db_too_many_connections')
    expect(say('batch.paused.db_too_many_connections')).toContain('max_connections')
    expect(say('storage.db_too_many_connections', {}, 'zh-CN')).toContain('连接数已满')
  })

  it('a batch ends paused with the reason, records no error, and resumes once there is room', async () => {
    const nos = Array.from({ length: 40 }, (_, i) => `FEW-${String(i).padStart(3, '0')}`)
    await insertPaidOrders(world, desk.reads.pool, nos)
    const refs = await payRefsOf(desk.reads.pool, nos)
    const id = await createTeamBatch(desk, refs, { name: 'few', source: 'batch', concurrency: 16, qps: 400 })

    // Another desktop opens, and then the server takes none more: its batch needs a connection for each
    // of the calls it runs at once.
    const dataDir = tempDir('paysync-few-run-')
    const crowded = await open(dataDir, { writeRetryMs: 300 })
    let last
    try {
      // None at all: the run cannot start, says why in one sentence, and asks nothing.
      const open = await connectionsOf()
      await limitTo(open)
      await expect(runTeamBatch(crowded, id)).rejects.toThrow(say('storage.db_too_many_connections'))
      // 设置 → 团队数据库's check, and every command that opens the team database, say the same.
      expect(await checkTeamDatabase(url)).toMatchObject({
        ok: false,
        state: 'failed',
        id: 'storage.db_too_many_connections',
      })
      expect(world.sim.state.stats.requests['alipay.trade.query'] ?? 0).toBe(0)
      // Two more: it starts, and meets the limit as it takes up its calls.
      await limitTo(open + 2)
      last = await runTeamBatch(crowded, id, undefined, { heartbeatMs: 200, claimTtlMs: 3_000 })
    } finally {
      await crowded.close().catch(() => undefined)
    }
    expect(last).toMatchObject({ status: 'paused', pauseReason: 'db_too_many_connections' })
    expect(last.done).toBeLessThan(nos.length)
    const errors = await desk.reads.pool.query(
      "SELECT count(*)::int AS n FROM sync_records WHERE trade_no = ANY($1) AND outcome = 'error'",
      [nos],
    )
    expect(errors.rows[0].n).toBe(0)

    // Room again: what it kept is written at its opening, then the batch runs to its end.
    await limitTo(-1)
    const back = await open(dataDir)
    try {
      expect((await runTeamBatch(back, id)).status).toBe('done')
    } finally {
      await back.close()
    }
    // Each trade repaired once. An attempt the limit stopped before it asked is written as skipped with
    // the reason, as any attempt a storage fault stops before its call (engine/sync/lease.ts).
    const recs = await desk.reads.pool.query(
      `SELECT trade_no, outcome, error_code FROM sync_records WHERE trade_no = ANY($1) ORDER BY id`,
      [nos],
    )
    const repaired = recs.rows.filter((r) => r.outcome === 'repaired').map((r) => r.trade_no)
    expect(repaired.sort()).toEqual(nos)
    for (const r of recs.rows.filter((r) => r.outcome !== 'repaired'))
      expect(r).toMatchObject({ outcome: 'skipped', error_code: 'storage' })
    const repairs = await desk.reads.pool.query(
      'SELECT count(*)::int AS n FROM repair_records WHERE trade_no = ANY($1)',
      [nos],
    )
    expect(repairs.rows[0].n).toBe(nos.length)
  })
})
