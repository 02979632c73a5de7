import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatch } from '../../src/main/services/index'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamHost } from '../../src/main/services/team-host'
import { dispatchTeam } from '../../src/main/services/team-operations'
import type { ReconcileRun } from '../../src/shared/statements'
import { formatBeijing } from '../../src/shared/time'
import { bj } from '../helpers/statements'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// A bill downloaded from the gateway on a team database (docs/team-mode.md B8.19): the same runs as on
// the desktop's file (a verified bill, a day without a bill, a bill not out yet), a downloaded day run
// again from the bill this desktop kept or downloaded again by a desktop without it, and the daily
// reconciliation run by the schedules' leader of the team, not while the team key is locked.

const TEAM = 'Team-Pass for 2026!'
const DAY_MS = 86_400_000
/** Beijing days some way back: their bills are out at the simulator whatever the hour. */
const daysAgo = (n: number) => formatBeijing(Date.now() - n * DAY_MS).slice(0, 10)
const D = daysAgo(4)
const EMPTY = daysAgo(5)
const NOT_READY = daysAgo(6)
const LOCKED = daysAgo(7)
const Y = daysAgo(1)

/** The books of both stores: trades of each day, as the gateway and the desktop know them. */
function makeBooks(w: World): void {
  // Paid since (local_not_success, repaired by the run's sync), matched, and 35.80 here, 35.00 there.
  w.payOrder({ merchant: 'wx', orderNo: 'DL1', amount: 990, status: 'progress' })
  w.gatewayOrder({
    merchant: 'wx',
    orderNo: 'DL1',
    amount: 990,
    state: 'SUCCESS',
    paidAt: bj(`${D} 12:00:00`),
  })
  w.payOrder({ merchant: 'wx', orderNo: 'DL2', amount: 1000, status: 'success', paidAt: bj(`${D} 10:00:00`) })
  w.gatewayOrder({
    merchant: 'wx',
    orderNo: 'DL2',
    amount: 1000,
    state: 'SUCCESS',
    paidAt: bj(`${D} 10:00:00`),
  })
  w.payOrder({ merchant: 'wx', orderNo: 'DL3', amount: 3580, status: 'success', paidAt: bj(`${D} 11:00:00`) })
  w.gatewayOrder({
    merchant: 'wx',
    orderNo: 'DL3',
    amount: 3500,
    state: 'SUCCESS',
    paidAt: bj(`${D} 11:00:00`),
  })
  // No bill that day (NO_STATEMENT_EXIST): the local success is local_only.
  w.payOrder({
    merchant: 'wx',
    orderNo: 'EM1',
    amount: 1200,
    status: 'success',
    paidAt: bj(`${EMPTY} 12:00:00`),
  })
  // Yesterday, for the daily run: paid at the gateway, still in progress here.
  w.payOrder({ merchant: 'wx', orderNo: 'YD1', amount: 700, status: 'progress' })
  w.gatewayOrder({
    merchant: 'wx',
    orderNo: 'YD1',
    amount: 700,
    state: 'SUCCESS',
    paidAt: bj(`${Y} 09:00:00`),
  })
  // Yesterday's bill out already, whatever the hour the test runs at.
  w.sim.state.putStatementDay('wx', Y, { lines: [], synthetic: null, readyAt: Date.now() - 60_000 })
}

/** A row's values as both stores give them: SQLite's 0/1 and PostgreSQL's booleans, numbers as numbers. */
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' || typeof v === 'bigint' ? Number(v) : v]),
  )

