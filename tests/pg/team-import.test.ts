import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportSummary } from '../../src/shared/import-report'
import { copyDatabase } from '../../src/main/services/db-copy'
import { runImport } from '../../src/main/services/imports'
import { TeamDesk } from '../../src/main/services/team-desk'
import { runTeamImport } from '../../src/main/services/team-imports'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// Order lists imported into a team database (docs/team-mode.md B8.11): the rows, refusals and counts
// of the desktop's import on its file; two desktops importing lists that share orders at once; and
// `paysync sync --file` on the team database, importing then syncing each trade once.

const TEAM = 'Team-Pass for 2026!'
const BIN = path.resolve('bin/paysync.js')
const run = promisify(execFile)

const HEADER = 'orderNo,金额(元),status,title,gatewayTradeNo,createdAt'

/** Rows of a list: number, yuan, status, title, gateway number, creation time. */
const csv = (rows: string[][]) => `${[HEADER, ...rows.map((r) => r.join(','))].join('\n')}\n`

/** What both stores must hold alike: every column but the times of the writing itself. */
const ORDERS = `SELECT order_no, biz_order_no, gateway_trade_no, merchant_id, channel, kind, title, amount, status,
    refund_status, refundable_amount, created_at, expired_at, paid_at, closed_at, import_id IS NULL AS no_import,
    next_sync_at IS NULL AS not_due
  FROM pay_orders ORDER BY order_no`
const ERRORS = `SELECT import_id, line, column_name, reason, raw_row, cells, said FROM import_errors
  WHERE import_id IN (SELECT id FROM import_runs ORDER BY id LIMIT 2) ORDER BY import_id, line`
const RUNS = `SELECT file_name, trade_type, encoding, rows_read, inserted, updated, unchanged, duplicates, conflicts,
    skipped, rejected, headers, header_line, finished_at IS NULL AS unfinished FROM import_runs ORDER BY id LIMIT 2`
const DAYS = 'SELECT * FROM pay_order_days ORDER BY 1, 2, 3, 4, 5'

/** PostgreSQL's booleans and SQLite's 0/1 read alike. */
const plain = (rows: Array<Record<string, unknown>>) =>
  rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v])),
  )

/** The summary without the run's id, which each store numbers itself. */
const told = ({ importId: _i, ...s }: ImportSummary) => s

