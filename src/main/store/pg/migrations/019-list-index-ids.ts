import { ddl } from './step'

// The PostgreSQL form of migration 019 (store/migrations/019-list-index-ids.ts): the indexes the lists
// of sync records, pay orders and refunds are paged through, built again with the id after their
// columns, as SQLite's entries end in the rowid. Without it PostgreSQL found a filter's rows through the
// index but had to sort each time-group by id, and for a rare filter preferred to walk the time index
// and drop rows: a page 10,000 rows deep into one gateway status took 0.5 s at a million records
// (README "Performance"). The amount indexes put rows without an amount first ascending, so that one
// index read forwards or backwards is the order SQLite gives (store/list-cursor.ts nullsAsSqlite).
// The names stay: tests/pg/schema.test.ts compares the indexes of both stores by name, and the columns
// of these by the rule above.

/** Index name, table, its columns in SQLite, and the partial condition, for the lists' indexes. */
export const LIST_INDEXES: ReadonlyArray<[name: string, table: string, columns: string, where?: string]> = [
  ['idx_sync_records_created', 'sync_records', 'created_at'],
  ['idx_sync_records_outcome', 'sync_records', 'outcome, created_at'],
  ['idx_sync_records_status', 'sync_records', 'gateway_status, created_at'],
  ['idx_sync_records_channel', 'sync_records', 'channel, created_at'],
  ['idx_sync_records_merchant', 'sync_records', 'merchant_id, created_at'],
  ['idx_sync_records_type', 'sync_records', 'trade_type, created_at'],
  ['idx_sync_records_repaired', 'sync_records', 'created_at', 'repair_no IS NOT NULL'],
  ['idx_sync_records_batch', 'sync_records', 'batch_id, created_at', 'batch_id IS NOT NULL'],
  ['idx_sync_records_amount', 'sync_records', 'amount NULLS FIRST'],
  ['idx_pay_orders_created', 'pay_orders', 'created_at'],
  ['idx_pay_orders_status', 'pay_orders', 'status, created_at'],
  ['idx_pay_orders_channel', 'pay_orders', 'channel, created_at'],
  ['idx_pay_orders_merchant', 'pay_orders', 'merchant_id, created_at'],
  ['idx_pay_orders_amount', 'pay_orders', 'amount'],
  ['idx_refund_orders_created', 'refund_orders', 'created_at'],
  ['idx_refund_orders_status', 'refund_orders', 'status, created_at'],
  ['idx_refund_orders_channel', 'refund_orders', 'channel, created_at'],
  ['idx_refund_orders_merchant', 'refund_orders', 'merchant_id, created_at'],
  ['idx_refund_orders_amount', 'refund_orders', 'amount'],
]

export const listIndexIds = ddl(
  LIST_INDEXES.map(
    ([name, table, columns, where]) =>
      `DROP INDEX ${name}; CREATE INDEX ${name} ON ${table} (${columns}, id)${where ? ` WHERE ${where}` : ''};`,
  ).join('\n'),
)
