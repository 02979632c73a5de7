import { ddl } from './step'

// The PostgreSQL form of migration 012 (store/migrations/012-list-totals-and-search.ts): the same
// kept counts and sums per Beijing day and filter combination, kept by one PL/pgSQL function per table
// behind its insert, delete and update triggers, with the same key expressions (an absent gateway
// status is '', a flag is 0 or 1) so that a copied database holds the same kept rows in both dialects.
//
// Finding a trade by part of a number: SQLite's contentless FTS5 trigram tables and their marks have
// no PostgreSQL form; pg_trgm's GIN index over the same text (a trade's numbers, one per line) serves
// the same `LIKE '%…%'`. pg_trgm is a trusted extension: the database's owner may create it.

interface Kept {
  table: string
  days: string
  totals?: string
  /** Key columns of the kept rows: name, type, and the row's value as SQL over `ref` ('NEW.', 'OLD.'). */
  keys: Array<[string, 'bigint' | 'text', (ref: string) => string]>
  sums: Array<[string, (ref: string) => string]>
  /** Columns whose change moves a row from one kept key to another, or changes its sums. */
  mutable: string[]
}

const DAY = (ref: string) => `(${ref}created_at + 28800000) / 86400000`
const col = (name: string) => (ref: string) => `${ref}${name}`