/** What a run leaves of a day, without ids and times. */
const DAY_ROWS = {
  statement: `SELECT status, result, source, verified, gateway_hash, file_sha256, file_bytes, file_name, lines_run,
      run_count, open_diffs, integrity, error_code, error_msg, error_zh, summary FROM statements WHERE bill_date = ?`,
  diffs: `SELECT d.kind, d.trade_key, d.action, d.status, d.resolved_by FROM statement_diffs d
      JOIN statements s ON s.id = d.statement_id WHERE s.bill_date = ? ORDER BY d.kind, d.trade_key`,
  lines: `SELECT l.run, count(*) AS n FROM statement_lines l JOIN statements s ON s.id = l.statement_id
      WHERE s.bill_date = ? GROUP BY l.run ORDER BY l.run`,
  // The transport is each side's own: the command line's on the file, the page's on the team database.
  batches: `SELECT name, source, status, total, operator FROM batches WHERE name LIKE '%' || ? ORDER BY id`,
  records: `SELECT trade_no, outcome, source, operator FROM sync_records WHERE ? <> '' ORDER BY trade_no, id`,
  anomalies: `SELECT kind, status FROM anomalies WHERE ? <> '' ORDER BY kind, id`,
  audit: `SELECT operator, action FROM audit_log WHERE action LIKE 'statement%' AND ? <> '' ORDER BY id`,
}

/** A run's JSON without what each store times its own way. */
const runOf = (r: ReconcileRun) => ({ ...r, durationMs: 0 })

