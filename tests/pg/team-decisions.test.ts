import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { alipayBillZip, type AlipayBillRow } from '../../src/main/gateways/simulator/bills/alipay'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatch } from '../../src/main/services/index'
import { reconcileOnTeam } from '../../src/main/services/statements/team-run'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamHost } from '../../src/main/services/team-host'
import { dispatchTeam } from '../../src/main/services/team-operations'
import type { StatementDiffView, StatementProgressEvent } from '../../src/shared/statements'
import { ALIPAY_PID } from '../helpers/reconcile'
import { bj } from '../helpers/statements'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// A person's decisions on a statement's differences on a team database (docs/team-mode.md B8.16):
// dismissed and resynced through `dispatchTeam` as the window calls them, with the same outcome as on a
// desktop's file; two desktops dismissing one difference at once (one wins, the other is told), and
// two resyncing one day at once (the second told STATEMENT_BUSY, each trade synced once).

const TEAM = 'Team-Pass for 2026!'
const D = '2026-10-03'
const D2 = '2026-10-04'

/** The books of both stores: a day with a difference of each kind a person decides or a sync settles. */
function makeBooks(w: World): void {
  for (let i = 0; i < 5; i++)
    w.payOrder({
      merchant: 'ali',
      orderNo: `PS${i}`,
      amount: 100 + i,
      status: 'success',
      paidAt: bj(`${D} 10:00:00`) + i * 1000,
    })
  // Paid since: a resync repairs it (local_not_success).
  w.payOrder({ merchant: 'ali', orderNo: 'PN1', amount: 990, status: 'progress' })
  w.gatewayOrder({
    merchant: 'ali',
    orderNo: 'PN1',
    amount: 990,
    state: 'TRADE_SUCCESS',
    paidAt: bj(`${D} 11:30:00`),
  })
  // The bill says 35.00 (amount_mismatch), and a line of a trade the books lack (gateway_only).
  w.payOrder({
    merchant: 'ali',
    orderNo: 'PM1',
    amount: 3580,
    status: 'success',
    paidAt: bj(`${D} 11:00:00`),
  })
  // The day two desktops resync at once.
  w.payOrder({ merchant: 'ali', orderNo: 'PB1', amount: 500, status: 'progress' })
  w.gatewayOrder({
    merchant: 'ali',
    orderNo: 'PB1',
    amount: 500,
    state: 'TRADE_SUCCESS',
    paidAt: bj(`${D2} 09:00:00`),
  })
}

function bill(dir: string, date: string): string {
  const rows: AlipayBillRow[] =
    date === D
      ? [
          ...Array.from({ length: 5 }, (_, i) => ({
            kind: 'pay' as const,
            orderNo: `PS${i}`,
            amount: 100 + i,
            time: bj(`${D} 10:00:00`) + i * 1000,
          })),
          { kind: 'pay', orderNo: 'PN1', amount: 990, time: bj(`${D} 11:30:00`) },
          { kind: 'pay', orderNo: 'PM1', amount: 3500, time: bj(`${D} 11:00:00`) },
          { kind: 'pay', orderNo: 'PX1', amount: 700, time: bj(`${D} 11:40:00`) },
          { kind: 'pay', orderNo: 'PX2', amount: 800, time: bj(`${D} 11:50:00`) },
        ]
      : [{ kind: 'pay', orderNo: 'PB1', amount: 500, time: bj(`${D2} 09:00:00`) }]
  const zip = alipayBillZip({ pid: ALIPAY_PID, date, exportedAt: bj(`${date} 23:59:59`), rows })
  const file = path.join(dir, `${date}-${zip.name}`)
  fs.writeFileSync(file, zip.zip)
  return file
}

/** A row's values as both stores give them: SQLite's 0/1 and PostgreSQL's booleans, numbers as numbers. */
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' || typeof v === 'bigint' ? Number(v) : v]),
  )

/** A difference as the window shows it, without what each store numbers or times its own way. */
const shown = ({
  id: _i,
  statementId: _s,
  createdAt: _c,
  updatedAt: _u,
  syncRecordId,
  ...v
}: StatementDiffView) => ({
  ...v,
  synced: syncRecordId !== null,
})

