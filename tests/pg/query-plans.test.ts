import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectPg, pgTarget } from '../../src/main/store/pg/connect'
import { migratePg } from '../../src/main/store/pg/migrate'
import { payOrderPage } from '../../src/main/store/orders/list'
import { recordPage } from '../../src/main/store/records'
import { refundOrderPage } from '../../src/main/store/refunds'
import type { Exec } from '../../src/main/store/sql/exec'
import { numberParams, pgExec } from '../../src/main/store/sql/pg-exec'
import { freshDatabase, pgMissing } from '../helpers/pg'

// The lists on a team database read through indexes (docs/team-mode.md B8.6): each list's default
// page and its number search, as the store functions send them, are explained on PostgreSQL and no
// plan may read a big table whole (a sequential scan) or sort it for the default order. A few
// thousand rows are too few for the planner to prefer an index by cost alone, so the session turns
// sequential scans off: the planner still picks one when no index can answer, which is what must fail.
// The plans are walked as JSON by node type and relation, not matched as text.

const BIG = new Set(['sync_records', 'pay_orders', 'refund_orders'])
const ROWS = 3_000
const DAY = 86_400_000

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Index Cond'?: string
  Plans?: PlanNode[]
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)]

let client: pg.Client
/** Every query a list sent, with its values. */
let sent: Array<{ sql: string; params: unknown[] }> = []
let exec: Exec

async function treeOf(sql: string, params: unknown[]): Promise<PlanNode> {
  const r = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
    `EXPLAIN (FORMAT JSON) ${numberParams(sql)}`,
    params,
  )
  return r.rows[0]!['QUERY PLAN'][0]!.Plan
}

const planOf = async (sql: string, params: unknown[]) => nodes(await treeOf(sql, params))

/** The queries of one call of a list on the big tables, each with its plan's nodes. */
async function plansOf(read: () => Promise<unknown>) {
  sent = []
  await read()
  const onBig = sent.filter((q) => [...BIG].some((t) => new RegExp(`\\b${t}\\b`).test(q.sql)))
  expect(onBig.length).toBeGreaterThan(0)
  const plans = []
  for (const q of onBig) plans.push({ sql: q.sql, plan: await planOf(q.sql, q.params) })
  return plans
}

function expectIndexed(plans: Array<{ sql: string; plan: PlanNode[] }>) {
  for (const { sql, plan } of plans) {
    const scans = plan.filter((n) => n['Node Type'] === 'Seq Scan' && BIG.has(n['Relation Name'] ?? ''))
    expect(
      scans.map((n) => n['Relation Name']),
      sql,
    ).toEqual([])
  }
}

/**
 * A search reads only what it looks for: each scan of a big table seeks with an index condition (a
 * whole index walked in order and filtered reads the table as surely as a sequential scan). The page
 * itself may walk the time index: it stops at its 51st row, and the planner takes that walk when it
 * expects many matches; its count beside it must seek.
 */
function expectSought(plans: Array<{ sql: string; plan: PlanNode[] }>) {
  expectIndexed(plans)
  for (const { sql, plan } of plans) {
    if (/LIMIT \? OFFSET \?$/.test(sql)) continue
    const walks = plan.filter(
      (n) =>
        /^Index (Only )?Scan$/.test(n['Node Type']) && BIG.has(n['Relation Name'] ?? '') && !n['Index Cond'],
    )
    expect(
      walks.map((n) => n['Index Name']),
      sql,
    ).toEqual([])
  }
}

/** The page's query (the one with ORDER BY … LIMIT) neither sorts nor re-sorts what the index gave. */
function expectNoSort(plans: Array<{ sql: string; plan: PlanNode[] }>) {
  const pages = plans.filter((p) => /ORDER BY [\s\S]* LIMIT/.test(p.sql))
  expect(pages.length).toBeGreaterThan(0)
  for (const { sql, plan } of pages)
    expect(
      plan.filter((n) => /Sort/.test(n['Node Type'])).map((n) => n['Node Type']),
      sql,
    ).toEqual([])
}

const scansOfBig = (n: PlanNode) => nodes(n).filter((m) => BIG.has(m['Relation Name'] ?? ''))

