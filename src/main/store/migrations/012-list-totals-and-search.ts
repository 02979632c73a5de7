import type { Db } from '../db'

// Every list shows the count and the sum of its amounts for its filter, and finds a trade by a part of
// any of its numbers (docs/screens.md section 1), at a million rows:
//
// - Sync records and repairs carry the amount of their trade (a refund repair's pay-order row carries
//   none: its money is the refund's, which its other row holds), batch items too. Sync records also say
//   whether they only repeat the trade's previous record (same outcome, gateway status and error, no
//   repair): what "hide repeats" leaves out of the list.
// - Counts and sums are kept by triggers per Beijing day and per combination of the filters each list
//   offers, as migration 002 began for the sync records (whose tables are rebuilt here with the sums and
//   the repeat flag). Summing a million amounts row by row took half a second; the kept rows are a few
//   thousand.
// - A trigram index of each trade's numbers (FTS5, contentless) finds "contains" matches. It is filled
//   in slices behind the writes (store/trade-search.ts): a trigger-fed FTS5 table flushed its index at
//   every statement and cost an import three times its time. `trade_search_marks` says up to which id
//   each table is indexed; the rows above it are matched by reading them. A changed or deleted number of
//   an indexed trade is re-indexed at once (rare: a gateway number learned by a sync).
// - Indexes for sorting by amount, and for an anomaly's trade.
// - A merchant's last error keeps its code beside its sentence: the window says the code in its own
//   language (shared/sync-errors.ts), the sentence is the engine's English or the gateway's words.

const DAY = (ref: string) => `(${ref}created_at + 28800000) / 86400000`

interface Kept {
  table: string
  days: string
  totals?: string
  /** Key columns of the kept rows: name, type, and the row's value as SQL over `ref` ('NEW.', 'OLD.', ''). */
  keys: Array<[string, 'INTEGER' | 'TEXT', (ref: string) => string]>
  /** Kept sums: name and the row's value. */
  sums: Array<[string, (ref: string) => string]>
  /** Columns whose change moves a row from one kept key to another, or changes its sums. */
  mutable?: string[]
}

function keptSql(k: Kept): string {
  const keyNames = k.keys.map(([n]) => n)
  const cols = (withDay: boolean) =>
    [
      ...(withDay ? ['day INTEGER NOT NULL'] : []),
      ...k.keys.map(([n, t]) => `${n} ${t} NOT NULL`),
      'n INTEGER NOT NULL',
      ...k.sums.map(([n]) => `${n} INTEGER NOT NULL`),
    ].join(', ')
  const values = (ref: string, withDay: boolean, sign: '' | '-') =>
    [
      ...(withDay ? [DAY(ref)] : []),
      ...k.keys.map(([, , v]) => v(ref)),
      `${sign}1`,
      ...k.sums.map(([, v]) => `${sign}ifnull(${v(ref)}, 0)`),
    ].join(', ')
  const bump = k.sums.map(([n]) => `, ${n} = ${n} + excluded.${n}`).join('')
  const tables = [{ name: k.days, day: true }, ...(k.totals ? [{ name: k.totals, day: false }] : [])]
  const add = (ref: string, sign: '' | '-') =>
    tables
      .map(
        (t) =>
          `INSERT INTO ${t.name} VALUES (${values(ref, t.day, sign)})
             ON CONFLICT DO UPDATE SET n = n + excluded.n${bump};`,
      )
      .join('\n')
  const groupCols = (withDay: boolean) => [...(withDay ? [DAY('')] : []), ...k.keys.map(([, , v]) => v(''))]
  const fill = tables
    .map(
      (t) =>
        `INSERT INTO ${t.name}
           SELECT ${groupCols(t.day).join(', ')}, count(*), ${k.sums.map(([, v]) => `ifnull(sum(${v('')}), 0)`).join(', ')}
           FROM ${k.table} GROUP BY ${groupCols(t.day)
             .map((_, i) => i + 1)
             .join(', ')};`,
    )
    .join('\n')
  const changed = (k.mutable ?? []).map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')
  return `
    ${tables
      .map(
        (t) =>
          `CREATE TABLE ${t.name} (${cols(t.day)}, PRIMARY KEY (${[...(t.day ? ['day'] : []), ...keyNames].join(', ')})) WITHOUT ROWID;`,
      )
      .join('\n')}
    ${fill}
    CREATE TRIGGER ${k.table}_kept_insert AFTER INSERT ON ${k.table} BEGIN
      ${add('NEW.', '')}
    END;
    CREATE TRIGGER ${k.table}_kept_delete AFTER DELETE ON ${k.table} BEGIN
      ${add('OLD.', '-')}
    END;
    ${
      k.mutable
        ? `CREATE TRIGGER ${k.table}_kept_update AFTER UPDATE OF ${k.mutable.join(', ')} ON ${k.table}
             WHEN ${changed} BEGIN
             ${add('OLD.', '-')}
             ${add('NEW.', '')}
           END;`
        : ''
    }`
}