describe.skipIf(pgMissing())('a bill downloaded on a team database', () => {
  let world: World
  let url: string
  let amy: TeamHost
  let bob: TeamHost
  const hosts: TeamHost[] = []
  const open = async (operator: string, passphrase: string | undefined, schedules = false, at = url) => {
    const dataDir = tempDir(`paysync-team-${operator}-`)
    const desk = await TeamDesk.open(at, {
      keys: { passphrase },
      actor: { operator, systemUser: operator, transport: 'http' },
      dataDir,
    })
    const host = new TeamHost(desk, dataDir, { transport: 'http', schedules })
    hosts.push(host)
    return host
  }
  const teamRows = async (host: TeamHost, sql: string, day: string) => {
    let n = 0
    const numbered = sql.replace(/\?/g, () => `$${++n}`)
    return (await host.desk.reads.pool.query(numbered, [day])).rows.map(plain)
  }
  const fileRows = (sql: string, day: string) =>
    (world.ctx.db.prepare(sql).all(day) as Array<Record<string, unknown>>).map(plain)
  const fileDownload = (date: string) =>
    dispatch(world.ctx, 'statements.reconcile', { merchant: 'wx', date, dryRun: false, waitForSyncs: true })
  const teamDownload = (host: TeamHost, date: string) =>
    dispatchTeam(host, 'statements.reconcile', { merchant: 'wx', date, dryRun: false })
  const sameDay = async (day: string, what: Array<keyof typeof DAY_ROWS>) => {
    for (const key of what)
      expect(await teamRows(amy, DAY_ROWS[key], day), `${key} of ${day}`).toEqual(
        fileRows(DAY_ROWS[key], day),
      )
  }

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'wx', channel: 'wechat' }],
      context: { passphrase: TEAM, operator: 'amy' },
    })
    makeBooks(world)
    url = await freshDatabase('paysync_download')
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    amy = await open('amy', TEAM)
    bob = await open('bob', TEAM)
  })

  afterAll(async () => {
    for (const h of hosts) await h.close().catch(() => undefined)
    await world?.close()
  })

  it('a verified bill downloaded: the same run, statement, differences, syncs and anomalies as on the file', async () => {
    const onFile = await fileDownload(D)
    const onTeam = await teamDownload(amy, D)
    expect(runOf(onTeam)).toEqual(runOf(onFile))
    expect(onTeam).toMatchObject({
      source: 'download',
      verified: true,
      status: 'matched',
      result: 'unbalanced',
      diffs: { local_not_success: 1, amount_mismatch: 1 },
      actions: { syncQueued: 1, syncErrors: 0 },
    })
    await sameDay(D, ['statement', 'diffs', 'lines', 'batches', 'records', 'anomalies', 'audit'])
    const batches = await amy.desk.reads.pool.query(
      'SELECT name, source, status, total, operator, transport FROM batches',
    )
    expect(batches.rows.map(plain)).toEqual([
      {
        name: `对账 wx ${D}`,
        source: 'reconcile',
        status: 'done',
        total: 1,
        operator: 'amy',
        transport: 'http',
      },
    ])
    // The bill kept on this desktop, in its data folder, where the statement names it.
    const kept = (
      await amy.desk.reads.pool.query('SELECT file_path FROM statements WHERE bill_date = $1', [D])
    ).rows[0].file_path as string
    expect(kept.startsWith(path.join(amy.desk.dataDir, 'statements', 'wx', D))).toBe(true)
    expect(fs.existsSync(kept)).toBe(true)
  })

  it('a day without a bill, and a bill not out yet: written as on the file, in the same sentences', async () => {
    const onFile = await fileDownload(EMPTY)
    const onTeam = await teamDownload(amy, EMPTY)
    expect(runOf(onTeam)).toEqual(runOf(onFile))
    expect(onTeam).toMatchObject({
      status: 'empty',
      errorCode: 'STATEMENT_EMPTY',
      lines: { total: 0 },
      diffs: { local_only: 1 },
    })
    await sameDay(EMPTY, ['statement', 'diffs', 'lines'])

    world.sim.state.faults = { ...world.sim.state.faults, faultRate: 1, faults: ['bill_not_ready'] }
    try {
      const notReadyFile = await fileDownload(NOT_READY)
      const notReadyTeam = await teamDownload(amy, NOT_READY)
      expect(runOf(notReadyTeam)).toEqual(runOf(notReadyFile))
      expect(notReadyTeam).toMatchObject({
        status: 'not_ready',
        errorCode: 'STATEMENT_NOT_READY',
        result: null,
      })
      await sameDay(NOT_READY, ['statement', 'lines'])
    } finally {
      world.sim.state.faults = { ...world.sim.state.faults, faultRate: 0, faults: [] }
    }
  })

  it('with the team key locked: said in one sentence, no statement written', async () => {
    const locked = await open('kim', undefined)
    await expect(teamDownload(locked, LOCKED)).rejects.toMatchObject({ code: 'secrets_locked' })
    await expect(
      dispatchTeam(locked, 'statements.reconcile', { merchant: 'wx', date: LOCKED, dryRun: true }),
    ).rejects.toMatchObject({ code: 'secrets_locked' })
    expect(await teamRows(amy, DAY_ROWS.statement, LOCKED)).toEqual([])
  })

  it('run again: from the bill this desktop kept, else the team database kept, else downloaded again', async () => {
    const pool = amy.desk.reads.pool
    const id = Number((await pool.query('SELECT id FROM statements WHERE bill_date = $1', [D])).rows[0].id)
    const fileId = (
      world.ctx.db.prepare('SELECT id FROM statements WHERE bill_date = ?').get(D) as { id: number }
    ).id
    const asked = () => world.sim.state.stats.billRequests
    const before = asked()
    const onFile = await dispatch(world.ctx, 'statements.rerun', {
      id: fileId,
      dryRun: false,
      waitForSyncs: true,
    })
    expect(asked()).toBe(before)
    const again = await dispatchTeam(amy, 'statements.rerun', { id })
    // The kept bytes read where they are: the gateway not asked.
    expect(asked()).toBe(before)
    expect(runOf(again)).toEqual(runOf(onFile))
    await sameDay(D, ['statement', 'diffs', 'lines'])

    // Bob's desktop has no copy of amy's bill: it reads the bytes the team database kept (B8.21),
    // written into its own data folder, and the gateway is not asked.
    const kept = (await pool.query('SELECT file_path FROM statements WHERE id = $1', [id])).rows[0].file_path
    fs.renameSync(kept, `${kept}.away`)
    try {
      const byBob = await dispatchTeam(bob, 'statements.rerun', { id })
      expect(asked()).toBe(before)
      expect(runOf(byBob)).toEqual(runOf(again))
      const bobs = (await pool.query('SELECT file_path FROM statements WHERE id = $1', [id])).rows[0]
      expect((bobs.file_path as string).startsWith(bob.desk.dataDir)).toBe(true)
      expect(fs.readFileSync(bobs.file_path).equals(fs.readFileSync(`${kept}.away`))).toBe(true)

      // A statement reconciled before the team database kept bills, on a desktop without the copy:
      // the day is downloaded again into its own data folder.
      await pool.query('DELETE FROM statement_files WHERE statement_id = $1', [id])
      fs.renameSync(bobs.file_path, `${bobs.file_path}.away`)
      const again2 = await dispatchTeam(bob, 'statements.rerun', { id })
      expect(asked()).toBeGreaterThan(before)
      expect(runOf(again2)).toEqual(runOf(again))
    } finally {
      fs.renameSync(`${kept}.away`, kept)
    }
    const row = (
      await pool.query('SELECT file_path, run_count, source, verified FROM statements WHERE id = $1', [id])
    ).rows[0]
    expect(row).toMatchObject({ run_count: 4, source: 'download', verified: 1 })
    expect((row.file_path as string).startsWith(bob.desk.dataDir)).toBe(true)
    // The downloaded bill kept in the team database again, with the run that read it.
    const bill = await pool.query('SELECT sha256 FROM statement_files WHERE statement_id = $1', [id])
    expect(bill.rows).toEqual([{ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }])
    const audit = await pool.query(`SELECT operator, action FROM audit_log WHERE target = $1 ORDER BY id`, [
      `statement:${id}`,
    ])
    expect(audit.rows).toEqual([
      { operator: 'amy', action: 'statement_rerun' },
      { operator: 'bob', action: 'statement_rerun' },
      { operator: 'bob', action: 'statement_rerun' },
    ])
  })
})

