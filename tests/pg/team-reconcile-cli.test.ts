import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { alipayBillZip, type AlipayBillRow } from '../../src/main/gateways/simulator/bills/alipay'
import { copyDatabase } from '../../src/main/services/db-copy'
import { dispatch } from '../../src/main/services/index'
import { TeamReads } from '../../src/main/services/team-reads'
import { formatBeijing } from '../../src/shared/time'
import { ALIPAY_PID } from '../helpers/reconcile'
import { bj } from '../helpers/statements'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// `paysync reconcile --file --db postgres://…` (docs/team-mode.md B8.12): the differences acted on in a
// team database as on a desktop's file (anomalies, one stored batch of syncs, their outcomes), and two
// desktops on one day, the second told STATEMENT_BUSY having changed nothing.

const D = '2026-10-03'

/** A row's values as both stores give them: SQLite's 0/1 and PostgreSQL's booleans, numbers as numbers. */
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' || typeof v === 'bigint' ? Number(v) : v]),
  )

const TEAM = 'Team-Pass for 2026!'
const BIN = path.resolve('bin/paysync.js')
const execRun = promisify(execFile)
const D2 = '2026-10-04'

/** Trades whose differences act: a sync repairs, a sync confirms, a person decides twice. */
function makeActing(w: World): void {
  for (let i = 0; i < 10; i++)
    w.payOrder({
      merchant: 'ali',
      orderNo: `PS${i}`,
      amount: 100 + i,
      status: 'success',
      paidAt: bj(`${D} 10:00:00`) + i * 1000,
    })
  w.payOrder({ merchant: 'ali', orderNo: 'PN1', amount: 990, status: 'progress' })
  w.gatewayOrder({
    merchant: 'ali',
    orderNo: 'PN1',
    amount: 990,
    state: 'TRADE_SUCCESS',
    paidAt: bj(`${D} 11:30:00`),
  })
  w.payOrder({
    merchant: 'ali',
    orderNo: 'PL1',
    amount: 1200,
    status: 'success',
    paidAt: bj(`${D} 12:00:00`),
  })
  w.gatewayOrder({
    merchant: 'ali',
    orderNo: 'PL1',
    amount: 1200,
    state: 'TRADE_SUCCESS',
    paidAt: bj(`${D} 12:00:00`),
  })
  w.payOrder({
    merchant: 'ali',
    orderNo: 'PM1',
    amount: 3580,
    status: 'success',
    paidAt: bj(`${D} 11:00:00`),
  })
  // The day two desktops reconcile at once: its sync is held at the gateway.
  w.payOrder({ merchant: 'ali', orderNo: 'PB1', amount: 500, status: 'progress' })
  w.gatewayOrder({
    merchant: 'ali',
    orderNo: 'PB1',
    amount: 500,
    state: 'TRADE_SUCCESS',
    paidAt: bj(`${D2} 09:00:00`),
  })
}

function actingBill(dir: string, date: string): string {
  const rows: AlipayBillRow[] =
    date === D
      ? [
          ...Array.from({ length: 10 }, (_, i) => ({
            kind: 'pay' as const,
            orderNo: `PS${i}`,
            amount: 100 + i,
            time: bj(`${D} 10:00:00`) + i * 1000,
          })),
          { kind: 'pay', orderNo: 'PN1', amount: 990, time: bj(`${D} 11:30:00`) },
          { kind: 'pay', orderNo: 'PM1', amount: 3500, time: bj(`${D} 11:00:00`) },
          { kind: 'pay', orderNo: 'PX1', amount: 700, time: bj(`${D} 11:40:00`) },
        ]
      : [{ kind: 'pay', orderNo: 'PB1', amount: 500, time: bj(`${D2} 09:00:00`) }]
  const zip = alipayBillZip({ pid: ALIPAY_PID, date, exportedAt: bj(`${date} 23:59:59`), rows })
  const file = path.join(dir, `${date}-${zip.name}`)
  fs.writeFileSync(file, zip.zip)
  return file
}

/** What acting leaves, without ids and times. */
const ACTED = {
  statement_diffs: `SELECT s.bill_date, d.kind, d.trade_key, d.action, d.status, d.resolved_by, d.sync_attempts,
      d.sync_record_id IS NOT NULL AS synced, d.anomaly_id IS NOT NULL AS anomaly, d.sync_batch_id IS NOT NULL AS batched
    FROM statement_diffs d JOIN statements s ON s.id = d.statement_id ORDER BY s.bill_date, d.kind, d.trade_key`,
  sync_records: `SELECT trade_no, outcome, gateway_status, source, repair_no IS NOT NULL AS repaired FROM sync_records
    ORDER BY trade_no`,
  anomalies: `SELECT trade_no, trade_id = 0 AS unknown, kind, status, statement_date, statement_line_id IS NOT NULL AS line,
      local_amount, gateway_amount FROM anomalies ORDER BY trade_no, kind`,
  pay_orders: 'SELECT order_no, status, version FROM pay_orders ORDER BY order_no',
  statements: `SELECT bill_date, status, result, open_diffs, run_count, lines_run, sync_batch_id IS NOT NULL AS batched,
      summary FROM statements ORDER BY bill_date`,
  batches: 'SELECT name, source, status, total FROM batches ORDER BY id',
  trade_leases: 'SELECT count(*) AS n FROM trade_leases',
}

