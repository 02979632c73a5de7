import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StatementLease, TeamStatementLease, statementKey } from '../../src/main/engine/reconcile/lease'
import { storeUpload } from '../../src/main/engine/reconcile/fetch'
import { alipayBillZip, type AlipayBillRow } from '../../src/main/gateways/simulator/bills/alipay'
import { copyDatabase } from '../../src/main/services/db-copy'
import {
  fileStatementBooks,
  teamStatementBooks,
  type StatementBooks,
} from '../../src/main/services/statements/books'
import { parseInto } from '../../src/main/services/statements/parse-into'
import { reconcileOnTeam } from '../../src/main/services/statements/team-run'
import { TeamDesk } from '../../src/main/services/team-desk'
import { TeamReads } from '../../src/main/services/team-reads'
import { dispatch } from '../../src/main/services/index'
import { getMerchant } from '../../src/main/store/merchants'
import { ensureStatementOn, updateStatementOn } from '../../src/main/store/statements'
import { ALIPAY_PID, setMerchantSettings } from '../helpers/reconcile'
import { bj } from '../helpers/statements'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// Statement reconciliation on a team database (docs/team-mode.md B8.12). The statement's lease is
// the same row on both stores, taken on the team database's clock; the statement and the lines of one
// bill file, stored in a desktop's file and in a team database copied from it, are the same rows.

const D = '2026-10-03'

/** A bill of every kind of line the parser stores: payments, a refund, a line of another kind. */
function billRows(): AlipayBillRow[] {
  const rows: AlipayBillRow[] = []
  for (let i = 0; i < 1200; i++)
    rows.push({ kind: 'pay', orderNo: `PS${i}`, amount: 100 + i, time: bj(`${D} 10:00:00`) + i * 1000 })
  rows.push({ kind: 'refund', orderNo: 'PS1', refundNo: 'RF1', amount: 50, time: bj(`${D} 13:00:00`) })
  rows.push({ kind: 'pay', orderNo: 'PS2', amount: 102, time: bj(`${D} 14:00:00`) })
  return rows
}

/** A row's values as both stores give them: SQLite's 0/1 and PostgreSQL's booleans, numbers as numbers. */
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' || typeof v === 'bigint' ? Number(v) : v]),
  )

/** The statement's and its lines' columns, without ids, times and where this computer keeps the file. */
const STATEMENT = `SELECT merchant_id, channel, bill_kind, bill_date, source, status, result, error_code, error_msg,
    error_zh, file_name, file_sha256, file_bytes, file_encoding, file_format, file_layout, verified, gateway_hash,
    hash_matched_on, account_no, integrity, checks, notices, refusal, totals, summary, lines_run, dry_run,
    open_diffs, run_count, version
  FROM statements ORDER BY merchant_id, bill_date`
const LINES = `SELECT run, line_no, kind, order_no, gateway_trade_no, refund_no, gateway_refund_no, amount,
    settle_amount, fee_e5, gateway_status, line_time, sub_merchant, account, raw, match_key, match_state,
    pay_order_id, refund_id, note
  FROM statement_lines ORDER BY run, line_no, id`

