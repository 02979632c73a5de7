import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/main/store/connection'
import { listSyncRecords } from '../../src/main/store/records'
import { listPayOrders } from '../../src/main/store/orders'
import { listRefundOrders } from '../../src/main/store/refunds'
import { listRepairRecords } from '../../src/main/store/repairs'
import { listAnomalies } from '../../src/main/store/anomalies'
import { pendingItems } from '../../src/main/store/batches'
import { insertMerchant } from '../../src/main/store/merchants'
import { listStatements } from '../../src/main/store/statements'
import { listStatementLines } from '../../src/main/store/statement-lines'
import { listStatementDiffs } from '../../src/main/store/statement-diffs'
import { carryOverOf, waitingOfMerchant } from '../../src/main/store/carry-over'
import { matchLines } from '../../src/main/engine/reconcile/match'
import { expectLocalSide } from '../../src/main/engine/reconcile/expected'
import { dayWindow } from '../../src/main/engine/reconcile/windows'
import type { MatchScope } from '../../src/main/engine/reconcile/scope'
import { tempDir } from '../helpers/world'

// Every filter of every list uses an index (ARCHITECTURE.md, Store): the SQL each list runs is
// captured from the real store functions and checked with EXPLAIN QUERY PLAN.

let dir: string
let file: string
beforeAll(() => {
  dir = tempDir()
  file = path.join(dir, 'plans.db')
  const db = openStore(file)
  insertMerchant(db, {
    name: 'm',
    channel: 'alipay',
    mode: 'direct',
    endpoint: 'https://x',
    settings: {},
    secrets: null,
    secretNames: [],
    enabled: true,
  })
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
  window: dayWindow('2026-10-03'),
  now: 0,
}
const deep = { limit: 50, offset: 10_000 }

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
  ['batch runner: the next page of pending items', (db) => pendingItems(db, 1, 5_000, 512)],

  ['statements: no filter', (db) => listStatements(db, page)],
  ['statements: merchant', (db) => listStatements(db, { ...page, merchant: 'm' })],
  ['statements: channel', (db) => listStatements(db, { ...page, channel: 'wechat' })],
  ['statements: result', (db) => listStatements(db, { ...page, result: 'unbalanced' })],
  ['statements: status', (db) => listStatements(db, { ...page, status: 'failed' })],
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
  [
    'matching: a page of lines with their local trades (the joins of A6)',
    (db) => matchLines(db, SCOPE),
    true,
  ],
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
        // The kept totals hold one row per combination of filter values, never one per record.
        if (/FROM sync_record_totals/.test(sql)) continue

        expect(plan, `${sql}\n=> ${plan}`).not.toMatch(/SCAN [a-z_]+( |$|\|)(?!USING)/)
        expect(plan, `${sql}\n=> ${plan}`).not.toMatch(/SCAN [a-z]+$/)
        // Sorting every matching row would make deep pages slow; only tiny result sets may sort.
        if (!smallResult && /ORDER BY/.test(sql))
          expect(plan, `${sql}\n=> ${plan}`).not.toMatch(/TEMP B-TREE FOR ORDER BY/)
      }
    })
  }
})
