import type { Db } from '../db'

// Every entity of docs/domain.md section 2. Money is INTEGER fen, times INTEGER epoch ms (UTC), numbers
// that name trades are TEXT. The gateway's raw text lives in sync_record_bodies so that the record
// table stays narrow and its list queries and deep pages stay fast at millions of rows.
export function initial(db: Db): void {
  db.exec(`
    CREATE TABLE merchants (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL,
      mode TEXT NOT NULL DEFAULT 'direct',
      endpoint TEXT NOT NULL,
      settings TEXT NOT NULL DEFAULT '{}',
      secrets BLOB,
      secret_names TEXT NOT NULL DEFAULT '[]',
      enabled INTEGER NOT NULL DEFAULT 1,
      removed_at INTEGER,
      last_ok_at INTEGER,
      last_error TEXT,
      clock_skew_ms INTEGER,
      last_latency_ms INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    CREATE TABLE pay_orders (
      id INTEGER PRIMARY KEY,
      order_no TEXT NOT NULL,
      biz_order_no TEXT NOT NULL,
      gateway_trade_no TEXT,
      merchant_id INTEGER NOT NULL REFERENCES merchants(id),
      channel TEXT NOT NULL,
      kind TEXT NOT NULL DEFAULT 'pay',
      title TEXT NOT NULL DEFAULT '',
      amount INTEGER NOT NULL CHECK (amount >= 0),
      status TEXT NOT NULL,
      refund_status TEXT NOT NULL DEFAULT 'no_refund',
      refundable_amount INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      expired_at INTEGER,
      paid_at INTEGER,
      closed_at INTEGER,
      version INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL,
      last_sync_at INTEGER,
      last_sync_outcome TEXT,
      last_gateway_status TEXT,
      sync_error_count INTEGER NOT NULL DEFAULT 0,
      next_sync_at INTEGER,
      import_id INTEGER,
      UNIQUE (merchant_id, order_no)
    );
    CREATE INDEX idx_pay_orders_created ON pay_orders (created_at);
    CREATE INDEX idx_pay_orders_status ON pay_orders (status, created_at);
    CREATE INDEX idx_pay_orders_channel ON pay_orders (channel, created_at);
    CREATE INDEX idx_pay_orders_merchant ON pay_orders (merchant_id, created_at);
    CREATE INDEX idx_pay_orders_order_no ON pay_orders (order_no);
    CREATE INDEX idx_pay_orders_biz_no ON pay_orders (biz_order_no);
    CREATE INDEX idx_pay_orders_gateway_no ON pay_orders (gateway_trade_no) WHERE gateway_trade_no IS NOT NULL;
    CREATE INDEX idx_pay_orders_due ON pay_orders (next_sync_at) WHERE status = 'progress';

    CREATE TABLE refund_orders (
      id INTEGER PRIMARY KEY,
      refund_no TEXT NOT NULL,
      biz_refund_no TEXT NOT NULL,
      gateway_refund_no TEXT,
      pay_order_id INTEGER NOT NULL REFERENCES pay_orders(id),
      merchant_id INTEGER NOT NULL REFERENCES merchants(id),
      channel TEXT NOT NULL,
      amount INTEGER NOT NULL CHECK (amount > 0),
      status TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      finished_at INTEGER,
      version INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL,
      last_sync_at INTEGER,
      last_sync_outcome TEXT,
      last_gateway_status TEXT,
      sync_error_count INTEGER NOT NULL DEFAULT 0,
      next_sync_at INTEGER,
      import_id INTEGER,
      UNIQUE (merchant_id, refund_no)
    );
    CREATE INDEX idx_refund_orders_pay ON refund_orders (pay_order_id);
    CREATE INDEX idx_refund_orders_created ON refund_orders (created_at);
    CREATE INDEX idx_refund_orders_status ON refund_orders (status, created_at);
    CREATE INDEX idx_refund_orders_channel ON refund_orders (channel, created_at);
    CREATE INDEX idx_refund_orders_merchant ON refund_orders (merchant_id, created_at);
    CREATE INDEX idx_refund_orders_refund_no ON refund_orders (refund_no);
    CREATE INDEX idx_refund_orders_biz_no ON refund_orders (biz_refund_no);
    CREATE INDEX idx_refund_orders_gateway_no ON refund_orders (gateway_refund_no) WHERE gateway_refund_no IS NOT NULL;
    CREATE INDEX idx_refund_orders_due ON refund_orders (next_sync_at) WHERE status = 'progress';

    CREATE TABLE sync_records (
      id INTEGER PRIMARY KEY,
      trade_type TEXT NOT NULL,
      trade_id INTEGER NOT NULL,
      trade_no TEXT NOT NULL,
      biz_trade_no TEXT NOT NULL,
      gateway_trade_no TEXT,
      channel TEXT NOT NULL,
      merchant_id INTEGER NOT NULL,
      gateway_status TEXT,
      gateway_raw_status TEXT,
      outcome TEXT NOT NULL,
      repair_no TEXT,
      anomaly_id INTEGER,
      error_code TEXT,
      error_msg TEXT,
      client_ip TEXT,
      operator TEXT,
      source TEXT NOT NULL,
      batch_id INTEGER,
      duration_ms INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX idx_sync_records_created ON sync_records (created_at);
    CREATE INDEX idx_sync_records_outcome ON sync_records (outcome, created_at);
    CREATE INDEX idx_sync_records_status ON sync_records (gateway_status, created_at);
    CREATE INDEX idx_sync_records_channel ON sync_records (channel, created_at);
    CREATE INDEX idx_sync_records_merchant ON sync_records (merchant_id, created_at);
    CREATE INDEX idx_sync_records_type ON sync_records (trade_type, created_at);
    CREATE INDEX idx_sync_records_repaired ON sync_records (created_at) WHERE repair_no IS NOT NULL;
    CREATE INDEX idx_sync_records_repair_no ON sync_records (repair_no) WHERE repair_no IS NOT NULL;
    CREATE INDEX idx_sync_records_trade ON sync_records (trade_type, trade_id, created_at);
    CREATE INDEX idx_sync_records_trade_no ON sync_records (trade_no);
    CREATE INDEX idx_sync_records_biz_no ON sync_records (biz_trade_no);
    CREATE INDEX idx_sync_records_gateway_no ON sync_records (gateway_trade_no) WHERE gateway_trade_no IS NOT NULL;
    CREATE INDEX idx_sync_records_batch ON sync_records (batch_id, created_at) WHERE batch_id IS NOT NULL;

    CREATE TABLE sync_record_bodies (
      record_id INTEGER PRIMARY KEY REFERENCES sync_records(id),
      sync_info TEXT,
      action_info TEXT
    );

    CREATE TABLE repair_records (
      id INTEGER PRIMARY KEY,
      repair_no TEXT NOT NULL,
      trade_type TEXT NOT NULL,
      trade_id INTEGER NOT NULL,
      trade_no TEXT NOT NULL,
      source TEXT NOT NULL,
      way TEXT NOT NULL,
      channel TEXT NOT NULL,
      merchant_id INTEGER NOT NULL,
      before_status TEXT NOT NULL,
      after_status TEXT NOT NULL,
      remark TEXT,
      operator TEXT,
      sync_record_id INTEGER,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX idx_repair_records_no ON repair_records (repair_no);
    CREATE INDEX idx_repair_records_created ON repair_records (created_at);
    CREATE INDEX idx_repair_records_trade ON repair_records (trade_type, trade_id, created_at);
    CREATE INDEX idx_repair_records_trade_no ON repair_records (trade_no);
    CREATE INDEX idx_repair_records_way ON repair_records (way, created_at);
    CREATE INDEX idx_repair_records_channel ON repair_records (channel, created_at);
    CREATE INDEX idx_repair_records_merchant ON repair_records (merchant_id, created_at);

    CREATE TABLE anomalies (
      id INTEGER PRIMARY KEY,
      trade_type TEXT NOT NULL,
      trade_id INTEGER NOT NULL,
      trade_no TEXT NOT NULL,
      channel TEXT NOT NULL,
      merchant_id INTEGER NOT NULL,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL,
      local_status TEXT NOT NULL,
      gateway_status TEXT,
      local_amount INTEGER,
      gateway_amount INTEGER,
      sync_record_id INTEGER,
      occurrences INTEGER NOT NULL DEFAULT 1,
      status TEXT NOT NULL DEFAULT 'open',
      resolution TEXT,
      action TEXT,
      repair_no TEXT,
      operator TEXT,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      resolved_at INTEGER
    );
    CREATE INDEX idx_anomalies_status ON anomalies (status, created_at);
    CREATE INDEX idx_anomalies_kind ON anomalies (kind, created_at);
    CREATE INDEX idx_anomalies_created ON anomalies (created_at);
    CREATE INDEX idx_anomalies_trade_no ON anomalies (trade_no);
    CREATE INDEX idx_anomalies_channel ON anomalies (channel, created_at);
    CREATE INDEX idx_anomalies_merchant ON anomalies (merchant_id, created_at);
    -- One open anomaly per trade and kind: a later sync that sees the same problem counts it again.
    CREATE UNIQUE INDEX idx_anomalies_open ON anomalies (trade_type, trade_id, kind) WHERE status = 'open';

    CREATE TABLE batches (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      source_file TEXT,
      import_id INTEGER,
      source TEXT NOT NULL DEFAULT 'batch',
      concurrency INTEGER NOT NULL,
      qps REAL NOT NULL,
      status TEXT NOT NULL,
      owner TEXT,
      heartbeat_at INTEGER,
      total INTEGER NOT NULL DEFAULT 0,
      operator TEXT,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    );
    CREATE INDEX idx_batches_created ON batches (created_at);

    CREATE TABLE batch_items (
      id INTEGER PRIMARY KEY,
      batch_id INTEGER NOT NULL REFERENCES batches(id),
      trade_type TEXT NOT NULL,
      trade_id INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending',
      outcome TEXT,
      gateway_status TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      sync_record_id INTEGER,
      not_before INTEGER,
      UNIQUE (batch_id, trade_type, trade_id)
    );
    CREATE INDEX idx_batch_items_state ON batch_items (batch_id, state, id);
    CREATE INDEX idx_batch_items_outcome ON batch_items (batch_id, outcome);

    CREATE TABLE import_runs (
      id INTEGER PRIMARY KEY,
      file_name TEXT NOT NULL,
      trade_type TEXT NOT NULL,
      encoding TEXT NOT NULL,
      rows_read INTEGER NOT NULL DEFAULT 0,
      inserted INTEGER NOT NULL DEFAULT 0,
      updated INTEGER NOT NULL DEFAULT 0,
      unchanged INTEGER NOT NULL DEFAULT 0,
      rejected INTEGER NOT NULL DEFAULT 0,
      operator TEXT,
      created_at INTEGER NOT NULL,
      finished_at INTEGER
    );

    CREATE TABLE import_errors (
      id INTEGER PRIMARY KEY,
      import_id INTEGER NOT NULL REFERENCES import_runs(id),
      line INTEGER NOT NULL,
      column_name TEXT,
      reason TEXT NOT NULL,
      raw_row TEXT
    );
    CREATE INDEX idx_import_errors_run ON import_errors (import_id, line);

    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      operator TEXT,
      action TEXT NOT NULL,
      target TEXT,
      detail TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX idx_audit_log_created ON audit_log (created_at);

    -- One row per trade being synced: the cross-process lock of docs/domain.md 6.3.
    CREATE TABLE trade_leases (
      trade_key TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID;

    -- The data key that encrypts merchant secrets, wrapped once per way of unlocking it.
    CREATE TABLE keyring (
      scheme TEXT PRIMARY KEY,
      wrapped BLOB NOT NULL,
      params TEXT NOT NULL DEFAULT '{}',
      created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
  `)
}
