import { all, both, one, run, type Exec, type Q } from './sql/exec'

// Until this version the first start's sandbox put its demo merchants and trades into the person's
// own database, where they stayed for good: in every list, the overview and every export, synced
// every night against a sandbox long gone (issue 14, item 2). The sandbox now has a database of its
// own; this finds what an older version left in the books, and takes it out whole. Written once for
// the desktop's file and a team database, where `paysync db copy` brings it (docs/team-mode.md B8.20).

/**
 * A demo merchant of the old sandbox: named `demo-...` (the names the channel registry's demo gives)
 * and pointed at the simulator on this computer. A real gateway is never on loopback, so a profile
 * a person named demo-something for a real gateway is not taken for one.
 */
export function isSandboxMerchant(m: { name: string; endpoint: string }): boolean {
  if (!m.name.startsWith('demo-')) return false
  try {
    const host = new URL(m.endpoint).hostname
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
  } catch {
    return false
  }
}

/** The old sandbox's merchants in these books, removed ones too (their trades stayed). */
export function* sandboxMerchantIdsOn(x: Exec): Q<number[]> {
  const rows = yield* all<{ id: number; name: string; endpoint: string }>(
    x,
    "SELECT id, name, endpoint FROM merchants WHERE substr(name, 1, 5) = 'demo-'",
  )
  return rows.filter(isSandboxMerchant).map((m) => Number(m.id))
}

/**
 * `column` is one of `ids`, with its one bound parameter: an array on PostgreSQL, a JSON list on
 * SQLite (as store/batch-run.ts passes a page of items). No id is ever written into the SQL text.
 */