/**
 * A page deep in a filtered list steps over its OFFSET rows in the filter's own index alone (an index
 * only scan: the index holds the filter, the order and the id), then reads the page's rows by id. Read
 * through the table instead, every row stepped over is fetched from it and joined to its merchant, and
 * the planner walks the time index (whose order is the table's) dropping other filters' rows: 27 to
 * 79 ms 10,000 rows deep at a million records (docs/team-mode.md B8.6).
 */
async function expectSkippedInIndex(read: () => Promise<unknown>, table: string, index: string) {
  sent = []
  await read()
  const deep = sent.filter((q) => /\bOFFSET\b/.test(q.sql) && new RegExp(`\\b${table}\\b`).test(q.sql))
  expect(deep.length).toBe(1)
  const { sql, params } = deep[0]!
  const tree = await treeOf(sql, params)
  const limits = nodes(tree).filter((n) => n['Node Type'] === 'Limit' && scansOfBig(n).length > 0)
  expect(limits.length, sql).toBe(1)
  const skipping = scansOfBig(limits[0]!)
  expect(
    skipping.map((n) => [n['Node Type'], n['Index Name'], Boolean(n['Index Cond'])]),
    sql,
  ).toEqual([['Index Only Scan', index, true]])
  expect(
    nodes(limits[0]!)
      .filter((n) => /Sort/.test(n['Node Type']))
      .map((n) => n['Node Type']),
    sql,
  ).toEqual([])
  const skipped = new Set(skipping)
  const rest = scansOfBig(tree).filter((n) => !skipped.has(n))
  expect(
    rest.map((n) => [n['Relation Name'], n['Index Name'], n['Index Cond']]),
    sql,
  ).toEqual([[table, `${table}_pkey`, expect.stringMatching(/\(id = /)]])
}

describe.skipIf(pgMissing())('the lists on PostgreSQL read through indexes', () => {
  beforeAll(async () => {
    const url = await freshDatabase()
    client = await connectPg(pgTarget(url))
    await migratePg(client, pgTarget(url))
    const now = Date.now()
    await client.query(
      `INSERT INTO merchants (name, channel, endpoint, created_at, updated_at)
         SELECT 'm' || i, 'alipay', 'https://example.invalid', $1, $1 FROM generate_series(1, 3) i`,
      [now],
    )
    await client.query(
      `INSERT INTO pay_orders (order_no, biz_order_no, gateway_trade_no, merchant_id, channel, amount, status,
         refundable_amount, created_at, updated_at)
       SELECT 'P' || lpad(i::text, 12, '0'), 'B' || lpad(i::text, 12, '0'), '2026' || lpad(i::text, 24, '0'),
         1 + i % 3, 'alipay', 100 + i, (ARRAY['success', 'progress', 'closed'])[1 + i % 3], 100 + i,
         $1::bigint - ($2::bigint - i) * 60000, $1
       FROM generate_series(1, $2::int) i`,
      [now, ROWS],
    )
    await client.query(
      `INSERT INTO refund_orders (refund_no, biz_refund_no, pay_order_id, merchant_id, channel, amount, status,
         created_at, updated_at)
       SELECT 'R' || lpad(i::text, 12, '0'), 'BR' || lpad(i::text, 12, '0'), i, 1 + i % 3, 'alipay', 50,
         'success', $1::bigint - ($2::bigint - i) * 60000, $1
       FROM generate_series(1, $2::int) i`,
      [now, ROWS],
    )
    await client.query(
      `INSERT INTO sync_records (trade_type, trade_id, trade_no, biz_trade_no, channel, merchant_id, gateway_status,
         outcome, source, batch_id, duration_ms, created_at, amount)
       SELECT CASE WHEN i % 5 = 0 THEN 'refund' ELSE 'pay' END, 1 + i % $2::int, 'P' || lpad((1 + i % $2::int)::text, 12, '0'),
         'B' || lpad((1 + i % $2::int)::text, 12, '0'), (ARRAY['alipay', 'wechat', 'daxpay', 'unionpay'])[1 + i % 4],
         1 + i % 3, (ARRAY['pay_success', 'pay_closed', 'pay_timeout', 'refund_success', 'pay_progress'])[1 + i % 5],
         (ARRAY['consistent', 'waiting', 'error'])[1 + i % 3], 'batch', 1 + i / 1000, 20,
         $1::bigint - 90 * $3::bigint + i * 1000, CASE WHEN i % 7 = 0 THEN NULL ELSE 100 + i END
       FROM generate_series(1, $2::int * 3) i`,
      [now, ROWS, DAY],
    )
    // Vacuumed as autovacuum leaves a table rows were copied into: its pages all visible, so an index
    // that holds a row's columns answers for it without the table.
    await client.query('VACUUM ANALYZE')
    await client.query('SET enable_seqscan = off')
    const base = pgExec(client)
    exec = {
      ...base,
      all: (sql, params, how) => {
        sent.push({ sql, params: [...params] })
        return base.all(sql, params, how)
      },
    }
  }, 60_000)

  afterAll(async () => {
    await client?.end()
  })

  it('pages the sync records by time, newest first, straight from an index', async () => {
    const plans = await plansOf(() => recordPage.async(exec, { limit: 50, offset: 0 }))
    expectIndexed(plans)
    expectNoSort(plans)
    const filtered = await plansOf(() => recordPage.async(exec, { result: 'error', limit: 50, offset: 0 }))
    expectIndexed(filtered)
    expectNoSort(filtered)
  })

  it('pages the sync records by amount both ways without sorting them', async () => {
    for (const sort of ['amount', '-amount'] as const) {
      const plans = await plansOf(() => recordPage.async(exec, { sort, limit: 50, offset: 0 }))
      expectIndexed(plans)
      expectNoSort(plans)
    }
  })

  it("pages deep into a filtered list through the filter's own index, then reads the page by id", async () => {
    const deep = { limit: 50, offset: 1_000 }
    for (const [f, index] of [
      [{ channel: 'wechat' }, 'idx_sync_records_channel'],
      [{ merchant: 'm2' }, 'idx_sync_records_merchant'],
      [{ result: 'error' }, 'idx_sync_records_outcome'],
      [{ status: 'pay_timeout' }, 'idx_sync_records_status'],
      [{ type: 'refund' }, 'idx_sync_records_type'],
    ] as const)
      await expectSkippedInIndex(() => recordPage.async(exec, { ...f, ...deep }), 'sync_records', index)
    await expectSkippedInIndex(
      () => payOrderPage.async(exec, { status: 'success', ...deep }),
      'pay_orders',
      'idx_pay_orders_status',
    )
  })

  it('plans a page for its values at each call, never with a kept generic plan', async () => {
    // A prepared statement is planned for its values only its first five runs on a connection, then
    // PostgreSQL may keep one generic plan for every value: a rare gateway status's deep page walked
    // 400,000 rows of the time index. The pages are sent unnamed, so none is kept on the connection.
    for (let i = 0; i < 7; i++)
      for (const offset of [0, 1_000]) {
        await recordPage.async(exec, { status: 'pay_timeout', limit: 50, offset })
        await payOrderPage.async(exec, { status: 'success', limit: 50, offset })
      }
    const kept = await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')
    expect(kept.rows.length).toBeGreaterThan(0)
    expect(kept.rows.map((r) => r.statement).filter((sql) => /\bLIMIT\b/.test(sql))).toEqual([])
  })

  it('finds the sync records of a number through the trades, not by reading every record', async () => {
    expectSought(await plansOf(() => recordPage.async(exec, { no: 'P000000001234', limit: 50, offset: 0 })))
    expectSought(await plansOf(() => recordPage.async(exec, { no: '0000012', limit: 50, offset: 0 })))
  })

  it('pages the pay orders and refunds by time from an index, and finds them by number', async () => {
    for (const read of [
      () => payOrderPage.async(exec, { limit: 50, offset: 0 }),
      () => refundOrderPage.async(exec, { limit: 50, offset: 0 }),
    ]) {
      const plans = await plansOf(read)
      expectIndexed(plans)
      expectNoSort(plans)
    }
    expectIndexed(await plansOf(() => payOrderPage.async(exec, { no: 'P00000000123', limit: 50, offset: 0 })))
    expectIndexed(
      await plansOf(() => refundOrderPage.async(exec, { no: 'R00000000123', limit: 50, offset: 0 })),
    )
  })
})