describe.skipIf(pgMissing())('statement reconciliation on a team database', () => {
  let w: World
  let url: string
  let team: TeamReads
  let bill: string

  beforeAll(async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
    url = await freshDatabase()
    expect((await copyDatabase(w.dbFile, url)).outcome).toBe('copied')
    team = await TeamReads.open(url)
    const zip = alipayBillZip({ pid: ALIPAY_PID, date: D, exportedAt: bj(`${D} 23:59:59`), rows: billRows() })
    bill = path.join(tempDir(), zip.name)
    fs.writeFileSync(bill, zip.zip)
  })

  afterAll(async () => {
    await team?.close()
    await w?.close()
  })

  it('the statement lease: one holder on each store, the second named, then free again', async () => {
    const key = statementKey(w.merchantId('ali'), D)
    const calls = teamStatementBooks(team.pool).calls
    const first = await TeamStatementLease.take(calls, key, 'host-a:4242:aaaa')
    expect(first).toBeInstanceOf(TeamStatementLease)
    // Another desktop of the team: named by its holder, nothing taken.
    expect(await TeamStatementLease.take(calls, key, 'host-b:77:bbbb')).toEqual({
      host: 'host-a',
      pid: '4242',
    })
    const row = (
      await team.pool.query(
        `SELECT owner, expires_at - floor(extract(epoch FROM clock_timestamp()) * 1000) AS left_ms
         FROM trade_leases WHERE trade_key = $1`,
        [key],
      )
    ).rows[0]
    expect(row.owner).toBe('host-a:4242:aaaa#statement')
    // On the database's clock: ten minutes from the server's now, whatever the desktop's clock says.
    expect(Number(row.left_ms)).toBeGreaterThan(9 * 60_000)
    expect(Number(row.left_ms)).toBeLessThanOrEqual(10 * 60_000)
    await (first as TeamStatementLease).release()
    const again = await TeamStatementLease.take(calls, key, 'host-b:77:bbbb')
    expect(again).toBeInstanceOf(TeamStatementLease)
    await (again as TeamStatementLease).release()

    // The file: the same rule, the same answer.
    const onFile = StatementLease.take(w.ctx.db, key, 'host-a:4242:aaaa', Date.now)
    expect(onFile).toBeInstanceOf(StatementLease)
    expect(StatementLease.take(w.ctx.db, key, 'host-b:77:bbbb', Date.now)).toEqual({
      host: 'host-a',
      pid: '4242',
    })
    ;(onFile as StatementLease).release()
    expect((await team.pool.query('SELECT count(*)::int AS n FROM trade_leases')).rows[0].n).toBe(0)
  })

  it('one bill file stored in the file and in the team database: the same statement and lines', async () => {
    const merchant = getMerchant(w.ctx.db, w.merchantId('ali'))!
    const now = bj(`${D} 23:59:59`) + 10 * 3600_000
    const store = async (books: StatementBooks) => {
      const st = await books.calls.run(
        ensureStatementOn,
        { merchantId: merchant.id, channel: 'alipay', billDate: D, source: 'upload' },
        now,
      )
      await books.calls.run(updateStatementOn, st.id, { run_count: 1, status: 'fetching' }, now)
      const file = await storeUpload(bill, path.basename(bill), tempDir(), now)
      expect(await parseInto(books, merchant, 'alipay', st, 1, file, D)).toBe(true)
      await books.calls.run(updateStatementOn, st.id, { status: 'parsed', lines_run: 1 }, now)
    }
    const told: number[] = []
    await store({ ...fileStatementBooks(w.ctx), now: () => now })
    await store(
      teamStatementBooks(team.pool, { now: () => now, progress: (_id, _p, done) => told.push(done) }),
    )
    // The reader's batches of 5 000 lines, told as they are stored: one here.
    expect(told).toEqual([1202])

    const fileRows = (sql: string) =>
      (w.ctx.db.prepare(sql).all() as Array<Record<string, unknown>>).map(plain)
    const teamRows = async (sql: string) => (await team.pool.query(sql)).rows.map(plain)
    const statements = fileRows(STATEMENT)
    expect(statements).toHaveLength(1)
    expect(statements[0]).toMatchObject({
      status: 'parsed',
      lines_run: 1,
      integrity: 'ok',
      account_no: ALIPAY_PID,
    })
    expect(await teamRows(STATEMENT)).toEqual(statements)
    const lines = fileRows(LINES)
    expect(lines).toHaveLength(1202)
    expect(await teamRows(LINES)).toEqual(lines)
  })
})

const D0 = '2026-10-02'

/** What both books hold before any bill: the cells of docs/reconcile.md A6-A8 for one merchant. */
function makeBooks(w: World): void {
  const pay = (
    orderNo: string,
    amount: number,
    paidAt: number | null,
    status: 'success' | 'progress' = 'success',
  ) => w.payOrder({ merchant: 'ali', orderNo, amount, status, paidAt })
  // Two pages and more of matched payments (a page is 1,000 lines).
  for (let i = 0; i < 1100; i++) pay(`PS${i}`, 100 + i, bj(`${D} 10:00:00`) + i * 1000)
  pay('PM1', 3580, bj(`${D} 11:00:00`)) // the bill says 35.00: amount_mismatch
  pay('PN1', 990, null, 'progress') // the bill says paid: local_not_success
  pay('PL1', 1200, bj(`${D} 12:00:00`)) // no line: local_only
  pay('PC1', 1300, bj(`${D} 23:59:50`)) // no line, near midnight: waits for D+1's bill
  pay('PE1', 1400, bj(`${D0} 23:59:55`)) // no line on D0, its line on D: matched across the day
  w.refund({ merchant: 'ali', payOrderId: 2, refundNo: 'RF1', amount: 50, status: 'success' })
  setMerchantSettings(w, 'ali', { feeRate: '0.60%' })
}

/** The bills of D0 and D. */
function bills(): Record<string, AlipayBillRow[]> {
  const d: AlipayBillRow[] = []
  for (let i = 0; i < 1100; i++)
    d.push({ kind: 'pay', orderNo: `PS${i}`, amount: 100 + i, time: bj(`${D} 10:00:00`) + i * 1000 })
  d.push(
    { kind: 'pay', orderNo: 'PM1', amount: 3500, time: bj(`${D} 11:00:00`), feeE5: -21000 },
    { kind: 'pay', orderNo: 'PN1', amount: 990, time: bj(`${D} 11:30:00`) },
    { kind: 'pay', orderNo: 'PX1', amount: 700, time: bj(`${D} 11:40:00`) },
    { kind: 'pay', orderNo: 'PE1', amount: 1400, time: bj(`${D} 00:00:10`) },
    { kind: 'pay', orderNo: 'PS3', amount: 103, time: bj(`${D} 15:00:00`) },
    { kind: 'refund', orderNo: 'PS1', refundNo: 'RF1', amount: 50, time: bj(`${D} 13:00:00`) },
    { kind: 'refund', orderNo: 'PS2', refundNo: 'RF-UNKNOWN', amount: 60, time: bj(`${D} 13:10:00`) },
  )
  return { [D0]: [], [D]: d }
}

