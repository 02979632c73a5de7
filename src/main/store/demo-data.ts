import type { Db } from './connection'
import { stmt } from './connection'

// Until this version the first start's sandbox put its demo merchants and trades into the person's
// own database, where they stayed for good: in every list, the overview and every export, synced
// every night against a sandbox long gone (issue 14, item 2). The sandbox now has a database of its
// own; this finds what an older version left in the books, and takes it out whole.

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
function sandboxMerchantIds(db: Db): number[] {
  return stmt<[], { id: number; name: string; endpoint: string }>(
    db,
    "SELECT id, name, endpoint FROM merchants WHERE substr(name, 1, 5) = 'demo-'",
  )
    .all()
    .filter(isSandboxMerchant)
    .map((m) => m.id)
}

export interface DemoDataCounts {
  merchants: number
  payOrders: number
  refunds: number
  records: number
  repairs: number
  anomalies: number
}

const ids = (list: number[]) => `(${list.map((n) => Math.trunc(n)).join(',')})`

/** How much of the old sandbox's demo these books hold: all zero when none. */
export function countDemoData(db: Db): DemoDataCounts {
  const m = sandboxMerchantIds(db)
  if (m.length === 0) return { merchants: 0, payOrders: 0, refunds: 0, records: 0, repairs: 0, anomalies: 0 }
  const count = (table: string) =>
    (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE merchant_id IN ${ids(m)}`).get() as { n: number }).n
  return {
    merchants: m.length,
    payOrders: count('pay_orders'),
    refunds: count('refund_orders'),
    records: count('sync_records'),
    repairs: count('repair_records'),
    anomalies: count('anomalies'),
  }
}

/**
 * Takes the old sandbox's merchants out of the books with everything that hangs on them: their
 * orders and refunds, sync records and their raw text, repairs, anomalies, batch items and leases,
 * and the batches and import runs that held nothing else. One transaction: all or nothing. Returns
 * what went.
 */
export function deleteDemoData(db: Db): DemoDataCounts {
  return db
    .transaction(() => {
      const counts = countDemoData(db)
      if (counts.merchants === 0) return counts
      const m = ids(sandboxMerchantIds(db))
      const pays = `SELECT id FROM pay_orders WHERE merchant_id IN ${m}`
      const refunds = `SELECT id FROM refund_orders WHERE merchant_id IN ${m}`
      const items = `(trade_type = 'pay' AND trade_id IN (${pays})) OR (trade_type = 'refund' AND trade_id IN (${refunds}))`
      const batches = db
        .prepare(`SELECT DISTINCT batch_id AS id FROM batch_items WHERE ${items}`)
        .all() as Array<{ id: number }>
      const imports = db
        .prepare(
          `SELECT DISTINCT import_id AS id FROM pay_orders WHERE merchant_id IN ${m} AND import_id IS NOT NULL
           UNION SELECT DISTINCT import_id FROM refund_orders WHERE merchant_id IN ${m} AND import_id IS NOT NULL`,
        )
        .all() as Array<{ id: number }>
      db.exec(`
        DELETE FROM sync_record_bodies WHERE record_id IN (SELECT id FROM sync_records WHERE merchant_id IN ${m});
        DELETE FROM sync_records WHERE merchant_id IN ${m};
        DELETE FROM repair_records WHERE merchant_id IN ${m};
        DELETE FROM anomalies WHERE merchant_id IN ${m};
        DELETE FROM trade_leases WHERE trade_key IN (SELECT 'pay:' || id FROM pay_orders WHERE merchant_id IN ${m})
          OR trade_key IN (SELECT 'refund:' || id FROM refund_orders WHERE merchant_id IN ${m});
        DELETE FROM batch_items WHERE ${items};
        DELETE FROM refund_orders WHERE merchant_id IN ${m};
        DELETE FROM pay_orders WHERE merchant_id IN ${m};
        DELETE FROM merchants WHERE id IN ${m};
      `)
      // A batch or an import of demo trades alone goes with them; one that also held real trades
      // stays, its total now what it holds.
      if (batches.length) {
        const b = ids(batches.map((x) => x.id))
        db.exec(`
          DELETE FROM batches WHERE id IN ${b} AND NOT EXISTS (SELECT 1 FROM batch_items WHERE batch_id = batches.id);
          UPDATE batches SET total = (SELECT count(*) FROM batch_items WHERE batch_id = batches.id) WHERE id IN ${b};
        `)
      }
      if (imports.length) {
        const i = ids(imports.map((x) => x.id))
        const used = `SELECT import_id FROM pay_orders WHERE import_id IS NOT NULL UNION SELECT import_id FROM refund_orders WHERE import_id IS NOT NULL`
        db.exec(`
          DELETE FROM import_errors WHERE import_id IN ${i} AND import_id NOT IN (${used});
          DELETE FROM import_runs WHERE id IN ${i} AND id NOT IN (${used});
        `)
      }
      return counts
    })
    .immediate()
}
