import { ddl } from './step'

// The PostgreSQL form of migration 001 (store/migrations/001-initial.ts): the same tables, columns,
// indexes and partial indexes. SQLite's INTEGER is 64 bits, so every INTEGER is a bigint here (ids,
// money in fen, epoch ms); an `id INTEGER PRIMARY KEY` is an identity column, which a copy fills with
// OVERRIDING SYSTEM VALUE and then moves on (store/copy). WITHOUT ROWID has no meaning here. Text
// compares byte for byte (COLLATE "C") as SQLite's BINARY does, whatever locale the database was made
// with: keys, sorts and ranges then order alike in both dialects, and a text key's index serves a
// copy's reads in that order.
export const initial = ddl(`
    CREATE TABLE merchants (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text COLLATE "C" NOT NULL UNIQUE,
      channel text COLLATE "C" NOT NULL,
      mode text COLLATE "C" NOT NULL DEFAULT 'direct',
      endpoint text COLLATE "C" NOT NULL,
      settings text COLLATE "C" NOT NULL DEFAULT '{}',
      secrets bytea,
      secret_names text COLLATE "C" NOT NULL DEFAULT '[]',
      enabled bigint NOT NULL DEFAULT 1,
      removed_at bigint,
      last_ok_at bigint,
      last_error text COLLATE "C",
      clock_skew_ms bigint,
      last_latency_ms bigint,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL
    );

    CREATE TABLE pay_orders (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_no text COLLATE "C" NOT NULL,
      biz_order_no text COLLATE "C" NOT NULL,
      gateway_trade_no text COLLATE "C",
      merchant_id bigint NOT NULL REFERENCES merchants(id),
      channel text COLLATE "C" NOT NULL,
      kind text COLLATE "C" NOT NULL DEFAULT 'pay',
      title text COLLATE "C" NOT NULL DEFAULT '',
      amount bigint NOT NULL CHECK (amount >= 0),
      status text COLLATE "C" NOT NULL,
      refund_status text COLLATE "C" NOT NULL DEFAULT 'no_refund',
      refundable_amount bigint NOT NULL,
      created_at bigint NOT NULL,
      expired_at bigint,
      paid_at bigint,
      closed_at bigint,
      version bigint NOT NULL DEFAULT 0,
      updated_at bigint NOT NULL,
      last_sync_at bigint,
      last_sync_outcome text COLLATE "C",
      last_gateway_status text COLLATE "C",
      sync_error_count bigint NOT NULL DEFAULT 0,
      next_sync_at bigint,
      import_id bigint,
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
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      refund_no text COLLATE "C" NOT NULL,
      biz_refund_no text COLLATE "C" NOT NULL,
      gateway_refund_no text COLLATE "C",
      pay_order_id bigint NOT NULL REFERENCES pay_orders(id),
      merchant_id bigint NOT NULL REFERENCES merchants(id),
      channel text COLLATE "C" NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      status text COLLATE "C" NOT NULL,
      created_at bigint NOT NULL,
      finished_at bigint,
      version bigint NOT NULL DEFAULT 0,
      updated_at bigint NOT NULL,
      last_sync_at bigint,
      last_sync_outcome text COLLATE "C",
      last_gateway_status text COLLATE "C",
      sync_error_count bigint NOT NULL DEFAULT 0,
      next_sync_at bigint,
      import_id bigint,
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
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      trade_type text COLLATE "C" NOT NULL,
      trade_id bigint NOT NULL,
      trade_no text COLLATE "C" NOT NULL,
      biz_trade_no text COLLATE "C" NOT NULL,
      gateway_trade_no text COLLATE "C",
      channel text COLLATE "C" NOT NULL,
      merchant_id bigint NOT NULL,
      gateway_status text COLLATE "C",
      gateway_raw_status text COLLATE "C",
      outcome text COLLATE "C" NOT NULL,
      repair_no text COLLATE "C",
      anomaly_id bigint,
      error_code text COLLATE "C",
      error_msg text COLLATE "C",
      client_ip text COLLATE "C",
      operator text COLLATE "C",
      source text COLLATE "C" NOT NULL,
      batch_id bigint,
      duration_ms bigint NOT NULL,
      created_at bigint NOT NULL
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
      record_id bigint PRIMARY KEY REFERENCES sync_records(id),
      sync_info text COLLATE "C",
      action_info text COLLATE "C"
    );

    CREATE TABLE repair_records (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      repair_no text COLLATE "C" NOT NULL,
      trade_type text COLLATE "C" NOT NULL,
      trade_id bigint NOT NULL,
      trade_no text COLLATE "C" NOT NULL,
      source text COLLATE "C" NOT NULL,
      way text COLLATE "C" NOT NULL,
      channel text COLLATE "C" NOT NULL,
      merchant_id bigint NOT NULL,
      before_status text COLLATE "C" NOT NULL,
      after_status text COLLATE "C" NOT NULL,
      remark text COLLATE "C",
      operator text COLLATE "C",
      sync_record_id bigint,
      created_at bigint NOT NULL
    );
    CREATE INDEX idx_repair_records_no ON repair_records (repair_no);
    CREATE INDEX idx_repair_records_created ON repair_records (created_at);
    CREATE INDEX idx_repair_records_trade ON repair_records (trade_type, trade_id, created_at);
    CREATE INDEX idx_repair_records_trade_no ON repair_records (trade_no);
    CREATE INDEX idx_repair_records_way ON repair_records (way, created_at);
    CREATE INDEX idx_repair_records_channel ON repair_records (channel, created_at);
    CREATE INDEX idx_repair_records_merchant ON repair_records (merchant_id, created_at);

    CREATE TABLE anomalies (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      trade_type text COLLATE "C" NOT NULL,
      trade_id bigint NOT NULL,
      trade_no text COLLATE "C" NOT NULL,
      channel text COLLATE "C" NOT NULL,
      merchant_id bigint NOT NULL,
      kind text COLLATE "C" NOT NULL,
      detail text COLLATE "C" NOT NULL,
      local_status text COLLATE "C" NOT NULL,
      gateway_status text COLLATE "C",
      local_amount bigint,
      gateway_amount bigint,
      sync_record_id bigint,
      occurrences bigint NOT NULL DEFAULT 1,
      status text COLLATE "C" NOT NULL DEFAULT 'open',
      resolution text COLLATE "C",
      action text COLLATE "C",
      repair_no text COLLATE "C",
      operator text COLLATE "C",
      created_at bigint NOT NULL,
      last_seen_at bigint NOT NULL,
      resolved_at bigint
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
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text COLLATE "C" NOT NULL,
      source_file text COLLATE "C",
      import_id bigint,
      source text COLLATE "C" NOT NULL DEFAULT 'batch',
      concurrency bigint NOT NULL,
      qps double precision NOT NULL,
      status text COLLATE "C" NOT NULL,
      owner text COLLATE "C",
      heartbeat_at bigint,
      total bigint NOT NULL DEFAULT 0,
      operator text COLLATE "C",
      created_at bigint NOT NULL,
      started_at bigint,
      finished_at bigint
    );
    CREATE INDEX idx_batches_created ON batches (created_at);

    CREATE TABLE batch_items (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      batch_id bigint NOT NULL REFERENCES batches(id),
      trade_type text COLLATE "C" NOT NULL,
      trade_id bigint NOT NULL,
      state text COLLATE "C" NOT NULL DEFAULT 'pending',
      outcome text COLLATE "C",
      gateway_status text COLLATE "C",
      attempts bigint NOT NULL DEFAULT 0,
      last_error text COLLATE "C",
      sync_record_id bigint,
      not_before bigint,
      UNIQUE (batch_id, trade_type, trade_id)
    );
    CREATE INDEX idx_batch_items_state ON batch_items (batch_id, state, id);
    CREATE INDEX idx_batch_items_outcome ON batch_items (batch_id, outcome);

    CREATE TABLE import_runs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      file_name text COLLATE "C" NOT NULL,
      trade_type text COLLATE "C" NOT NULL,
      encoding text COLLATE "C" NOT NULL,
      rows_read bigint NOT NULL DEFAULT 0,
      inserted bigint NOT NULL DEFAULT 0,
      updated bigint NOT NULL DEFAULT 0,
      unchanged bigint NOT NULL DEFAULT 0,
      rejected bigint NOT NULL DEFAULT 0,
      operator text COLLATE "C",
      created_at bigint NOT NULL,
      finished_at bigint
    );

    CREATE TABLE import_errors (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      import_id bigint NOT NULL REFERENCES import_runs(id),
      line bigint NOT NULL,
      column_name text COLLATE "C",
      reason text COLLATE "C" NOT NULL,
      raw_row text COLLATE "C"
    );
    CREATE INDEX idx_import_errors_run ON import_errors (import_id, line);

    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      operator text COLLATE "C",
      action text COLLATE "C" NOT NULL,
      target text COLLATE "C",
      detail text COLLATE "C",
      created_at bigint NOT NULL
    );
    CREATE INDEX idx_audit_log_created ON audit_log (created_at);

    -- One row per trade being synced: the cross-process lock of docs/domain.md 6.3.
    CREATE TABLE trade_leases (
      trade_key text COLLATE "C" PRIMARY KEY,
      owner text COLLATE "C" NOT NULL,
      expires_at bigint NOT NULL
    );

    CREATE TABLE settings (
      key text COLLATE "C" PRIMARY KEY,
      value text COLLATE "C" NOT NULL
    );

    -- The data key that encrypts merchant secrets, wrapped once per way of unlocking it.
    CREATE TABLE keyring (
      scheme text COLLATE "C" PRIMARY KEY,
      wrapped bytea NOT NULL,
      params text COLLATE "C" NOT NULL DEFAULT '{}',
      created_at bigint NOT NULL
    );
  `)