/** What the decisions leave, without ids and times. */
const DECIDED = {
  statement_diffs: `SELECT s.bill_date, d.kind, d.trade_key, d.action, d.status, d.resolved_by, d.remark,
      d.sync_attempts, d.sync_record_id IS NOT NULL AS synced, d.sync_batch_id IS NOT NULL AS batched
    FROM statement_diffs d JOIN statements s ON s.id = d.statement_id ORDER BY s.bill_date, d.kind, d.trade_key`,
  statements: `SELECT bill_date, status, result, open_diffs, summary FROM statements ORDER BY bill_date`,
  audit: `SELECT operator, action, detail FROM audit_log WHERE action = 'statement_diff_dismissed' ORDER BY id`,
  sync_records: `SELECT trade_no, outcome, gateway_status, source FROM sync_records ORDER BY trade_no, id`,
  pay_orders: 'SELECT order_no, status FROM pay_orders ORDER BY order_no',
  batches: 'SELECT name, source, status, total FROM batches ORDER BY id',
  trade_leases: 'SELECT count(*) AS n FROM trade_leases',
}

describe.skipIf(pgMissing())('a statement\u2019s differences decided on a team database', () => {
  let here: World
  let there: World
  let url: string
  let amy: TeamHost
  let bob: TeamHost
  const dir = tempDir()
  const desk = (operator: string) =>
    TeamDesk.open(url, {
      keys: { passphrase: TEAM },
      actor: { operator, systemUser: operator, transport: 'http' },
      dataDir: tempDir('paysync-team-data-'),
    })
  const teamRows = async (sql: string) => (await amy.desk.reads.pool.query(sql)).rows.map(plain)
  const fileRows = (sql: string) =>
    (here.ctx.db.prepare(sql).all() as Array<Record<string, unknown>>).map(plain)
  const diffOf = async (orderNo: string) =>
    Number(
      (await amy.desk.reads.pool.query('SELECT id FROM statement_diffs WHERE order_no = $1', [orderNo]))
        .rows[0].id,
    )
  const fileDiffOf = (orderNo: string) =>
    (here.ctx.db.prepare('SELECT id FROM statement_diffs WHERE order_no = ?').get(orderNo) as { id: number })
      .id

  beforeAll(async () => {
    const merchants = [{ name: 'ali', channel: 'alipay' as const }]
    here = await createWorld({ merchants, context: { passphrase: TEAM, operator: 'amy' } })
    there = await createWorld({ merchants, context: { passphrase: TEAM } })
    makeBooks(here)
    makeBooks(there)
    // The team database is a copy of `there`, whose simulator answers it.
    url = await freshDatabase()
    expect((await copyDatabase(there.dbFile, url)).outcome).toBe('copied')
    amy = new TeamHost(await desk('amy'), tempDir())
    bob = new TeamHost(await desk('bob'), tempDir())
    // Both days reconciled without syncs: every difference open, none acted on yet.
    for (const date of [D, D2]) {
      const file = bill(dir, date)
      await dispatch(here.ctx, 'statements.reconcile', {
        merchant: 'ali',
        date,
        file: here.ctx.handles.namedToRead(file).file,
        dryRun: true,
        waitForSyncs: true,
      })
      await reconcileOnTeam(amy.desk, { merchant: 'ali', date, file, dryRun: true })
    }
  })

  afterAll(async () => {
    await amy?.close()
    await bob?.close()
    await here?.close()
    await there?.close()
  })

  it('dismissed and resynced: the same differences, summary, audit, syncs and trades as on the file', async () => {
    const remark = '客户已线下补款 / settled offline'
    const ids = async (...nos: string[]) => Promise.all(nos.map(diffOf))
    const openDiffs = async () =>
      Number(
        (await amy.desk.reads.pool.query('SELECT open_diffs FROM statements WHERE bill_date = $1', [D]))
          .rows[0].open_diffs,
      )
    const before = await openDiffs()
    const onFile = await dispatch(here.ctx, 'statements.dismissDiffs', {
      ids: ['PM1', 'PX1'].map(fileDiffOf),
      remark,
    })
    const onTeam = await dispatchTeam(amy, 'statements.dismissDiffs', {
      ids: await ids('PM1', 'PX1'),
      remark,
    })
    expect(onTeam.changed).toBe(2)
    expect(onTeam.items.map(shown)).toEqual(onFile.items.map(shown))
    expect(onTeam.items.map((d) => [d.status, d.resolvedBy, d.remark])).toEqual([
      ['dismissed', 'amy', remark],
      ['dismissed', 'amy', remark],
    ])

    // The summary recomputed in the same transaction: two fewer open differences.
    expect(await openDiffs()).toBe(before - 2)

    // Dismissed once is closed: refused as on the file, nothing written.
    const again = { ids: await ids('PM1'), remark: 'twice' }
    await expect(dispatchTeam(amy, 'statements.dismissDiffs', again)).rejects.toMatchObject({
      id: 'statement.diffClosed',
      params: { status: 'dismissed' },
    })

    // A resync: one batch of the named trades, run in this desktop's background, its outcome written
    // on the difference before the statement's lease is let go.
    // Its progress told as the statement's `sync` phase on both stores, for the reconcile dialog.
    const syncPhase = (events: StatementProgressEvent[]) =>
      events
        .filter((e) => e.phase === 'sync')
        .map(({ done, total }) => `${done}/${total}`)
        // A run's last count may be told twice (its end, then its final tally): counted once here.
        .filter((told, i, all) => told !== all[i - 1])
    const fileTold: StatementProgressEvent[] = []
    const teamTold: StatementProgressEvent[] = []
    const offFile = here.ctx.on('statement.progress', (e) => fileTold.push(e))
    const offTeam = amy.on('statement.progress', (e) => teamTold.push(e))
    const fileResync = await dispatch(here.ctx, 'statements.resyncDiffs', { ids: [fileDiffOf('PN1')] })
    const teamResync = await dispatchTeam(amy, 'statements.resyncDiffs', { ids: await ids('PN1') })
    expect(teamResync.changed).toBe(1)
    expect(teamResync.items.map(shown)).toEqual(fileResync.items.map(shown))
    expect(teamResync.items[0]).toMatchObject({ action: 'sync_queued', status: 'open' })
    await amy.runs.get(teamResync.syncBatchId!)?.done
    await vi.waitFor(() => expect(fileRows(DECIDED.trade_leases)).toEqual([{ n: 0 }]), { timeout: 20_000 })
    await vi.waitFor(() => expect(syncPhase(fileTold)).toContain('1/1'))
    offFile()
    offTeam()
    expect(syncPhase(teamTold)).toEqual(syncPhase(fileTold))
    expect(new Set(teamTold.map((e) => e.statementId))).toEqual(
      new Set([
        (await amy.desk.reads.pool.query('SELECT id FROM statements WHERE bill_date = $1', [D])).rows[0].id,
      ]),
    )

    for (const [table, sql] of Object.entries(DECIDED))
      expect(await teamRows(sql), table).toEqual(fileRows(sql))
    expect(await teamRows(DECIDED.statement_diffs)).toContainEqual(
      expect.objectContaining({ kind: 'local_not_success', action: 'sync_done', status: 'resolved' }),
    )
    expect(await teamRows(DECIDED.pay_orders)).toContainEqual({ order_no: 'PN1', status: 'success' })
  })

  it('two desktops dismiss one difference at once: one wins, the other is told it is closed', async () => {
    const pool = amy.desk.reads.pool
    const id = await diffOf('PX2')
    // Another session holds the row, so both desktops are inside their transactions before either decides.
    const holder = await pool.connect()
    let results: PromiseSettledResult<unknown>[]
    try {
      await holder.query('BEGIN')
      await holder.query('SELECT id FROM statement_diffs WHERE id = $1 FOR UPDATE', [id])
      const decided = [amy, bob].map((host) =>
        dispatchTeam(host, 'statements.dismissDiffs', {
          ids: [id],
          remark: `${host.desk.actor.operator} saw it`,
        }),
      )
      await vi.waitFor(
        async () => {
          const waiting = await pool.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
          expect(waiting.rows[0].n).toBe(2)
        },
        { timeout: 20_000 },
      )
      await holder.query('ROLLBACK')
      results = await Promise.allSettled(decided)
    } finally {
      holder.release()
    }
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(1)
    expect(lost[0]!.reason).toMatchObject({ id: 'statement.diffClosed', params: { id, status: 'dismissed' } })
    const row = await pool.query('SELECT status, resolved_by, remark FROM statement_diffs WHERE id = $1', [
      id,
    ])
    const winner = row.rows[0].resolved_by as string
    expect(row.rows[0]).toEqual({ status: 'dismissed', resolved_by: winner, remark: `${winner} saw it` })
    const audited = await pool.query('SELECT operator FROM audit_log WHERE target = $1', [
      `statement_diff:${id}`,
    ])
    expect(audited.rows).toEqual([{ operator: winner }])
  })

  it('two desktops resync one day at once: the second told STATEMENT_BUSY, the trade synced once', async () => {
    const id = await diffOf('PB1')
    const hold = there.sim.state.hold('PB1')
    const first = await dispatchTeam(amy, 'statements.resyncDiffs', { ids: [id] })
    expect(first.changed).toBe(1)
    // The first's sync is held at the gateway, its batch running: the day is amy's until it ends.
    await expect(dispatchTeam(bob, 'statements.resyncDiffs', { ids: [id] })).rejects.toMatchObject({
      code: 'busy',
      id: 'statement.busy',
      params: { date: D2, host: os.hostname(), pid: String(process.pid) },
    })
    hold.release()
    await amy.runs.get(first.syncBatchId!)?.done
    expect(await teamRows(DECIDED.trade_leases)).toEqual([{ n: 0 }])
    const pool = amy.desk.reads.pool
    const records = await pool.query("SELECT outcome FROM sync_records WHERE trade_no = 'PB1'")
    expect(records.rows).toEqual([{ outcome: 'repaired' }])
    const batches = await pool.query("SELECT id FROM batches WHERE name LIKE '对账重新同步%' ORDER BY id")
    expect(batches.rows.map((r) => Number(r.id))).toEqual([expect.any(Number), first.syncBatchId])
    const d = await pool.query(
      'SELECT action, status, resolved_by, sync_batch_id FROM statement_diffs WHERE id = $1',
      [id],
    )
    expect(plain(d.rows[0])).toEqual({
      action: 'sync_done',
      status: 'resolved',
      resolved_by: 'sync',
      sync_batch_id: first.syncBatchId,
    })
  })

  it('a day run again from the bill file this desktop kept: the same run and rows as on the file', async () => {
    // The file's day brought where the team's is: its difference resynced there too.
    await dispatch(here.ctx, 'statements.resyncDiffs', { ids: [fileDiffOf('PB1')] })
    await vi.waitFor(() => expect(fileRows(DECIDED.trade_leases)).toEqual([{ n: 0 }]), { timeout: 20_000 })
    const pool = amy.desk.reads.pool
    const day = 'SELECT id FROM statements WHERE bill_date = ?'
    const fileId = (here.ctx.db.prepare(day).get(D2) as { id: number }).id
    const teamId = Number((await pool.query(day.replace('?', '$1'), [D2])).rows[0].id)
    const onFile = await dispatch(here.ctx, 'statements.rerun', {
      id: fileId,
      dryRun: false,
      waitForSyncs: true,
    })
    const onTeam = await dispatchTeam(amy, 'statements.rerun', { id: teamId })
    expect({ ...onTeam, durationMs: 0 }).toEqual({ ...onFile, durationMs: 0 })
    const RERUN = {
      statement: `SELECT status, result, source, verified, file_sha256, file_bytes, lines_run, run_count, open_diffs,
          summary FROM statements WHERE id = ?`,
      diffs:
        'SELECT kind, trade_key, action, status, resolved_by, seen_run FROM statement_diffs WHERE statement_id = ?',
      lines:
        'SELECT run, count(*) AS n FROM statement_lines WHERE statement_id = ? GROUP BY run ORDER BY run',
      // The kept bill read where it is: no second upload of it, one re-run.
      audit: `SELECT operator, action FROM audit_log WHERE target = ? ORDER BY id`,
    }
    const key = (what: string, id: number) => (what === 'audit' ? `statement:${id}` : id)
    for (const [what, sql] of Object.entries(RERUN))
      expect((await pool.query(sql.replace('?', '$1'), [key(what, teamId)])).rows.map(plain), what).toEqual(
        (here.ctx.db.prepare(sql).all(key(what, fileId)) as Array<Record<string, unknown>>).map(plain),
      )
    expect((await pool.query(RERUN.audit.replace('?', '$1'), [`statement:${teamId}`])).rows).toEqual([
      { operator: 'amy', action: 'statement_uploaded' },
      { operator: 'amy', action: 'statement_rerun' },
    ])
    expect(onTeam).toMatchObject({ statementId: teamId, result: 'balanced' })

    // A desktop without the kept file (another computer's): the upload read from the bytes the team
    // database kept (docs/team-mode.md B8.21), into that desktop's own folder.
    const kept = (await pool.query('SELECT file_path FROM statements WHERE id = $1', [teamId])).rows[0]
      .file_path
    fs.renameSync(kept, `${kept}.away`)
    try {
      const byBob = await dispatchTeam(bob, 'statements.rerun', { id: teamId })
      expect({ ...byBob, durationMs: 0 }).toEqual({ ...onTeam, durationMs: 0 })
      const bobs = (await pool.query('SELECT file_path FROM statements WHERE id = $1', [teamId])).rows[0]
        .file_path as string
      expect(bobs.startsWith(bob.desk.dataDir)).toBe(true)
      // Without those bytes too (a day reconciled before the team database kept them): refused, the
      // day not run.
      await pool.query('DELETE FROM statement_files WHERE statement_id = $1', [teamId])
      fs.rmSync(bobs)
      await expect(dispatchTeam(bob, 'statements.rerun', { id: teamId })).rejects.toMatchObject({
        id: 'statement.noFileToRerun',
      })
    } finally {
      fs.renameSync(`${kept}.away`, kept)
    }
    const runs = await pool.query('SELECT run_count FROM statements WHERE id = $1', [teamId])
    expect(runs.rows[0].run_count).toBe(3)
  })
})
