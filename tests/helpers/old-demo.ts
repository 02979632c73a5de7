import fs from 'node:fs'
import path from 'node:path'
import type { Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { reconcileDemoDays, startDemoWorld } from '../../src/main/services/demo'
import { dispatch } from '../../src/main/services/index'
import { runImport } from '../../src/main/services/imports'
import { addMerchant } from '../../src/main/services/merchants'
import { createBatch } from '../../src/main/store/batches'

// Books as an older version left them (issue 14, item 2): its first start's sandbox demo in the
// person's own file, synced and with its bill days reconciled (statements, their lines, differences,
// the batches their syncs ran in), then a merchant of the person's own with a trade synced, and a
// batch holding a demo trade beside a real one. What `merchants.removeDemo` takes out, on the file
// and, after `paysync db copy`, on a team database (docs/team-mode.md B8.20).

export interface OlderBooks {
  /** The demo merchants' ids, and the real merchant's. */
  demo: number[]
  shop: number
  /** The batch that holds a demo trade and the real one: it stays, with one item. */
  mixedBatch: number
}

/** Fills `file` (made here) as an older version did; `real` is the simulator of the person's merchant. */
export async function olderBooks(file: string, real: Simulator, passphrase?: string): Promise<OlderBooks> {
  const ctx = new ServiceContext({ dbFile: file, transport: 'cli', operator: 'old', passphrase })
  try {
    const old = await startDemoWorld(ctx)
    let pays: number[]
    try {
      pays = (await dispatch(ctx, 'orders.list', { limit: 500 })).items.map((o) => o.id)
      await dispatch(ctx, 'orders.sync', { ids: pays })
      const refunds = (await dispatch(ctx, 'refunds.list', { limit: 500 })).items.map((r) => r.id)
      await dispatch(ctx, 'orders.sync', { type: 'refund', ids: refunds })
      await reconcileDemoDays(ctx, old.sim)
    } finally {
      await old.sim.close()
    }
    const demo = (await dispatch(ctx, 'merchants.list', {})).map((m) => m.id)
    const shop = (await addMerchant(ctx, real.profiles()[0]!)).id
    const csv = path.join(path.dirname(file), `${path.basename(file)}.csv`)
    fs.writeFileSync(csv, 'orderNo,merchant,amount,status\nREAL-1,shop,100,progress\n')
    await runImport(ctx, { file: csv, type: 'pay', amountUnit: 'fen' })
    const real1 = (await dispatch(ctx, 'orders.list', { no: 'REAL-1' })).items[0]!.id
    await dispatch(ctx, 'orders.sync', { ids: [real1] })
    const mixedBatch = createBatch(ctx.db, {
      name: 'mixed',
      sourceFile: null,
      importId: null,
      concurrency: 1,
      qps: 1,
      operator: 'old',
      items: [
        { type: 'pay', id: real1 },
        { type: 'pay', id: pays[0]! },
      ],
    })
    return { demo, shop, mixedBatch }
  } finally {
    await ctx.close()
  }
}

/** The tables that hold the books' rows (not the audit log, settings or keys), each compared whole. */
export const BOOK_TABLES = [
  'merchants',
  'pay_orders',
  'refund_orders',
  'sync_records',
  'sync_record_bodies',
  'repair_records',
  'anomalies',
  'batches',
  'batch_items',
  'import_runs',
  'import_errors',
  'trade_leases',
  'sync_intents',
  'journal_applied',
  'statements',
  'statement_lines',
  'statement_diffs',
  'carry_over',
  'sync_record_days',
  'sync_record_totals',
  'pay_order_days',
  'refund_order_days',
  'repair_days',
  'anomaly_days',
]

/** A store's answer to a count, whichever store it is. */
export type CountOf = (sql: string) => Promise<number>

/** How many rows each book table holds. */
export async function tableCounts(count: CountOf): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const t of BOOK_TABLES) out[t] = await count(`SELECT count(*) AS n FROM ${t}`)
  return out
}

/** The ids a demo's rows can be found by, read before the removal. */
export interface DemoIds {
  merchants: number[]
  pays: number[]
  refunds: number[]
  statements: number[]
  records: number[]
}

export async function demoIds(
  rows: (sql: string) => Promise<Array<{ id: number | string }>>,
  merchants: number[],
): Promise<DemoIds> {
  const m = `merchant_id IN (${merchants.join(',')})`
  const ids = async (sql: string) => (await rows(sql)).map((r) => Number(r.id))
  return {
    merchants,
    pays: await ids(`SELECT id FROM pay_orders WHERE ${m}`),
    refunds: await ids(`SELECT id FROM refund_orders WHERE ${m}`),
    statements: await ids(`SELECT id FROM statements WHERE ${m}`),
    records: await ids(`SELECT id FROM sync_records WHERE ${m}`),
  }
}

/** Every row anywhere that still names one of the demo's ids, by table: empty once it is all gone. */
export async function demoLeft(count: CountOf, d: DemoIds): Promise<Record<string, number>> {
  const list = (ids: number[]) => `(${ids.length ? ids.join(',') : 'NULL'})`
  const m = `merchant_id IN ${list(d.merchants)}`
  const trades = `((trade_type = 'pay' AND trade_id IN ${list(d.pays)}) OR (trade_type = 'refund' AND trade_id IN ${list(d.refunds)}))`
  const keys = [...d.pays.map((id) => `'pay:${id}'`), ...d.refunds.map((id) => `'refund:${id}'`)]
  const checks: Record<string, string> = {
    merchants: `id IN ${list(d.merchants)}`,
    pay_orders: `${m} OR id IN ${list(d.pays)}`,
    refund_orders: `${m} OR id IN ${list(d.refunds)}`,
    sync_records: m,
    sync_record_bodies: `record_id IN ${list(d.records)}`,
    journal_applied: `record_id IN ${list(d.records)}`,
    repair_records: m,
    anomalies: m,
    batch_items: trades,
    sync_intents: trades,
    trade_leases: `trade_key IN (${keys.join(',') || 'NULL'})`,
    statements: `${m} OR id IN ${list(d.statements)}`,
    statement_lines: `statement_id IN ${list(d.statements)}`,
    statement_diffs: `${m} OR statement_id IN ${list(d.statements)}`,
    carry_over: `${m} OR from_statement_id IN ${list(d.statements)}`,
    sync_record_days: m,
    sync_record_totals: m,
    pay_order_days: m,
    refund_order_days: m,
    repair_days: m,
    anomaly_days: m,
  }
  const left: Record<string, number> = {}
  for (const [table, where] of Object.entries(checks)) {
    const n = await count(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)
    if (n > 0) left[table] = n
  }
  return left
}