const col = (name: string) => (ref: string) => `${ref}${name}`

const RECORDS: Kept = {
  table: 'sync_records',
  days: 'sync_record_days',
  totals: 'sync_record_totals',
  keys: [
    ['merchant_id', 'INTEGER', col('merchant_id')],
    ['trade_type', 'TEXT', col('trade_type')],
    ['channel', 'TEXT', col('channel')],
    ['outcome', 'TEXT', col('outcome')],
    ['gateway_status', 'TEXT', (r) => `ifnull(${r}gateway_status, '')`],
    ['source', 'TEXT', col('source')],
    ['repaired', 'INTEGER', (r) => `${r}repair_no IS NOT NULL`],
    ['repeated', 'INTEGER', col('repeated')],
  ],
  sums: [['amount', col('amount')]],
  // Records are written once; should that change (retention, a repair link set later), the totals follow.
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
    ['merchant_id', 'INTEGER', col('merchant_id')],
    ['channel', 'TEXT', col('channel')],
    ['status', 'TEXT', col('status')],
    ['outcome', 'TEXT', (r) => `ifnull(${r}last_sync_outcome, '')`],
  ],
  sums: [['amount', col('amount')]],
  mutable: ['merchant_id', 'channel', 'status', 'last_sync_outcome', 'amount', 'created_at'],
})

const REPAIRS: Kept = {
  table: 'repair_records',
  days: 'repair_days',
  keys: [
    ['merchant_id', 'INTEGER', col('merchant_id')],
    ['trade_type', 'TEXT', col('trade_type')],
    ['channel', 'TEXT', col('channel')],
    ['way', 'TEXT', col('way')],
  ],
  sums: [['amount', col('amount')]],
  mutable: ['merchant_id', 'trade_type', 'channel', 'way', 'amount', 'created_at'],
}

