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
import { TeamReads } from '../../src/main/services/team-reads'
import { getMerchant } from '../../src/main/store/merchants'
import { ensureStatementOn, updateStatementOn } from '../../src/main/store/statements'
import { ALIPAY_PID } from '../helpers/reconcile'
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