function keptSql(k: Kept): string {
  const tables = [{ name: k.days, day: true }, ...(k.totals ? [{ name: k.totals, day: false }] : [])]
  const keyNames = (withDay: boolean) => [...(withDay ? ['day'] : []), ...k.keys.map(([n]) => n)]
  const create = tables.map(
    (t) => `CREATE TABLE ${t.name} (
      ${[
        ...(t.day ? ['day bigint NOT NULL'] : []),
        ...k.keys.map(([n, type]) => `${n} ${type === 'text' ? 'text COLLATE "C"' : type} NOT NULL`),
        'n bigint NOT NULL',
        ...k.sums.map(([n]) => `${n} bigint NOT NULL`),
      ].join(', ')},
      PRIMARY KEY (${keyNames(t.day).join(', ')}));`,
  )
  const add = (ref: string, sign: '' | '-') =>
    tables
      .map((t) => {
        const values = [
          ...(t.day ? [DAY(ref)] : []),
          ...k.keys.map(([, , v]) => v(ref)),
          `${sign}1`,
          ...k.sums.map(([, v]) => `${sign}coalesce(${v(ref)}, 0)`),
        ]
        const bump = ['n', ...k.sums.map(([n]) => n)].map((n) => `${n} = ${t.name}.${n} + excluded.${n}`)
        return `INSERT INTO ${t.name} VALUES (${values.join(', ')})
          ON CONFLICT (${keyNames(t.day).join(', ')}) DO UPDATE SET ${bump.join(', ')};`
      })
      .join('\n')
  const changed = k.mutable.map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`).join(' OR ')
  return `
    ${create.join('\n')}
    CREATE FUNCTION ${k.table}_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        ${add('OLD.', '-')}
      END IF;
      IF TG_OP <> 'DELETE' THEN
        ${add('NEW.', '')}
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER ${k.table}_kept_insert AFTER INSERT ON ${k.table}
      FOR EACH ROW EXECUTE FUNCTION ${k.table}_kept();
    CREATE TRIGGER ${k.table}_kept_delete AFTER DELETE ON ${k.table}
      FOR EACH ROW EXECUTE FUNCTION ${k.table}_kept();
    CREATE TRIGGER ${k.table}_kept_update AFTER UPDATE OF ${k.mutable.join(', ')} ON ${k.table}
      FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION ${k.table}_kept();`
}

// PostgreSQL casts a boolean to integer, not to bigint; the kept column takes the integer as it is.
const flag = (expr: (ref: string) => string) => (ref: string) => `(${expr(ref)})::integer`

const RECORDS: Kept = {
  table: 'sync_records',
  days: 'sync_record_days',
  totals: 'sync_record_totals',
  keys: [
    ['merchant_id', 'bigint', col('merchant_id')],
    ['trade_type', 'text', col('trade_type')],
    ['channel', 'text', col('channel')],
    ['outcome', 'text', col('outcome')],
    ['gateway_status', 'text', (r) => `coalesce(${r}gateway_status, '')`],
    ['source', 'text', col('source')],
    ['repaired', 'bigint', flag((r) => `${r}repair_no IS NOT NULL`)],
    ['repeated', 'bigint', col('repeated')],
  ],
  sums: [['amount', col('amount')]],
  mutable: [
    'merchant_id',
    'trade_type',
    'channel',
    'outcome',
    'gateway_status',
    'source',
    'repair_no',
    'repeated',
    'amount',
    'created_at',
  ],
}

const tradeKept = (table: string, days: string): Kept => ({
  table,
  days,
  keys: [
    ['merchant_id', 'bigint', col('merchant_id')],
    ['channel', 'text', col('channel')],
    ['status', 'text', col('status')],
    ['outcome', 'text', (r) => `coalesce(${r}last_sync_outcome, '')`],
  ],
  sums: [['amount', col('amount')]],
  mutable: ['merchant_id', 'channel', 'status', 'last_sync_outcome', 'amount', 'created_at'],
})

const REPAIRS: Kept = {
  table: 'repair_records',
  days: 'repair_days',
  keys: [
    ['merchant_id', 'bigint', col('merchant_id')],
    ['trade_type', 'text', col('trade_type')],
    ['channel', 'text', col('channel')],
    ['way', 'text', col('way')],
  ],
  sums: [['amount', col('amount')]],
  mutable: ['merchant_id', 'trade_type', 'channel', 'way', 'amount', 'created_at'],
}

const ANOMALIES: Kept = {
  table: 'anomalies',
  days: 'anomaly_days',
  keys: [
    ['merchant_id', 'bigint', col('merchant_id')],
    ['trade_type', 'text', col('trade_type')],
    ['channel', 'text', col('channel')],
    ['status', 'text', col('status')],
    ['kind', 'text', col('kind')],
  ],
  sums: [
    ['local_amount', col('local_amount')],
    ['gateway_amount', col('gateway_amount')],
  ],
  mutable: [
    'merchant_id',
    'trade_type',
    'channel',
    'status',
    'kind',
    'local_amount',
    'gateway_amount',
    'created_at',
  ],
}

/** A trade's numbers as the search index holds them, one per line, as SQLite's trigram table does. */
const searchIndex = (table: string, numbers: [string, string, string]) =>
  `CREATE INDEX idx_${table}_search ON ${table} USING gin
     ((${numbers[0]} || E'\\n' || ${numbers[1]} || coalesce(E'\\n' || ${numbers[2]}, '')) gin_trgm_ops);`

export const listTotalsAndSearch = ddl(`
  ALTER TABLE sync_records ADD COLUMN amount bigint;
  ALTER TABLE sync_records ADD COLUMN repeated bigint NOT NULL DEFAULT 0;
  ALTER TABLE repair_records ADD COLUMN amount bigint;
  ALTER TABLE batch_items ADD COLUMN amount bigint;
  ALTER TABLE merchants ADD COLUMN last_error_code text COLLATE "C";

  ${keptSql(RECORDS)}
  ${keptSql(tradeKept('pay_orders', 'pay_order_days'))}
  ${keptSql(tradeKept('refund_orders', 'refund_order_days'))}
  ${keptSql(REPAIRS)}
  ${keptSql(ANOMALIES)}

  CREATE INDEX idx_pay_orders_amount ON pay_orders (amount);
  CREATE INDEX idx_refund_orders_amount ON refund_orders (amount);
  CREATE INDEX idx_sync_records_amount ON sync_records (amount);
  CREATE INDEX idx_repair_records_amount ON repair_records (amount);
  CREATE INDEX idx_anomalies_amount ON anomalies (local_amount);
  CREATE INDEX idx_anomalies_trade_time ON anomalies (trade_type, trade_id, created_at);

  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  ${searchIndex('pay_orders', ['order_no', 'biz_order_no', 'gateway_trade_no'])}
  ${searchIndex('refund_orders', ['refund_no', 'biz_refund_no', 'gateway_refund_no'])}
`)