const ANOMALIES: Kept = {
  table: 'anomalies',
  days: 'anomaly_days',
  keys: [
    ['merchant_id', 'INTEGER', col('merchant_id')],
    ['trade_type', 'TEXT', col('trade_type')],
    ['channel', 'TEXT', col('channel')],
    ['status', 'TEXT', col('status')],
    ['kind', 'TEXT', col('kind')],
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

/** A trade's numbers as the trigram index holds them, one per line (a search never spans two). */
const PAY_NOS = (r: string) =>
  `${r}order_no || char(10) || ${r}biz_order_no || ifnull(char(10) || ${r}gateway_trade_no, '')`
const REFUND_NOS = (r: string) =>
  `${r}refund_no || char(10) || ${r}biz_refund_no || ifnull(char(10) || ${r}gateway_refund_no, '')`

function searchSql(table: string, type: string, nos: (r: string) => string, numbers: string[]): string {
  const index = `${table.replace(/s$/, '')}_search`
  const indexed = (ref: string) =>
    `${ref}id <= (SELECT upto FROM trade_search_marks WHERE trade_type = '${type}')`
  return `
    CREATE VIRTUAL TABLE ${index} USING fts5(nos, tokenize = 'trigram', content = '', contentless_delete = 1);
    CREATE TRIGGER ${table}_search_update AFTER UPDATE OF ${numbers.join(', ')} ON ${table}
      WHEN ${indexed('NEW.')} AND (${numbers.map((n) => `OLD.${n} IS NOT NEW.${n}`).join(' OR ')}) BEGIN
      DELETE FROM ${index} WHERE rowid = NEW.id;
      INSERT INTO ${index} (rowid, nos) VALUES (NEW.id, ${nos('NEW.')});
    END;
    -- A new row takes the id after the highest one left, which may be at or below the mark: the mark
    -- comes down with a deleted highest row, so that row is indexed again when it comes.
    CREATE TRIGGER ${table}_search_delete AFTER DELETE ON ${table} WHEN ${indexed('OLD.')} BEGIN
      DELETE FROM ${index} WHERE rowid = OLD.id;
      UPDATE trade_search_marks SET upto = min(upto, (SELECT ifnull(max(id), 0) FROM ${table}))
        WHERE trade_type = '${type}';
    END;`
}

export function listTotalsAndSearch(db: Db): void {
  db.exec(`
    DROP TRIGGER sync_records_count_insert;
    DROP TRIGGER sync_records_count_delete;
    DROP TRIGGER sync_records_count_update;
    DROP TABLE sync_record_days;
    DROP TABLE sync_record_totals;

    ALTER TABLE sync_records ADD COLUMN amount INTEGER;
    ALTER TABLE sync_records ADD COLUMN repeated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE repair_records ADD COLUMN amount INTEGER;
    ALTER TABLE batch_items ADD COLUMN amount INTEGER;
    ALTER TABLE merchants ADD COLUMN last_error_code TEXT;

    UPDATE sync_records SET amount = CASE trade_type
      WHEN 'pay' THEN (SELECT amount FROM pay_orders p WHERE p.id = sync_records.trade_id)
      ELSE (SELECT amount FROM refund_orders r WHERE r.id = sync_records.trade_id) END;
    UPDATE sync_records SET repeated = 1 WHERE id IN (
      SELECT id FROM (
        SELECT id, outcome, gateway_status, error_code, repair_no,
               lag(id) OVER w AS prev_id, lag(outcome) OVER w AS prev_outcome,
               lag(gateway_status) OVER w AS prev_status, lag(error_code) OVER w AS prev_error
        FROM sync_records WINDOW w AS (PARTITION BY trade_type, trade_id ORDER BY created_at, id))
      WHERE prev_id IS NOT NULL AND repair_no IS NULL AND outcome = prev_outcome
        AND gateway_status IS prev_status AND error_code IS prev_error);
    UPDATE repair_records SET amount = CASE
      WHEN trade_type = 'refund' THEN (SELECT amount FROM refund_orders r WHERE r.id = repair_records.trade_id)
      WHEN way LIKE '%refund%' THEN NULL
      ELSE (SELECT amount FROM pay_orders p WHERE p.id = repair_records.trade_id) END;
    UPDATE batch_items SET amount = CASE trade_type
      WHEN 'pay' THEN (SELECT amount FROM pay_orders p WHERE p.id = batch_items.trade_id)
      ELSE (SELECT amount FROM refund_orders r WHERE r.id = batch_items.trade_id) END;

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

    CREATE TABLE trade_search_marks (trade_type TEXT PRIMARY KEY, upto INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO trade_search_marks VALUES ('pay', 0), ('refund', 0);
    ${searchSql('pay_orders', 'pay', PAY_NOS, ['order_no', 'biz_order_no', 'gateway_trade_no'])}
    ${searchSql('refund_orders', 'refund', REFUND_NOS, ['refund_no', 'biz_refund_no', 'gateway_refund_no'])}
  `)
}
