import { stmt, type Db } from './connection'

// The list totals of pay orders and refunds are kept per Beijing day by an insert trigger (migration
// 012): one upsert into the day table for every row. An import writes thousands of rows per
// transaction into a few dozen day rows, and the trigger was a quarter of each insert. So an import's
// transaction drops the trigger, inserts, adds its new rows to the day table with one upsert per day
// row, and creates the trigger again, all before it commits: every other writer (a sync, a repair,
// another process) only ever sees the trigger in place, and a process that dies mid-import rolls the
// drop, the rows and the totals back together.

export type KeptTrades = 'pay_orders' | 'refund_orders'

const DAYS: Record<KeptTrades, string> = { pay_orders: 'pay_order_days', refund_orders: 'refund_order_days' }

const UPSERT = ` ON CONFLICT DO UPDATE SET n = n + excluded.n, amount = amount + excluded.amount`

/**
 * The day rows of the rows above `id`, as the insert trigger computes them for one row (migration 012,
 * tradeKept): Beijing day, merchant, channel, status, last outcome; count, amount. GROUP BY sorts,
 * which costs about a microsecond a row: the tally below is the cheap way, this the sure one.
 */
const groupedUpsert = (table: KeptTrades) =>
  `INSERT INTO ${DAYS[table]}
     SELECT (created_at + 28800000) / 86400000, merchant_id, channel, status, ifnull(last_sync_outcome, ''),
            count(*), ifnull(sum(amount), 0)
     FROM ${table} WHERE id > ? GROUP BY 1, 2, 3, 4, 5${UPSERT}`

interface DayRow {
  day: number
  merchantId: number
  channel: string
  status: string
  n: number
  amount: number
}

/**
 * The day rows of the trades a writer inserts, added up as it inserts them (a new trade has no last
 * outcome). A row it cannot add up as SQLite would (a time or an amount that is not a whole number)
 * spoils it, and the grouped query counts the transaction instead.
 */
export class DayTally {
  private rows = new Map<string, DayRow>()
  n = 0
  private spoiled = false

  add(createdAt: number, merchantId: number, channel: string, status: string, amount: number): void {
    this.n += 1
    if (!Number.isSafeInteger(createdAt) || !Number.isSafeInteger(amount)) this.spoiled = true
    if (this.spoiled) return
    // SQLite's integer division truncates toward zero, as Math.trunc does.
    const day = Math.trunc((createdAt + 28_800_000) / 86_400_000)
    const key = `${day}\u0000${merchantId}\u0000${channel}\u0000${status}`
    const row = this.rows.get(key)
    if (row) {
      row.n += 1
      row.amount += amount
    } else this.rows.set(key, { day, merchantId, channel, status, n: 1, amount })
  }

  /** Its rows, when it saw `inserted` rows and added each up; then empty again. */
  take(inserted: number): DayRow[] | null {
    const rows = this.spoiled || inserted !== this.n ? null : [...this.rows.values()]
    this.rows.clear()
    this.n = 0
    this.spoiled = false
    return rows
  }
}

/**
 * Runs `write` (which inserts into `table`, and may update it) with the day totals of its new rows
 * added once at the end instead of by a trigger per row: from `tally` when it saw every new row, else
 * by a grouped query over them. Must run inside a transaction: the trigger is gone only within it. New
 * rows are told by their id: SQLite gives an inserted row without an id one above the highest, so
 * every row `write` adds lies above the highest id before it.
 */
export function withGroupedDayTotals<T>(
  db: Db,
  table: KeptTrades,
  tally: DayTally | null,
  write: () => T,
): T {
  if (!db.inTransaction) throw new Error('withGroupedDayTotals runs inside a transaction')
  const trigger = `${table}_kept_insert`
  const sql = stmt<[string], { sql: string }>(
    db,
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
  ).get(trigger)?.sql
  // No trigger (a schema this code does not know): the rows are left to whatever keeps them.
  if (sql === undefined) return write()
  const before = stmt<[], { id: number }>(db, `SELECT ifnull(max(id), 0) AS id FROM ${table}`).get()!.id
  tally?.take(0)
  db.exec(`DROP TRIGGER ${trigger}`)
  const result = write()
  const inserted = stmt<[number], { n: number }>(db, `SELECT count(*) AS n FROM ${table} WHERE id > ?`).get(
    before,
  )!.n
  const rows = tally?.take(inserted) ?? null
  if (rows) {
    const add = stmt(db, `INSERT INTO ${DAYS[table]} VALUES (?, ?, ?, ?, '', ?, ?)${UPSERT}`)
    for (const r of rows) add.run(r.day, r.merchantId, r.channel, r.status, r.n, r.amount)
  } else if (inserted > 0) stmt(db, groupedUpsert(table)).run(before)
  db.exec(sql)
  return result
}