describe.skipIf(pgMissing())('acting on a team database, from the command line', () => {
  let here: World
  let there: World
  let url: string
  let pool: TeamReads
  const dataDir = tempDir('paysync-team-data-')
  const env = () => ({
    ...process.env,
    NO_COLOR: '1',
    PAYSYNC_PASSPHRASE: TEAM,
    PAYSYNC_OPERATOR: 'bob',
    XDG_CONFIG_HOME: dataDir,
  })
  const reconcile = (date: string, file: string) =>
    execRun(
      process.execPath,
      [BIN, '--db', url, 'reconcile', '--merchant', 'ali', '--date', date, '--file', file, '--json'],
      {
        env: env(),
      },
    )

  beforeAll(async () => {
    const merchants = [{ name: 'ali', channel: 'alipay' as const }]
    here = await createWorld({ merchants, context: { passphrase: TEAM } })
    there = await createWorld({ merchants, context: { passphrase: TEAM } })
    makeActing(here)
    makeActing(there)
    // The team database is a copy of `there`, whose simulator answers it.
    url = await freshDatabase()
    expect((await copyDatabase(there.dbFile, url)).outcome).toBe('copied')
    pool = await TeamReads.open(url)
  })

  afterAll(async () => {
    await pool?.close()
    await here?.close()
    await there?.close()
  })

  it('`paysync reconcile --file --db postgres://…`: the same run, syncs, anomalies and rows as on the file', async () => {
    const dir = tempDir()
    const file = actingBill(dir, D)
    const onFile = await dispatch(here.ctx, 'statements.reconcile', {
      merchant: 'ali',
      date: D,
      file: here.ctx.handles.namedToRead(file).file,
      dryRun: false,
      waitForSyncs: true,
    })
    const { stdout } = await reconcile(D, file)
    const onTeam = JSON.parse(stdout) as typeof onFile
    const same = (r: typeof onFile) => ({ ...r, durationMs: 0, actions: { ...r.actions, syncBatchId: 0 } })
    expect(same(onTeam)).toEqual(same(onFile))
    expect(onFile).toMatchObject({
      result: 'unbalanced',
      diffs: { local_not_success: 1, local_only: 1, amount_mismatch: 1, gateway_only: 1 },
      actions: { syncQueued: 2, anomaliesOpened: 2, syncErrors: 0 },
    })
    for (const [table, sql] of Object.entries(ACTED)) {
      const onF = (here.ctx.db.prepare(sql).all() as Array<Record<string, unknown>>).map(plain)
      const onT = (await pool.pool.query(sql)).rows.map(plain)
      expect(onT, table).toEqual(onF)
    }
    // Each sync once, by the reconciliation, repairing what the bill and the gateway agree on.
    expect((await pool.pool.query(ACTED.sync_records)).rows.map(plain)).toEqual([
      {
        trade_no: 'PL1',
        outcome: 'consistent',
        gateway_status: 'pay_success',
        source: 'reconcile',
        repaired: 0,
      },
      {
        trade_no: 'PN1',
        outcome: 'repaired',
        gateway_status: 'pay_success',
        source: 'reconcile',
        repaired: 1,
      },
    ])
  })

  it('`paysync statement dismiss --db postgres://…`: decided once, by the operator, then refused', async () => {
    const open = await pool.pool.query<{ id: number }>(
      "SELECT id FROM statement_diffs WHERE status = 'open' ORDER BY id LIMIT 1",
    )
    const id = String(open.rows[0]!.id)
    const dismiss = () =>
      execRun(process.execPath, [BIN, '--db', url, 'statement', 'dismiss', id, '--remark', 'fee rounding'], {
        env: env(),
      })
    expect((await dismiss()).stdout).toContain(`difference ${id} dismissed`)
    const row = await pool.pool.query(
      'SELECT status, resolved_by, remark FROM statement_diffs WHERE id = $1',
      [id],
    )
    expect(row.rows).toEqual([{ status: 'dismissed', resolved_by: 'bob', remark: 'fee rounding' }])
    const audited = await pool.pool.query(
      "SELECT operator FROM audit_log WHERE action = 'statement_diff_dismissed' AND target LIKE $1",
      [`%${id}%`],
    )
    expect(audited.rows).toEqual([{ operator: 'bob' }])
    // A second desktop dismissing it again is told it is decided, and nothing changes.
    const again = await dismiss().catch((e: { code: number; stderr: string }) => e)
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`difference ${id} is already dismissed`),
    })
    const missing = await execRun(
      process.execPath,
      [BIN, '--db', url, 'statement', 'dismiss', 'x', '--remark', 'r'],
      { env: env() },
    ).catch((e: { code: number; stderr: string }) => e)
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('the difference id') })
  })

  it('two desktops on one day: the second is told STATEMENT_BUSY, naming the first, and changes nothing', async () => {
    const dir = tempDir()
    const file = actingBill(dir, D2)
    const hold = there.sim.state.hold('PB1')
    const first = reconcile(D2, file)
    await hold.reached
    const snapshot = async () => ({
      statement: (await pool.pool.query(`SELECT * FROM statements WHERE bill_date = $1`, [D2])).rows,
      lines: (await pool.pool.query('SELECT count(*)::int AS n FROM statement_lines')).rows[0].n,
      diffs: (await pool.pool.query('SELECT * FROM statement_diffs ORDER BY id')).rows,
      audit: (await pool.pool.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n,
      batches: (await pool.pool.query('SELECT count(*)::int AS n FROM batches')).rows[0].n,
    })
    const before = await snapshot()
    const second = await reconcile(D2, file).catch((e: { code: number; stderr: string }) => e)
    const after = await snapshot()
    hold.release()
    expect(second).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `the bill of ali for ${D2} is being reconciled already, by process ${first.child.pid} on ${os.hostname()}`,
      ),
    })
    expect(after).toEqual(before)
    const done = JSON.parse((await first).stdout) as { result: string; actions: { syncQueued: number } }
    expect(done).toMatchObject({ result: 'balanced', actions: { syncQueued: 1 } })
    const synced = await pool.pool.query("SELECT outcome FROM sync_records WHERE trade_no = 'PB1'")
    expect(synced.rows).toEqual([{ outcome: 'repaired' }])
    expect((await pool.pool.query('SELECT count(*)::int AS n FROM trade_leases')).rows[0].n).toBe(0)
  })

  it('says what a team database needs: a merchant and a day, and the team key; without --file, downloads', async () => {
    const r = await execRun(process.execPath, [BIN, '--db', url, 'reconcile', '--all-merchants'], {
      env: env(),
    }).catch((e: { code: number; stderr: string }) => e)
    expect(r).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--all-merchants goes with --yesterday'),
    })
    // Syncs need the team key: without it, one sentence before the day is touched.
    const { PAYSYNC_PASSPHRASE: _, ...bare } = env()
    const file = actingBill(tempDir(), D2)
    const locked = await execRun(
      process.execPath,
      [BIN, '--db', url, 'reconcile', '--merchant', 'ali', '--date', '2026-10-09', '--file', file],
      { env: bare },
    ).catch((e: { code: number; stderr: string }) => e)
    expect(locked).toMatchObject({ code: 1, stderr: expect.stringContaining('PAYSYNC_PASSPHRASE') })
    const made = await pool.pool.query(
      "SELECT count(*)::int AS n FROM statements WHERE bill_date = '2026-10-09'",
    )
    expect(made.rows[0].n).toBe(0)

    // Without --file the bill is downloaded from the gateway with the team key (B8.19): that day has
    // no trade at the gateway, so no bill, written as on the file.
    const { stdout } = await execRun(
      process.execPath,
      [BIN, '--db', url, 'reconcile', '--merchant', 'ali', '--date', '2026-10-09', '--no-sync', '--json'],
      { env: env() },
    )
    expect(JSON.parse(stdout)).toMatchObject({
      billDate: '2026-10-09',
      source: 'download',
      status: 'empty',
      errorCode: 'STATEMENT_EMPTY',
      dryRun: true,
    })
    const downloaded = await pool.pool.query(
      "SELECT source, status, run_count FROM statements WHERE bill_date = '2026-10-09'",
    )
    expect(downloaded.rows).toEqual([{ source: 'download', status: 'empty', run_count: 1 }])

    // The cron's run on a team database: yesterday's bill of every merchant, downloaded, each said.
    // The channel makes a day's bill at 09:00 Beijing the next day, and until 10:00 a day without one
    // reads as "not made yet" (gateways/alipay/statement.ts): from midnight until then the cron was
    // told so, and the test failed 10 hours a day. Yesterday's bill is made now, with one trade in it,
    // under the account the profile names (the bills above are that account's).
    const day = formatBeijing(Date.now() - 86_400_000).slice(0, 10)
    there.sim.state.merchants.get('ali')!.ids.pid = ALIPAY_PID
    there.sim.state.putStatementDay('ali', day, {
      lines: [],
      synthetic: { count: 1, amount: 100, prefix: 'YDAY' },
      readyAt: Date.now() - 60_000,
    })
    const cron = await execRun(
      process.execPath,
      [BIN, '--db', url, 'reconcile', '--yesterday', '--all-merchants', '--json'],
      { env: env() },
    )
    const all = JSON.parse(cron.stdout) as { runs: Array<Record<string, unknown>>; failures: unknown[] }
    expect(all.failures).toEqual([])
    expect(all.runs).toEqual([
      expect.objectContaining({ merchant: 'ali', billDate: day, source: 'download', dryRun: false }),
    ])
    const cronDay = await pool.pool.query('SELECT source, run_count FROM statements WHERE bill_date = $1', [
      day,
    ])
    expect(cronDay.rows).toEqual([{ source: 'download', run_count: 1 }])
  })
})
