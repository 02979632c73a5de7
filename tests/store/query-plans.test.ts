import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { listSyncRecords } from '../../src/main/store/records'
import { allPayOrderIds, listPayOrders } from '../../src/main/store/orders'
import { allRefundOrderIds, listRefundOrders } from '../../src/main/store/refunds'
import { dueOfTableOn, expiredOrdersOn } from '../../src/main/store/schedule-due'
import { both } from '../../src/main/store/sql/exec'
import { sqliteExec } from '../../src/main/store/sql/sqlite-exec'
import { listRepairRecords } from '../../src/main/store/repairs'
import { followerOf, listAnomalies, openAnomaly } from '../../src/main/store/anomalies'
import { listAudit } from '../../src/main/store/audit'
import { batchCounts, itemHeldBy, merchantsOfItems } from '../../src/main/store/batches'
import { heldByBatch, openTradesOfBatch } from '../../src/main/store/schedule-holds'
import { indexTradeNumbers, matchTrades } from '../../src/main/store/trade-search'
import { listStatements } from '../../src/main/store/statements'
import { listStatementLines } from '../../src/main/store/statement-lines'
import { listStatementDiffs } from '../../src/main/store/statement-diffs'
import { carryOverOf, waitingOfMerchant } from '../../src/main/store/carry-over'
import { matchLines } from '../../src/main/engine/reconcile/match'
import { expectLocalSide } from '../../src/main/engine/reconcile/expected'
import { dayWindow } from '../../src/main/engine/reconcile/windows'
import type { MatchScope } from '../../src/main/engine/reconcile/scope'
import type { ListCursor, ListSort } from '../../src/shared/filters'
import { tempDir } from '../helpers/world'
import { bareMerchant } from '../helpers/bare-merchant'

// Every filter of every list uses an index (ARCHITECTURE.md, Store): the SQL each list runs is
// captured from the real store functions and checked with EXPLAIN QUERY PLAN.