/** The rows a run leaves, statements named by their day rather than their ids. */
const ROWS = {
  statements: STATEMENT.replace('ORDER BY merchant_id, bill_date', 'ORDER BY bill_date'),
  statement_lines: `SELECT s.bill_date, l.run, l.line_no, l.kind, l.order_no, l.amount, l.fee_e5, l.match_key,
      l.match_state, l.pay_order_id, l.refund_id, l.note
    FROM statement_lines l JOIN statements s ON s.id = l.statement_id ORDER BY s.bill_date, l.run, l.line_no`,
  statement_diffs: `SELECT s.bill_date, d.kind, d.trade_type, d.trade_key, l.line_no, d.pay_order_id, d.refund_id,
      d.order_no, d.refund_no, d.gateway_no, d.local_amount, d.statement_amount, d.local_status,
      d.statement_status, d.local_time, d.statement_time, d.reason, d.reason_text, d.reason_en, d.label,
      d.action, d.sync_attempts, d.status, d.resolved_by, d.seen_run
    FROM statement_diffs d JOIN statements s ON s.id = d.statement_id LEFT JOIN statement_lines l ON l.id = d.line_id
    ORDER BY s.bill_date, d.kind, d.trade_type, d.trade_key`,
  carry_over: `SELECT f.bill_date AS from_date, c.trade_type, c.trade_id, c.expected_dates, c.reason, c.status,
      r.bill_date AS resolved_date
    FROM carry_over c JOIN statements f ON f.id = c.from_statement_id
      LEFT JOIN statements r ON r.id = c.resolved_statement_id ORDER BY c.trade_type, c.trade_id, c.status`,
  reconciled: `SELECT p.order_no, s.bill_date FROM pay_orders p JOIN statements s ON s.id = p.reconciled_statement_id
    UNION ALL SELECT r.refund_no, s.bill_date FROM refund_orders r JOIN statements s ON s.id = r.reconciled_statement_id
    ORDER BY 1`,
}

describe.skipIf(pgMissing())('classification on a team database', () => {
  let w: World
  let url: string
  let desk: TeamDesk

  beforeAll(async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
    makeBooks(w)
    url = await freshDatabase()
    expect((await copyDatabase(w.dbFile, url)).outcome).toBe('copied')
    desk = await TeamDesk.open(url, {
      keys: {},
      actor: { operator: 'amy', systemUser: 'amy', transport: 'cli' },
      dataDir: tempDir('paysync-team-data-'),
    })
  })

  afterAll(async () => {
    await desk?.close()
    await w?.close()
  })

  it('the same bills on the same books: the same statements, lines, differences, pool and marks', async () => {
    const dir = tempDir()
    for (const [date, rows] of Object.entries(bills())) {
      const zip = alipayBillZip({ pid: ALIPAY_PID, date, exportedAt: bj(`${date} 23:59:59`), rows })
      const file = path.join(dir, `${date}-${zip.name}`)
      fs.writeFileSync(file, zip.zip)
      const onFile = await dispatch(w.ctx, 'statements.reconcile', {
        merchant: 'ali',
        date,
        file: w.ctx.handles.namedToRead(file).file,
        dryRun: true,
        waitForSyncs: true,
      })
      const onTeam = await reconcileOnTeam(desk, { merchant: 'ali', date, file, dryRun: true })
      expect({ ...onTeam, durationMs: 0 }).toEqual({ ...onFile, durationMs: 0 })
    }
    const pool = desk.reads.pool
    for (const [table, sql] of Object.entries(ROWS)) {
      const file = (w.ctx.db.prepare(sql).all() as Array<Record<string, unknown>>).map(plain)
      const team = (await pool.query(sql)).rows.map(plain)
      expect(team, table).toEqual(file)
    }
    // Every cell was met: a day of each kind of difference, the pool both ways.
    const kinds = (
      w.ctx.db.prepare('SELECT DISTINCT kind FROM statement_diffs ORDER BY kind').all() as Array<{
        kind: string
      }>
    ).map((r) => r.kind)
    expect(kinds).toEqual([
      'amount_mismatch',
      'fee_deviation',
      'gateway_only',
      'local_not_success',
      'local_only',
      'refund_unrecorded',
    ])
    const states = w.ctx.db
      .prepare('SELECT match_state, count(*) AS n FROM statement_lines GROUP BY match_state ORDER BY 1')
      .all()
    expect(states).toEqual([
      { match_state: 'discrepancy', n: 4 },
      { match_state: 'duplicate', n: 1 },
      { match_state: 'matched', n: 1101 },
      { match_state: 'matched_cross_day', n: 1 },
    ])
    expect(
      w.ctx.db.prepare('SELECT status, count(*) AS n FROM carry_over GROUP BY status ORDER BY 1').all(),
    ).toEqual([
      { status: 'matched', n: 1 },
      { status: 'waiting', n: 1 },
    ])
  })
})
