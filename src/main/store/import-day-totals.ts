import { stmt, type Db } from './connection'

// The list totals of pay orders and refunds are kept per Beijing day by an insert trigger (migration
// 012): one upsert into the day table for every row. An import writes tens of thousands of rows per
// transaction into a few dozen day rows, and the trigger was a quarter of each insert. So an import's
// transaction drops the trigger, inserts, adds its new rows to the day table with one grouped upsert,
// and creates the trigger again, all before it commits: every other writer (a sync, a repair, another
// process) only ever sees the trigger in place, and a process that dies mid-import rolls the drop, the
// rows and the totals back together.

export type KeptTrades = 'pay_orders' | 'refund_orders'

const DAYS: Record<KeptTrades, string> = { pay_orders: 'pay_order_days', refund_orders: 'refund_order_days' }

/**
 * The day table's key and sums of the rows above `id`, as the insert trigger computes them for one row
 * (migration 012, tradeKept): Beijing day, merchant, channel, status, last outcome; count, amount.
 */
const groupedUpsert = (table: KeptTrades) =>
  `INSERT INTO ${DAYS[table]}
     SELECT (created_at + 28800000) / 86400000, merchant_id, channel, status, ifnull(last_sync_outcome, ''),
            count(*), ifnull(sum(amount), 0)
     FROM ${table} WHERE id > ? GROUP BY 1, 2, 3, 4, 5
   ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount`

/**
 * Runs `write` (which only inserts into `table`, and updates it) with the day totals of its new rows
 * added by one grouped upsert instead of a trigger per row. Must run inside a transaction: the trigger
 * is gone only within it. New rows are told by their id: SQLite gives an inserted row without an id one
 * above the highest, so every row `write` adds lies above the highest id before it.
 */
export function withGroupedDayTotals<T>(db: Db, table: KeptTrades, write: () => T): T {
  if (!db.inTransaction) throw new Error('withGroupedDayTotals runs inside a transaction')
  const trigger = `${table}_kept_insert`
  const sql = stmt<[string], { sql: string }>(
    db,
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
  ).get(trigger)?.sql
  // No trigger (a schema this code does not know): the rows are left to whatever keeps them.
  if (sql === undefined) return write()
  const before = stmt<[], { id: number }>(db, `SELECT ifnull(max(id), 0) AS id FROM ${table}`).get()!.id
  db.exec(`DROP TRIGGER ${trigger}`)
  const result = write()
  stmt(db, groupedUpsert(table)).run(before)
  db.exec(sql)
  return result
}