let dir: string
let file: string
beforeAll(() => {
  dir = tempDir()
  file = path.join(dir, 'plans.db')
  const db = openStore(file)
  bareMerchant(db, 'm')
  db.exec('ANALYZE')
  db.close()
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

function plansOf(run: (db: Database.Database) => unknown): Array<{ sql: string; plan: string }> {
  // A fresh connection has no cached statements, so every query the list runs is prepared (and seen) here.
  const db = openStore(file)
  const captured: Array<{ sql: string; params: unknown[] }> = []
  const original = db.prepare.bind(db)
  const spy = ((sql: string) => {
    const stmt = original(sql)
    if (!/^\s*SELECT/i.test(sql) || /FROM merchants WHERE name/.test(sql)) return stmt
    return new Proxy(stmt, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver)
        if (prop === 'all' || prop === 'get') {
          return (...params: unknown[]) => {
            captured.push({ sql, params })
            return (v as (...a: unknown[]) => unknown).apply(target, params)
          }
        }
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
  }) as typeof db.prepare
  ;(db as { prepare: typeof db.prepare }).prepare = spy
  try {
    run(db)
    return captured.map(({ sql, params }) => ({
      sql,
      plan: (original(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join(' | '),
    }))
  } finally {
    db.close()
  }
}

const page = { limit: 50, offset: 0 }
/** The schedules' reads of what is due (store/schedule-due.ts), as one tick makes them. */
const dueNow = (db: Database.Database, type: 'pay' | 'refund') =>
  both(dueOfTableOn).sync(sqliteExec(db), type, Date.now(), 2_000)
const expiredNow = (db: Database.Database) =>
  both(expiredOrdersOn).sync(sqliteExec(db), Date.now(), 60_000, 2_000)
const SCOPE: MatchScope = {
  statementId: 1,
  run: 1,
  billDate: '2026-10-03',
  merchantId: 1,
  channel: 'alipay',
  prefixes: [],
  subMerchant: null,
  account: null,
  toleranceFen: 0,
  feeRateMillionths: null,
  window: dayWindow('2026-10-03'),
  now: 0,
}
const deep = { limit: 50, offset: 10_000 }
const cursor = (sort: ListSort, key: number | null = 1_700_000_000_000): ListCursor => ({
  sort,
  key,
  id: 1_000,
})

const lists: Array<[string, (db: Database.Database) => unknown, boolean?]> = [
  ['records: no filter', (db) => listSyncRecords(db, page)],
  ['records: deep page', (db) => listSyncRecords(db, deep)],
  ['records: type', (db) => listSyncRecords(db, { ...page, type: 'refund' })],
  ['records: channel', (db) => listSyncRecords(db, { ...page, channel: 'wechat' })],
  ['records: merchant', (db) => listSyncRecords(db, { ...page, merchant: 'm' })],
  ['records: result', (db) => listSyncRecords(db, { ...page, result: 'error' })],
  ['records: gateway status', (db) => listSyncRecords(db, { ...page, status: 'pay_timeout' })],
  ['records: repaired', (db) => listSyncRecords(db, { ...page, repaired: true })],
  ['records: not repaired', (db) => listSyncRecords(db, { ...page, repaired: false })],
  ['records: number', (db) => listSyncRecords(db, { ...page, no: 'X' }), true],
  [
    'records: time range',
    (db) => listSyncRecords(db, { ...page, since: '2026-11-01 00:00:00', until: '2026-11-02 00:00:00' }),
  ],
  [
    'records: channel and result over days with partial edges',
    (db) =>
      listSyncRecords(db, {
        ...page,
        channel: 'alipay',
        result: 'consistent',
        since: '2026-11-01 12:00:00',
        until: '2026-11-05 08:00',
      }),
  ],
  ['records: one trade', (db) => listSyncRecords(db, { ...page, type: 'pay', tradeId: 1 })],

  ['records: one batch', (db) => listSyncRecords(db, { ...page, batchId: 1 })],
  ['orders: no filter', (db) => listPayOrders(db, page)],
  ['orders: status', (db) => listPayOrders(db, { ...page, status: 'progress' })],
  ['orders: channel', (db) => listPayOrders(db, { ...page, channel: 'alipay' })],
  ['orders: merchant', (db) => listPayOrders(db, { ...page, merchant: 'm' })],
  ['orders: number', (db) => listPayOrders(db, { ...page, no: 'X' }), true],
  ['orders: time range', (db) => listPayOrders(db, { ...page, since: '2026-11-01 00:00:00' })],
  ['refunds: no filter', (db) => listRefundOrders(db, page)],
  ['refunds: status', (db) => listRefundOrders(db, { ...page, status: 'progress' })],
  ['refunds: number', (db) => listRefundOrders(db, { ...page, no: 'X' }), true],
  ['refunds: of an order', (db) => listRefundOrders(db, { ...page, payOrderId: 1 }), true],
  ['repairs: no filter', (db) => listRepairRecords(db, page)],
  ['repairs: way', (db) => listRepairRecords(db, { ...page, way: 'pay_success' })],
  ['repairs: one trade', (db) => listRepairRecords(db, { ...page, type: 'pay', tradeId: 1 })],
  ['anomalies: no filter', (db) => listAnomalies(db, page)],
  ['anomalies: open', (db) => listAnomalies(db, { ...page, status: 'open' })],
  ['anomalies: kind', (db) => listAnomalies(db, { ...page, kind: 'paid_after_close' })],

  // Sorting by amount or oldest first, server-side (docs/screens.md section 1).
  ['records: oldest first', (db) => listSyncRecords(db, { ...page, sort: 'time' })],
  ['records: by amount', (db) => listSyncRecords(db, { ...page, sort: '-amount' })],
  ['records: by amount, deep page', (db) => listSyncRecords(db, { ...deep, sort: 'amount' })],
  [
    'records: channel, oldest first',
    (db) => listSyncRecords(db, { ...page, channel: 'alipay', sort: 'time' }),
  ],
  ['records: without repeats', (db) => listSyncRecords(db, { ...page, hideRepeats: true })],
  [
    'records: without repeats, in a time range',
    (db) =>
      listSyncRecords(db, {
        ...page,
        hideRepeats: true,
        since: '2026-11-01 12:00:00',
        until: '2026-11-05 08:00:00',
      }),
  ],
  ['orders: by amount', (db) => listPayOrders(db, { ...page, sort: '-amount' })],
  ['orders: by amount, ascending, deep', (db) => listPayOrders(db, { ...deep, sort: 'amount' })],
  ['orders: oldest first', (db) => listPayOrders(db, { ...page, sort: 'time' })],
  ['orders: status, oldest first', (db) => listPayOrders(db, { ...page, status: 'success', sort: 'time' })],
  [
    'orders: time range with partial days',
    (db) => listPayOrders(db, { ...page, since: '2026-11-01 12:00:00', until: '2026-11-05 08:00:00' }),
  ],
  ['orders: last result', (db) => listPayOrders(db, { ...page, result: 'error' })],
  ['refunds: by amount', (db) => listRefundOrders(db, { ...page, sort: '-amount' })],
  ['refunds: channel', (db) => listRefundOrders(db, { ...page, channel: 'wechat' })],
  ['repairs: by amount', (db) => listRepairRecords(db, { ...page, sort: '-amount' })],
  ['repairs: number', (db) => listRepairRecords(db, { ...page, no: 'R2611' }), true],
  [
    'repairs: time range with partial days',
    (db) => listRepairRecords(db, { ...page, since: '2026-11-01 12:00:00', until: '2026-11-05 08:00' }),
  ],
  ['anomalies: by local amount', (db) => listAnomalies(db, { ...page, sort: '-amount' })],
  ['anomalies: number', (db) => listAnomalies(db, { ...page, no: 'X20261' }), true],
  ['anomalies: one trade', (db) => listAnomalies(db, { ...page, type: 'pay', tradeId: 1 }), true],
  [
    'anomalies: time range with partial days',
    (db) => listAnomalies(db, { ...page, since: '2026-11-01 12:00:00', until: '2026-11-05 08:00' }),
  ],
  // `--json --all` and the API's `after`: the page after a row, found in the index (docs/cli.md 1.3).
  ['records: after a cursor', (db) => listSyncRecords(db, { ...page, after: cursor('-time') })],
  [
    'records: after a cursor, oldest first',
    (db) => listSyncRecords(db, { ...page, sort: 'time', after: cursor('time') }),
  ],
  [
    'records: channel, after a cursor',
    (db) => listSyncRecords(db, { ...page, channel: 'alipay', after: cursor('-time') }),
  ],
  [
    'records: by amount, after a cursor and on into the rows without one',
    (db) => listSyncRecords(db, { ...page, sort: '-amount', after: cursor('-amount') }),
  ],
  [
    'records: by amount ascending, after a row without one',
    (db) => listSyncRecords(db, { ...page, sort: 'amount', after: cursor('amount', null) }),
  ],
  ['orders: after a cursor', (db) => listPayOrders(db, { ...page, after: cursor('-time') })],
  [
    'orders: status, after a cursor',
    (db) => listPayOrders(db, { ...page, status: 'progress', after: cursor('-time') }),
  ],
  [
    'orders: by amount, after a cursor',
    (db) => listPayOrders(db, { ...page, sort: 'amount', after: cursor('amount') }),
  ],
  ['refunds: after a cursor', (db) => listRefundOrders(db, { ...page, after: cursor('-time') })],
  ['repairs: after a cursor', (db) => listRepairRecords(db, { ...page, after: cursor('-time') })],
  [
    'anomalies: by local amount, after a row without one',
    (db) => listAnomalies(db, { ...page, sort: '-amount', after: cursor('-amount', null) }),
  ],
  [
    'anomalies: open, after a cursor',
    (db) => listAnomalies(db, { ...page, status: 'open', after: cursor('-time') }),
  ],
  ['audit: after a cursor', (db) => listAudit(db, { ...page, after: cursor('-time') })],
  [
    'audit: one event, after a cursor',
    (db) => listAudit(db, { ...page, event: 'manual_repair', after: cursor('-time') }),
  ],
  // A number search: the trigram index, the rows above its mark, and the whole numbers.
  ['trade search: pay orders', (db) => matchTrades(db, 'pay', 'gbk2026')],
  ['trade search: refunds', (db) => matchTrades(db, 'refund', 'RF0001')],
  ['trade search: the next slice to index', (db) => indexTradeNumbers(db, 100)],
  ['batch: counts and sums', (db) => batchCounts(db, 1)],
  [
    "batch runner: a claimed page's merchants",
    (db) =>
      merchantsOfItems(
        db,
        Array.from({ length: 512 }, (_, i) => 5_000 + i),
      ),
  ],
  ['batch runner: is the item still held', (db) => itemHeldBy(db, 5_000, 'host:1:x')],
  ['audit: no filter', (db) => listAudit(db, page)],
  ['audit: deep page', (db) => listAudit(db, deep)],
  ['audit: one event', (db) => listAudit(db, { ...page, event: 'merchant_changed' })],
  [
    'audit: time range',
    (db) => listAudit(db, { ...page, since: '2026-11-01 00:00:00', until: '2026-11-02' }),
  ],
  [
    'audit: one event over a time range',
    (db) =>
      listAudit(db, { ...page, event: 'manual_repair', since: '2026-11-01 00:00:00', until: '2026-11-02' }),
  ],

  // The schedules (docs/domain.md section 7): what is due, leaving out what a batch holds (6.7).
  ['schedule: pay orders due', (db) => dueNow(db, 'pay')],
  ['schedule: refunds due', (db) => dueNow(db, 'refund')],
  ['schedule: expired orders to close', (db) => expiredNow(db), true],
  // Read whole, in id order, once a night: no page to keep fast.
  [
    'sync --pending: every pending trade not held',
    (db) => [allPayOrderIds(db, true, true), allRefundOrderIds(db, true, true)],
    true,
  ],
  ['orders: held by a batch', (db) => listPayOrders(db, { ...page, held: true })],
  ['refunds: held by a batch', (db) => listRefundOrders(db, { ...page, held: true })],
  ['batch: trades it holds', (db) => heldByBatch(db, 1)],
  ['batch: its trades not yet final', (db) => openTradesOfBatch(db, 1)],

  // A sync that finds an anomaly reads the trade's latest of the kind (docs/domain.md 6.6). Rolled
  // back: the plans' database stays empty.
  [
    'anomalies: the latest of a kind for a trade, and what followed a decided one',
    (db) => {
      followerOf(db, 1)
      try {
        db.transaction(() => {
          openAnomaly(db, {
            tradeType: 'pay',
            tradeId: 1,
            tradeNo: 'X',
            channel: 'alipay',
            merchantId: 1,
            kind: 'amount_mismatch',
            detail: 'x',
            localStatus: 'progress',
            gatewayStatus: 'TRADE_SUCCESS',
            localAmount: 1,
            gatewayAmount: 2,
            answerStatus: 'pay_success',
            gatewayTime: null,
            syncRecordId: null,
            at: 1,
          })
          throw new Error('rollback')
        })()
      } catch {
        // rolled back on purpose
      }
    },
    true,
  ],
  ['anomalies: one trade', (db) => listAnomalies(db, { ...page, type: 'pay', tradeId: 1 }), true],

  ['statements: no filter', (db) => listStatements(db, page)],
  ['statements: merchant', (db) => listStatements(db, { ...page, merchant: 'm' })],
  ['statements: channel', (db) => listStatements(db, { ...page, channel: 'wechat' })],
  ['statements: result', (db) => listStatements(db, { ...page, result: 'unbalanced' })],
  ['statements: status', (db) => listStatements(db, { ...page, status: 'failed' })],
  ['statements: source', (db) => listStatements(db, { ...page, source: 'upload' })],
  ['statements: days', (db) => listStatements(db, { ...page, since: '2026-10-01', until: '2026-10-31' })],
  ['statement lines: all', (db) => listStatementLines(db, 1, 1, page)],
  ['statement lines: match state', (db) => listStatementLines(db, 1, 1, { ...page, state: 'foreign' })],
  ['statement lines: kind', (db) => listStatementLines(db, 1, 1, { ...page, kind: 'refund' })],
  ['statement lines: with fees', (db) => listStatementLines(db, 1, 1, { ...page, withFee: true })],
  ['statement diffs: all', (db) => listStatementDiffs(db, 1, page)],
  ['statement diffs: kind', (db) => listStatementDiffs(db, 1, { ...page, kind: 'local_only' })],
  ['statement diffs: open', (db) => listStatementDiffs(db, 1, { ...page, status: 'open' })],
  ['statement diffs: number', (db) => listStatementDiffs(db, 1, { ...page, no: 'X' }), true],
  ["carry-over: a statement's entries", (db) => carryOverOf(db, 1), true],
  ["carry-over: a merchant's waiting entries", (db) => waitingOfMerchant(db, 1), true],
  // Not a small result: a page that sorted the lines left after its cursor made matching quadratic.
  ['matching: a page of lines with their local trades (the joins of A6)', (db) => matchLines(db, SCOPE)],
  [
    'matching: the local expected set of a day (A6 rule 6)',
    (db) => expectLocalSide(db, SCOPE, 600_000),
    true,
  ],
]

describe('list queries use indexes', () => {
  for (const [name, run, smallResult] of lists) {
    it(name, () => {
      const plans = plansOf(run)
      expect(plans.length).toBeGreaterThan(0)
      for (const { sql, plan } of plans) {
        // A bare "SCAN x" (no index) reads the whole table; count(*) with no filter is SQLite's own b-tree
        // count.
        if (/^SELECT count\(\*\) AS n FROM \w+ \w+ $/.test(sql)) continue
        // The kept totals hold one row per day and combination of filter values, never one per record.
        if (/FROM \w+_(days|totals) /.test(sql)) continue

        // A virtual table (the ids a number search matched, the trigram index) is not a table scan.
        expect(plan, `${sql}\n=> ${plan}`).not.toMatch(/SCAN [a-z_]+( |$|\|)(?!USING|VIRTUAL TABLE)/)
        expect(plan, `${sql}\n=> ${plan}`).not.toMatch(/SCAN [a-z]+$/)
        // Sorting every matching row would make deep pages slow; only tiny result sets may sort.
        if (!smallResult && /ORDER BY/.test(sql))
          expect(plan, `${sql}\n=> ${plan}`).not.toMatch(/TEMP B-TREE FOR ORDER BY/)
      }
    })
  }
})

describe('the audit log', () => {
  it('reads one event through its own index, not by walking every row by time', () => {
    for (const filter of [{}, { since: '2026-11-01 00:00:00', until: '2026-11-02' }]) {
      const plans = plansOf((db) => listAudit(db, { ...page, event: 'manual_repair', ...filter }))
      for (const { sql, plan } of plans)
        expect(plan, sql).toMatch(/USING (COVERING )?INDEX idx_audit_log_action/)
    }
  })
})

describe('the schedules read what is due through the due index', () => {
  it('which holds neither final trades nor those a paused or cancelled batch holds', () => {
    const plans = plansOf((db) => [dueNow(db, 'pay'), dueNow(db, 'refund')])
    expect(plans.map((p) => p.plan)).toEqual([
      expect.stringMatching(/USING INDEX idx_pay_orders_due \(next_sync_at<\?\)$/),
      expect.stringMatching(/USING INDEX idx_refund_orders_due \(next_sync_at<\?\)$/),
    ])
  })
})

describe('a page after a cursor seeks its place in the index', () => {
  // Not `(key, id) < (?, ?)`: SQLite seeks on the key alone and steps through its ties to the id.
  const seeks = (run: (db: Database.Database) => unknown) =>
    plansOf(run)
      .filter(({ sql }) => /ORDER BY/.test(sql))
      // The list's own table; the merchant's name is joined by its key.
      .map(({ plan }) => plan.split(' | ')[0])

  it('the rest of the last row’s time by id, then the times beyond', () => {
    expect(seeks((db) => listSyncRecords(db, { ...page, after: cursor('-time') }))).toEqual([
      expect.stringMatching(/USING INDEX idx_sync_records_created \(created_at=\? AND rowid<\?\)$/),
      expect.stringMatching(/USING INDEX idx_sync_records_created \(created_at<\?\)$/),
    ])
    expect(
      seeks((db) => listPayOrders(db, { ...page, status: 'progress', sort: 'time', after: cursor('time') })),
    ).toEqual([
      expect.stringMatching(
        /USING INDEX idx_pay_orders_status \(status=\? AND created_at=\? AND rowid>\?\)$/,
      ),
      expect.stringMatching(/USING INDEX idx_pay_orders_status \(status=\? AND created_at>\?\)$/),
    ])
    expect(seeks((db) => listAudit(db, { ...page, event: 'manual_repair', after: cursor('-time') }))).toEqual(
      [
        expect.stringMatching(
          /USING INDEX idx_audit_log_action \(action=\? AND created_at=\? AND rowid<\?\)$/,
        ),
        expect.stringMatching(/USING INDEX idx_audit_log_action \(action=\? AND created_at<\?\)$/),
      ],
    )
  })

  it('by amount, and on into the rows without one as a seek of their own', () => {
    expect(
      seeks((db) => listSyncRecords(db, { ...page, sort: '-amount', after: cursor('-amount', 500) })),
    ).toEqual([
      expect.stringMatching(/USING INDEX idx_sync_records_amount \(amount=\? AND rowid<\?\)$/),
      expect.stringMatching(/USING INDEX idx_sync_records_amount \(amount<\?\)$/),
      expect.stringMatching(/USING INDEX idx_sync_records_amount \(amount=\?\)$/),
    ])
    expect(
      seeks((db) => listAnomalies(db, { ...page, sort: 'amount', after: cursor('amount', null) })),
    ).toEqual([
      expect.stringMatching(/USING INDEX idx_anomalies_amount \(local_amount=\? AND rowid>\?\)$/),
      expect.stringMatching(/USING INDEX idx_anomalies_amount \(local_amount>\?\)$/),
    ])
  })
})