describe.skipIf(pgMissing())('the daily reconciliation on a team database', () => {
  let world: World
  const hosts: TeamHost[] = []
  const open = async (url: string, operator: string, passphrase: string | undefined) => {
    const dataDir = tempDir(`paysync-team-${operator}-`)
    const desk = await TeamDesk.open(url, {
      keys: { passphrase },
      actor: { operator, systemUser: operator, transport: 'http' },
      dataDir,
    })
    const host = new TeamHost(desk, dataDir, { transport: 'http', schedules: true })
    hosts.push(host)
    return host
  }
  /** A team database copied from the desktop's books, nothing reconciled yet. */
  const teamBooks = async (name: string) => {
    const url = await freshDatabase(name)
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    return url
  }
  /**
   * The team's settings: the daily run due at once, a tick every 10 s (the least); the ladder's passes
   * off, so that what syncs yesterday's trade is the reconciliation's batch alone.
   */
  const dailyNow = { scheduleTickSec: 10, schedulesEnabled: false, autoReconcileTime: '00:00' }
  const yesterday = async (host: TeamHost) =>
    (
      await host.desk.reads.pool.query(
        'SELECT status, result, run_count, source, verified, sync_batch_id FROM statements WHERE bill_date = $1',
        [Y],
      )
    ).rows.map(plain)
  /** Its syncs ended, written back, and the day's lease let go. */
  const settled = async (host: TeamHost) => {
    const pool = host.desk.reads.pool
    await expect
      .poll(
        async () =>
          (
            await pool.query(
              `SELECT d.status FROM statement_diffs d JOIN statements s ON s.id = d.statement_id
               WHERE s.bill_date = $1 AND d.kind = 'local_not_success'`,
              [Y],
            )
          ).rows[0]?.status,
        { timeout: 20_000 },
      )
      .toBe('resolved')
    await expect
      .poll(async () => Number((await pool.query('SELECT count(*) AS n FROM trade_leases')).rows[0].n), {
        timeout: 20_000,
      })
      .toBe(0)
  }
  const byTheDay = async (host: TeamHost) => {
    const pool = host.desk.reads.pool
    const batches = await pool.query(
      `SELECT name, source, status, operator, transport FROM batches WHERE name LIKE '%' || $1 ORDER BY id`,
      [Y],
    )
    const records = await pool.query(
      `SELECT trade_no, outcome, source, operator FROM sync_records WHERE trade_no = 'YD1' ORDER BY id`,
    )
    return { batches: batches.rows, records: records.rows }
  }

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'wx', channel: 'wechat' }],
      context: { passphrase: TEAM, operator: 'amy' },
    })
    makeBooks(world)
  })

  afterAll(async () => {
    for (const h of hosts) await h.close().catch(() => undefined)
    await world?.close()
  })

  it('not while the team key is locked; at the next tick once it is unlocked', async () => {
    const url = await teamBooks('paysync_daily_key')
    const kim = await open(url, 'kim', undefined)
    await dispatchTeam(kim, 'settings.set', dailyNow)
    // Past its first tick (5 s): nothing asked of the gateway, no statement.
    const asked = world.sim.state.stats.billRequests
    await new Promise((r) => setTimeout(r, 7_000))
    expect(await yesterday(kim)).toEqual([])
    expect(world.sim.state.stats.billRequests).toBe(asked)
    // Unlocked in the window: the day is due at once, not 30 minutes after a try that never was.
    await dispatchTeam(kim, 'keys.unlock', { passphrase: TEAM })
    await expect.poll(async () => (await yesterday(kim))[0]?.status, { timeout: 20_000 }).toBe('matched')
    await settled(kim)
    expect(await yesterday(kim)).toEqual([
      expect.objectContaining({ result: 'balanced', run_count: 1, source: 'download', verified: 1 }),
    ])
    expect(await byTheDay(kim)).toEqual({
      batches: [
        { name: `对账 wx ${Y}`, source: 'reconcile', status: 'done', operator: 'kim', transport: 'schedule' },
      ],
      records: [{ trade_no: 'YD1', outcome: 'repaired', source: 'reconcile', operator: 'kim' }],
    })
  }, 60_000)

  it('two desktops on one team database: the one that leads reconciles yesterday, once', async () => {
    const url = await teamBooks('paysync_daily_lead')
    const amy = await open(url, 'amy', TEAM)
    // Off until amy leads, so that the first run is at a tick of bob's, who does not lead.
    await dispatchTeam(amy, 'settings.set', { ...dailyNow, autoReconcileEnabled: false })
    await expect.poll(() => amy.scheduleLead?.state()?.self, { timeout: 20_000 }).toBe(true)
    await dispatchTeam(amy, 'settings.set', { autoReconcileEnabled: true })
    // Bob's first tick is 5 s from now, amy's next about 10 s from her first.
    const bob = await open(url, 'bob', TEAM)
    await expect.poll(async () => (await yesterday(amy))[0]?.status, { timeout: 30_000 }).toBe('matched')
    await settled(amy)
    expect(bob.scheduleLead?.state()).toMatchObject({ self: false })
    expect(await yesterday(bob)).toEqual([expect.objectContaining({ result: 'balanced', run_count: 1 })])
    expect(await byTheDay(bob)).toEqual({
      batches: [
        { name: `对账 wx ${Y}`, source: 'reconcile', status: 'done', operator: 'amy', transport: 'schedule' },
      ],
      records: [{ trade_no: 'YD1', outcome: 'repaired', source: 'reconcile', operator: 'amy' }],
    })
    // Another tick of each later, the day stays reconciled once.
    await new Promise((r) => setTimeout(r, 11_000))
    expect(await yesterday(bob)).toEqual([expect.objectContaining({ run_count: 1 })])
  }, 90_000)
})