export function amongIds(x: Exec, column: string, ids: number[]): [string, unknown] {
  return x.dialect === 'pg'
    ? [`${column} = ANY (?::bigint[])`, ids]
    : [`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(ids)]
}

/** The demo's trades as batch items, trade leases and intents name them, over its merchants' condition. */
export const demoTrades = (m: string) => ({
  pays: `SELECT id FROM pay_orders WHERE ${m}`,
  refunds: `SELECT id FROM refund_orders WHERE ${m}`,
  /** Rows with `trade_type` and `trade_id` (batch items, intents): two parameters, both the merchants'. */
  items: (prefix = '') =>
    `((${prefix}trade_type = 'pay' AND ${prefix}trade_id IN (SELECT id FROM pay_orders WHERE ${m}))
      OR (${prefix}trade_type = 'refund' AND ${prefix}trade_id IN (SELECT id FROM refund_orders WHERE ${m})))`,
  /** Trade leases: two parameters, both the merchants'. */
  leases: `(trade_key IN (SELECT 'pay:' || id FROM pay_orders WHERE ${m})
      OR trade_key IN (SELECT 'refund:' || id FROM refund_orders WHERE ${m}))`,
})

export interface DemoDataCounts {
  merchants: number
  payOrders: number
  refunds: number
  records: number
  repairs: number
  anomalies: number
}

const NONE: DemoDataCounts = { merchants: 0, payOrders: 0, refunds: 0, records: 0, repairs: 0, anomalies: 0 }

function* countOf(x: Exec, ids: number[]): Q<DemoDataCounts> {
  if (ids.length === 0) return { ...NONE }
  const [m, p] = amongIds(x, 'merchant_id', ids)
  const n = (table: string) => `(SELECT count(*) FROM ${table} WHERE ${m})`
  const row = yield* one<Record<'p' | 'r' | 's' | 'x' | 'a', number | string>>(
    x,
    `SELECT ${n('pay_orders')} AS p, ${n('refund_orders')} AS r, ${n('sync_records')} AS s,
            ${n('repair_records')} AS x, ${n('anomalies')} AS a`,
    [p, p, p, p, p],
  )
  return {
    merchants: ids.length,
    payOrders: Number(row!.p),
    refunds: Number(row!.r),
    records: Number(row!.s),
    repairs: Number(row!.x),
    anomalies: Number(row!.a),
  }
}

/** How much of the old sandbox's demo these books hold: all zero when none. */
export const countDemoOn = both(function* (x: Exec): Q<DemoDataCounts> {
  return yield* countOf(x, yield* sandboxMerchantIdsOn(x))
})

/** What the window's notice says of it: merchants and trades, none once removed (app.info). */
export const demoInBooksOn = both(function* (x: Exec): Q<{ merchants: number; trades: number }> {
  const c = yield* countDemoOn(x)
  return { merchants: c.merchants, trades: c.payOrders + c.refunds }
})

/** The kept counts of the lists (migration 012), keyed by merchant among others. */
const KEPT = [
  'sync_record_days',
  'sync_record_totals',
  'pay_order_days',
  'refund_order_days',
  'repair_days',
  'anomaly_days',
]

export interface DemoDeletion {
  counts: DemoDataCounts
  /** The merchants taken out: their adapters are forgotten by the caller. */
  merchantIds: number[]
}

/**
 * Takes the old sandbox's merchants out of the books with everything that hangs on them: their
 * orders and refunds, sync records and their raw text, repairs, anomalies, statements (their lines,
 * differences and carried-over trades), batch items, leases and intents, the batches and import runs
 * that held nothing else, and the lists' kept counts left at zero. In the caller's transaction: all
 * or nothing. Returns what went.
 */
export function* deleteDemoOn(x: Exec, ids: number[]): Q<DemoDeletion> {
  const counts = yield* countOf(x, ids)
  if (ids.length === 0) return { counts, merchantIds: [] }
  const [m, p] = amongIds(x, 'merchant_id', ids)
  const t = demoTrades(m)
  const batches = yield* all<{ id: number }>(
    x,
    `SELECT DISTINCT batch_id AS id FROM batch_items WHERE ${t.items()}`,
    [p, p],
  )
  const imports = yield* all<{ id: number }>(
    x,
    `SELECT DISTINCT import_id AS id FROM pay_orders WHERE ${m} AND import_id IS NOT NULL
     UNION SELECT DISTINCT import_id FROM refund_orders WHERE ${m} AND import_id IS NOT NULL`,
    [p, p],
  )
  const statements = `SELECT id FROM statements WHERE ${m}`
  const steps: Array<[string, number]> = [
    [`DELETE FROM sync_record_bodies WHERE record_id IN (SELECT id FROM sync_records WHERE ${m})`, 1],
    [`DELETE FROM journal_applied WHERE record_id IN (SELECT id FROM sync_records WHERE ${m})`, 1],
    [`DELETE FROM sync_records WHERE ${m}`, 1],
    [`DELETE FROM repair_records WHERE ${m}`, 1],
    [`DELETE FROM anomalies WHERE ${m}`, 1],
    [`DELETE FROM sync_intents WHERE ${t.items()}`, 2],
    [`DELETE FROM trade_leases WHERE ${t.leases}`, 2],
    // A statement references its merchant (migration 013): its rows go before the merchant does.
    [`DELETE FROM statement_lines WHERE statement_id IN (${statements})`, 1],
    [`DELETE FROM statement_diffs WHERE ${m} OR statement_id IN (${statements})`, 2],
    [
      `DELETE FROM carry_over WHERE ${m} OR from_statement_id IN (${statements})
         OR resolved_statement_id IN (${statements})`,
      3,
    ],
    [`DELETE FROM statements WHERE ${m}`, 1],
    [`DELETE FROM batch_items WHERE ${t.items()}`, 2],
    [`DELETE FROM refund_orders WHERE ${m}`, 1],
    [`DELETE FROM pay_orders WHERE ${m}`, 1],
    [`DELETE FROM merchants WHERE ${amongIds(x, 'id', ids)[0]}`, 1],
  ]
  for (const [sql, params] of steps) yield* run(x, sql, Array<unknown>(params).fill(p))
  // A batch or an import of demo trades alone goes with them; one that also held real trades
  // stays, its total now what it holds. A batch that goes takes its runners' lapsed leases along.
  for (const { id } of batches) {
    const gone = yield* run(
      x,
      'DELETE FROM batches WHERE id = ? AND NOT EXISTS (SELECT 1 FROM batch_items WHERE batch_id = ?)',
      [id, id],
    )
    if (gone)
      yield* run(x, 'DELETE FROM trade_leases WHERE trade_key LIKE ?', [`batch:${Number(id)}:runner:%`])
    else
      yield* run(
        x,
        'UPDATE batches SET total = (SELECT count(*) FROM batch_items WHERE batch_id = ?) WHERE id = ?',
        [id, id],
      )
  }
  const used = `SELECT import_id FROM pay_orders WHERE import_id IS NOT NULL
                UNION SELECT import_id FROM refund_orders WHERE import_id IS NOT NULL`
  for (const { id } of imports) {
    yield* run(x, `DELETE FROM import_errors WHERE import_id = ? AND ? NOT IN (${used})`, [id, id])
    yield* run(x, `DELETE FROM import_runs WHERE id = ? AND ? NOT IN (${used})`, [id, id])
  }
  // The kept counts follow each delete by trigger; on PostgreSQL at COMMIT (migration 020), so they
  // are brought up now, and the demo merchants' rows, all at zero, go too.
  if (x.dialect === 'pg') yield* run(x, 'SET CONSTRAINTS ALL IMMEDIATE')
  for (const table of KEPT) yield* run(x, `DELETE FROM ${table} WHERE ${m} AND n = 0`, [p])
  return { counts, merchantIds: ids }
}