describe.skipIf(pgMissing())('imports on a team database', () => {
  let world: World
  let url: string
  let desk: TeamDesk
  const dir = tempDir('paysync-team-import-')
  const actor = { operator: 'amy', systemUser: 'amy', transport: 'cli' as const }
  const open = () => TeamDesk.open(url, { keys: { passphrase: TEAM }, actor, dataDir: dir })
  const write = (name: string, text: string) => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, text)
    return file
  }

  beforeAll(async () => {
    world = await createWorld({
      merchants: [
        { name: 'ali', channel: 'alipay' },
        { name: 'wx', channel: 'wechat' },
      ],
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

  it('the same lists give the same rows, refusals, counts and day totals as on the file', async () => {
    const first = write(
      'first.csv',
      csv([
        ['SAME-001', '1.00', '支付中', 'tea', '', '2026-12-01 10:00:00'],
        ['SAME-002', '2.50', '已付款', '', '', '2026-12-01 11:00:00'],
        ['SAME-003', '3.00', '支付中', 'cake', 'G3', '2026-12-02 09:00:00'],
        ['SAME-004', 'abc', '支付中', 'bad', '', '2026-12-02 09:00:00'],
        ['SAME-005', '5.00', '已付款', 'milk', '', '2026-12-02 23:30:00'],
      ]),
    )
    // Repeats, a fill of what an order lacked (on the file and within the list), an amount that
    // disagrees, a conflict of status, a bad time, and new orders after them.
    const second = write(
      'second.csv',
      csv([
        ['SAME-001', '1.00', '支付中', 'tea', 'G1', '2026-12-01 10:00:00'],
        ['SAME-002', '2.50', '已付款', 'bread', '', '2026-12-01 11:00:00'],
        ['SAME-003', '3.10', '支付中', 'cake', 'G3', '2026-12-02 09:00:00'],
        ['SAME-005', '5.00', '支付中', 'milk', '', '2026-12-02 23:30:00'],
        ['SAME-006', '6.00', '支付中', '', '', '2026-12-03 08:00:00'],
        ['SAME-006', '6.00', '支付中', 'late title', 'G6', '2026-12-03 08:00:00'],
        ['SAME-006', '6.00', '支付中', 'late title', 'G6', '2026-12-03 08:00:00'],
        ['SAME-007', '7.00', '已付款', 'x', '', 'not a time'],
        ['SAME-008', '8.00', '已付款', 'y', '', '2026-12-03 09:00:00'],
      ]),
    )
    for (const file of [first, second]) {
      const onFile = await runImport(world.ctx, { file, type: 'pay', merchant: 'ali' })
      const onTeam = await runTeamImport(desk, { file, type: 'pay', merchant: 'ali' })
      expect(told(onTeam)).toEqual(told(onFile))
    }
    const firstTold = await runTeamImport(desk, { file: first, type: 'pay', merchant: 'ali' })
    // A rerun of a list changes nothing, as on the file.
    expect(firstTold).toMatchObject({ inserted: 0, updated: 0, unchanged: 4, rejected: 1 })
    expect(firstTold.errors.map((e) => [e.line, e.column])).toEqual([[5, '金额(元)']])
    for (const sql of [ORDERS, ERRORS, RUNS, DAYS]) {
      const file = world.ctx.db.prepare(sql).all() as Array<Record<string, unknown>>
      const team = (await desk.reads.pool.query(sql)).rows as Array<Record<string, unknown>>
      expect(plain(team)).toEqual(plain(file))
    }
    const orders = await desk.reads.pool.query(
      "SELECT order_no, gateway_trade_no, title FROM pay_orders WHERE order_no IN ('SAME-001', 'SAME-006') ORDER BY 1",
    )
    expect(orders.rows).toEqual([
      { order_no: 'SAME-001', gateway_trade_no: 'G1', title: 'tea' },
      { order_no: 'SAME-006', gateway_trade_no: 'G6', title: 'late title' },
    ])
    const audit = await desk.reads.pool.query(
      "SELECT operator, target FROM audit_log WHERE action = 'import_run' ORDER BY id",
    )
    expect(audit.rows).toEqual([
      { operator: 'amy', target: 'first.csv' },
      { operator: 'amy', target: 'second.csv' },
      { operator: 'amy', target: 'first.csv' },
    ])
  })

  it('a refund list gives the same refunds, refusals and pay order states as on the file', async () => {
    const pays = write(
      'rf-pays.csv',
      csv(
        ['RF-001', 'RF-002', 'RF-003', 'RF-004'].map((no) => [
          no,
          '10.00',
          '已付款',
          'rf',
          '',
          '2026-12-01 10:00:00',
        ]),
      ),
    )
    const refundCsv = (rows: string[][]) =>
      `orderNo,refundNo,退款金额,status,gatewayRefundNo,createdAt\n${rows.map((r) => r.join(',')).join('\n')}\n`
    const refunds = write(
      'rf-refunds.csv',
      refundCsv([
        ['RF-001', 'R1', '3.00', '退款成功', '', '2026-12-02 10:00:00'],
        ['RF-001', 'R2', '8.00', '退款成功', '', '2026-12-02 10:00:00'],
        ['RF-001', 'R3', '7.00', '退款中', '', '2026-12-02 10:00:00'],
        ['RF-002', 'R4', '10.00', '退款成功', '', '2026-12-02 10:00:00'],
        ['RF-404', 'R5', '1.00', '退款中', '', '2026-12-02 10:00:00'],
        ['RF-003', 'R1', '1.00', '退款中', '', '2026-12-02 10:00:00'],
        ['RF-001', 'R1', '3.00', '退款成功', 'G-R1', '2026-12-02 10:00:00'],
        ['RF-003', 'R6', '2.00', '退款中', '', '2026-12-02 10:00:00'],
      ]),
    )
    const later = write(
      'rf-later.csv',
      refundCsv([
        ['RF-003', 'R6', '2.00', '退款中', 'G-R6', '2026-12-02 10:00:00'],
        ['RF-003', 'R7', '8.00', '退款成功', '', '2026-12-03 10:00:00'],
        ['RF-003', 'R8', '1.00', '退款成功', '', '2026-12-03 10:00:00'],
      ]),
    )
    const summaries: Array<[ImportSummary, ImportSummary]> = []
    for (const [file, type] of [
      [pays, 'pay'],
      [refunds, 'refund'],
      [refunds, 'refund'],
      [later, 'refund'],
    ] as const) {
      const onFile = await runImport(world.ctx, { file, type, merchant: 'ali' })
      const onTeam = await runTeamImport(desk, { file, type, merchant: 'ali' })
      summaries.push([onFile, onTeam])
      expect(told(onTeam)).toEqual(told(onFile))
    }
    expect(summaries[1]![1]).toMatchObject({ inserted: 4, updated: 1, rejected: 3 })
    expect(summaries[1]![1].errors.map((e) => e.line)).toEqual([3, 6, 7])
    expect(summaries[3]![1]).toMatchObject({ inserted: 1, updated: 1, rejected: 1 })
    for (const sql of [
      `SELECT refund_no, biz_refund_no, gateway_refund_no, pay_order_id, merchant_id, channel, amount, status,
         created_at, finished_at, next_sync_at IS NULL AS not_due FROM refund_orders ORDER BY refund_no`,
      `SELECT order_no, amount, status, refund_status, refundable_amount, version FROM pay_orders
        WHERE order_no LIKE 'RF-%' ORDER BY order_no`,
      'SELECT * FROM refund_order_days ORDER BY 1, 2, 3, 4, 5',
    ]) {
      const file = world.ctx.db.prepare(sql).all() as Array<Record<string, unknown>>
      const team = (await desk.reads.pool.query(sql)).rows as Array<Record<string, unknown>>
      expect(plain(team)).toEqual(plain(file))
      expect(team.length).toBeGreaterThan(0)
    }
  })

  it('a bad row is refused with its line while the good ones go in, in pages of thousands', async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => [
      `PAGE-${String(i).padStart(5, '0')}`,
      i === 7_321 ? '-1' : '1.00',
      '支付中',
      '',
      '',
      '2026-12-04 10:00:00',
    ])
    const file = write('pages.csv', csv(rows))
    const trades: number[] = []
    const s = await runTeamImport(desk, { file, type: 'pay', merchant: 'wx' }, trades)
    expect(s).toMatchObject({ rows: 12_000, inserted: 11_999, rejected: 1 })
    expect(s.errors.map((e) => e.line)).toEqual([7_323])
    const stored = await desk.reads.pool.query(
      "SELECT id, order_no FROM pay_orders WHERE order_no LIKE 'PAGE-%' ORDER BY id",
    )
    expect(stored.rows.length).toBe(11_999)
    expect(stored.rows.some((r) => r.order_no === 'PAGE-07321')).toBe(false)
    // Every trade the list names, by the id the database gave it, in the list's order.
    expect(trades).toEqual(stored.rows.map((r) => Number(r.id)))
  })

  it('two desktops importing lists that share orders at once: each order once, none lost', async () => {
    const other = await open()
    try {
      const rowsOf = (from: number, to: number, tag: string) =>
        Array.from({ length: to - from }, (_, k) => {
          const i = from + k
          return [
            `BOTH-${String(i).padStart(5, '0')}`,
            '1.00',
            '支付中',
            '',
            `${tag}${i}`,
            '2026-12-04 10:00:00',
          ]
        })
      const a = write('a.csv', csv(rowsOf(0, 9_000, 'A')))
      const b = write('b.csv', csv(rowsOf(4_000, 13_000, 'B')))
      const [sa, sb] = await Promise.all([
        runTeamImport(desk, { file: a, type: 'pay', merchant: 'wx' }),
        runTeamImport(other, { file: b, type: 'pay', merchant: 'wx' }),
      ])
      expect([sa.rejected, sb.rejected]).toEqual([0, 0])
      expect(sa.inserted + sb.inserted).toBe(13_000)
      expect(sa.inserted + sa.unchanged + sa.updated).toBe(9_000)
      expect(sb.inserted + sb.unchanged + sb.updated).toBe(9_000)
      const stored = await desk.reads.pool.query(
        "SELECT count(*)::int AS n, count(DISTINCT order_no)::int AS d, count(gateway_trade_no)::int AS g FROM pay_orders WHERE order_no LIKE 'BOTH-%'",
      )
      // Each number once, and each order with the gateway number of the list that put it.
      expect(stored.rows[0]).toEqual({ n: 13_000, d: 13_000, g: 13_000 })
      const days = await desk.reads.pool.query(
        "SELECT sum(n)::int AS n FROM pay_order_days WHERE merchant_id = (SELECT id FROM merchants WHERE name = 'wx')",
      )
      const counted = await desk.reads.pool.query(
        "SELECT count(*)::int AS n FROM pay_orders WHERE merchant_id = (SELECT id FROM merchants WHERE name = 'wx')",
      )
      expect(days.rows[0].n).toBe(counted.rows[0].n)
    } finally {
      await other.close()
    }
  }, 120_000)

  it('`paysync sync --file` on the team database imports, then syncs each trade once', async () => {
    const env = {
      ...process.env,
      NO_COLOR: '1',
      PAYSYNC_PASSPHRASE: TEAM,
      PAYSYNC_OPERATOR: 'carol',
      XDG_CONFIG_HOME: dir,
    }
    const nos = Array.from({ length: 30 }, (_, i) => `FILE-${String(i).padStart(3, '0')}`)
    for (const orderNo of nos)
      world.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
    const file = write(
      'to-sync.csv',
      csv([
        ...nos.map((no) => [no, '1.00', '支付中', 'pen', '', '2026-12-04 12:00:00']),
        [nos[3]!, '1.00', '支付中', 'pen', '', '2026-12-04 12:00:00'],
        ['FILE-BAD', '1.00', 'whatever', 'pen', '', '2026-12-04 12:00:00'],
      ]),
    )
    const sync = () =>
      run(
        process.execPath,
        [BIN, '--db', url, 'sync', '--file', file, '--merchant', 'ali', '--json', '--qps', '200'],
        { env },
      )
    const once = JSON.parse((await sync()).stdout) as { batchId: number; total: number; repaired: number }
    expect(once).toMatchObject({ total: 30, repaired: 30 })
    const records = async () =>
      (
        await desk.reads.pool.query(
          `SELECT trade_no, count(*)::int AS n FROM sync_records WHERE trade_no LIKE 'FILE-%'
            GROUP BY trade_no ORDER BY trade_no`,
        )
      ).rows
    expect(await records()).toEqual(nos.map((trade_no) => ({ trade_no, n: 1 })))
    const run1 = await desk.reads.pool.query(
      "SELECT operator, inserted, rejected FROM import_runs WHERE file_name = 'to-sync.csv'",
    )
    expect(run1.rows).toEqual([{ operator: 'carol', inserted: 30, rejected: 1 }])
    const audit = await desk.reads.pool.query(
      "SELECT action, operator FROM audit_log WHERE target IN ('to-sync.csv', $1) ORDER BY id",
      [`batch:${once.batchId}`],
    )
    expect(audit.rows).toEqual([
      { action: 'import_run', operator: 'carol' },
      { action: 'batch_started', operator: 'carol' },
    ])
    // Again, as after a crash: nothing imported twice, nothing repaired twice.
    const again = JSON.parse((await sync()).stdout) as { batchId: number; total: number }
    expect(again.total).toBe(30)
    expect(again.batchId).not.toBe(once.batchId)
    const count = await desk.reads.pool.query(
      "SELECT count(*)::int AS n FROM pay_orders WHERE order_no LIKE 'FILE-%'",
    )
    expect(count.rows[0].n).toBe(30)
    const repairs = await desk.reads.pool.query(
      "SELECT count(*)::int AS n FROM repair_records WHERE trade_no LIKE 'FILE-%'",
    )
    expect(repairs.rows[0].n).toBe(30)
  }, 120_000)

  it('`paysync import` on the team database: a pay list goes in, then a refund list', async () => {
    const env = { ...process.env, NO_COLOR: '1', PAYSYNC_OPERATOR: 'dan', XDG_CONFIG_HOME: dir }
    const file = write('cli.csv', csv([['CLI-001', '2.00', '支付中', '', '', '2026-12-04 12:00:00']]))
    const done = await run(
      process.execPath,
      [BIN, '--db', url, 'import', file, '--merchant', 'wx', '--json'],
      {
        env,
      },
    )
    expect(JSON.parse(done.stdout)).toMatchObject({ rows: 1, inserted: 1, rejected: 0 })
    const stored = await desk.reads.pool.query(
      "SELECT o.amount, r.operator FROM pay_orders o JOIN import_runs r ON r.id = o.import_id WHERE o.order_no = 'CLI-001'",
    )
    expect(stored.rows).toEqual([{ amount: 200, operator: 'dan' }])
    const refundFile = write(
      'cli-refunds.csv',
      'orderNo,refundNo,退款金额,status\nCLI-001,CLI-R1,0.50,退款中\n',
    )
    const refunds = await run(
      process.execPath,
      [BIN, '--db', url, 'import', refundFile, '--type', 'refund', '--merchant', 'wx', '--json'],
      { env },
    )
    expect(JSON.parse(refunds.stdout)).toMatchObject({ rows: 1, inserted: 1, rejected: 0 })
    const refund = await desk.reads.pool.query(
      "SELECT r.amount, r.status, p.refund_status FROM refund_orders r JOIN pay_orders p ON p.id = r.pay_order_id WHERE r.refund_no = 'CLI-R1'",
    )
    expect(refund.rows).toEqual([{ amount: 50, status: 'progress', refund_status: 'refunding' }])
  })
})
