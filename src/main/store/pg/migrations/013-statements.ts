import { ddl } from './step'

// The PostgreSQL form of migration 013 (store/migrations/013-statements.ts): statement
// reconciliation's tables, the carry-over pool with its one-waiting-entry-per-trade partial index,
// the trades' reconciled marks, and the anomaly indexes that keep an unknown trade's anomalies apart.
export const statements = ddl(`
    CREATE TABLE statements (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      merchant_id bigint NOT NULL REFERENCES merchants(id),
      channel text COLLATE "C" NOT NULL,
      bill_kind text COLLATE "C" NOT NULL DEFAULT 'trade',
      bill_date text COLLATE "C" NOT NULL,
      source text COLLATE "C" NOT NULL,
      status text COLLATE "C" NOT NULL DEFAULT 'pending',
      result text COLLATE "C",
      error_code text COLLATE "C",
      error_msg text COLLATE "C",
      error_zh text COLLATE "C",
      file_name text COLLATE "C",
      file_sha256 text COLLATE "C",
      file_path text COLLATE "C",
      file_bytes bigint,
      file_encoding text COLLATE "C",
      file_format text COLLATE "C",
      file_layout text COLLATE "C",
      verified bigint NOT NULL DEFAULT 0,
      gateway_hash text COLLATE "C",
      hash_matched_on text COLLATE "C",
      account_no text COLLATE "C",
      integrity text COLLATE "C",
      checks text COLLATE "C" NOT NULL DEFAULT '[]',
      notices text COLLATE "C" NOT NULL DEFAULT '[]',
      refusal text COLLATE "C",
      totals text COLLATE "C",
      summary text COLLATE "C",
      lines_run bigint NOT NULL DEFAULT 0,
      dry_run bigint NOT NULL DEFAULT 0,
      sync_batch_id bigint,
      open_diffs bigint NOT NULL DEFAULT 0,
      run_count bigint NOT NULL DEFAULT 0,
      last_run_at bigint,
      duration_ms bigint,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      version bigint NOT NULL DEFAULT 0,
      UNIQUE (merchant_id, bill_kind, bill_date)
    );
    CREATE INDEX idx_statements_date ON statements (bill_date);
    CREATE INDEX idx_statements_merchant ON statements (merchant_id, bill_date);
    CREATE INDEX idx_statements_channel ON statements (channel, bill_date);
    CREATE INDEX idx_statements_result ON statements (result, bill_date);
    CREATE INDEX idx_statements_status ON statements (status, bill_date);
    CREATE INDEX idx_statements_batch ON statements (sync_batch_id) WHERE sync_batch_id IS NOT NULL;

    CREATE TABLE statement_lines (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      statement_id bigint NOT NULL REFERENCES statements(id),
      run bigint NOT NULL,
      line_no bigint NOT NULL,
      kind text COLLATE "C" NOT NULL,
      order_no text COLLATE "C" NOT NULL,
      gateway_trade_no text COLLATE "C" NOT NULL,
      refund_no text COLLATE "C" NOT NULL,
      gateway_refund_no text COLLATE "C" NOT NULL,
      amount bigint NOT NULL,
      settle_amount bigint NOT NULL,
      fee_e5 bigint NOT NULL,
      gateway_status text COLLATE "C" NOT NULL,
      line_time bigint,
      sub_merchant text COLLATE "C" NOT NULL,
      account text COLLATE "C" NOT NULL,
      raw text COLLATE "C" NOT NULL,
      -- What makes two lines of one kind the same trade (A6 rule 2): the order number of a payment,
      -- the refund number of a refund, else the gateway's number.
      match_key text COLLATE "C" NOT NULL,
      match_state text COLLATE "C",
      pay_order_id bigint,
      refund_id bigint,
      note text COLLATE "C"
    );
    CREATE INDEX idx_statement_lines_no ON statement_lines (statement_id, run, line_no);
    CREATE INDEX idx_statement_lines_order ON statement_lines (statement_id, run, order_no);
    CREATE INDEX idx_statement_lines_refund ON statement_lines (statement_id, run, refund_no);
    CREATE INDEX idx_statement_lines_gateway ON statement_lines (statement_id, run, gateway_trade_no);
    CREATE INDEX idx_statement_lines_gateway_refund ON statement_lines (statement_id, run, gateway_refund_no);
    CREATE INDEX idx_statement_lines_state ON statement_lines (statement_id, run, match_state, line_no);
    CREATE INDEX idx_statement_lines_kind ON statement_lines (statement_id, run, kind, line_no);
    CREATE INDEX idx_statement_lines_key ON statement_lines (statement_id, run, kind, match_key, id);
    CREATE INDEX idx_statement_lines_pay ON statement_lines (pay_order_id) WHERE pay_order_id IS NOT NULL;
    CREATE INDEX idx_statement_lines_refund_id ON statement_lines (refund_id) WHERE refund_id IS NOT NULL;

    CREATE TABLE statement_diffs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      statement_id bigint NOT NULL REFERENCES statements(id),
      merchant_id bigint NOT NULL,
      kind text COLLATE "C" NOT NULL,
      trade_type text COLLATE "C" NOT NULL,
      trade_key text COLLATE "C" NOT NULL,
      line_id bigint,
      pay_order_id bigint,
      refund_id bigint,
      order_no text COLLATE "C",
      refund_no text COLLATE "C",
      gateway_no text COLLATE "C",
      local_amount bigint,
      statement_amount bigint,
      local_status text COLLATE "C",
      statement_status text COLLATE "C",
      local_time bigint,
      statement_time bigint,
      reason text COLLATE "C" NOT NULL,
      reason_text text COLLATE "C" NOT NULL,
      reason_en text COLLATE "C" NOT NULL,
      label text COLLATE "C",
      action text COLLATE "C" NOT NULL DEFAULT 'none',
      sync_batch_id bigint,
      sync_record_id bigint,
      sync_attempts bigint NOT NULL DEFAULT 0,
      anomaly_id bigint,
      status text COLLATE "C" NOT NULL DEFAULT 'open',
      resolved_by text COLLATE "C",
      remark text COLLATE "C",
      seen_run bigint NOT NULL,
      created_at bigint NOT NULL,
      updated_at bigint NOT NULL,
      UNIQUE (statement_id, kind, trade_type, trade_key)
    );
    CREATE INDEX idx_statement_diffs_list ON statement_diffs (statement_id, id);
    CREATE INDEX idx_statement_diffs_kind ON statement_diffs (statement_id, kind, id);
    CREATE INDEX idx_statement_diffs_status ON statement_diffs (statement_id, status, id);
    CREATE INDEX idx_statement_diffs_open ON statement_diffs (merchant_id, status) WHERE status = 'open';
    CREATE INDEX idx_statement_diffs_batch ON statement_diffs (sync_batch_id) WHERE sync_batch_id IS NOT NULL;
    CREATE INDEX idx_statement_diffs_record ON statement_diffs (sync_record_id) WHERE sync_record_id IS NOT NULL;
    CREATE INDEX idx_statement_diffs_anomaly ON statement_diffs (anomaly_id) WHERE anomaly_id IS NOT NULL;

    CREATE TABLE carry_over (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      merchant_id bigint NOT NULL REFERENCES merchants(id),
      trade_type text COLLATE "C" NOT NULL,
      trade_id bigint NOT NULL,
      from_statement_id bigint NOT NULL REFERENCES statements(id),
      expected_dates text COLLATE "C" NOT NULL,
      reason text COLLATE "C" NOT NULL,
      status text COLLATE "C" NOT NULL DEFAULT 'waiting',
      created_at bigint NOT NULL,
      resolved_at bigint,
      resolved_statement_id bigint
    );
    -- A trade waits in the pool once; a matched or expired entry is history.
    CREATE UNIQUE INDEX idx_carry_over_waiting ON carry_over (trade_type, trade_id) WHERE status = 'waiting';
    CREATE INDEX idx_carry_over_merchant ON carry_over (merchant_id, status, created_at);
    CREATE INDEX idx_carry_over_from ON carry_over (from_statement_id);
    CREATE INDEX idx_carry_over_resolved ON carry_over (resolved_statement_id) WHERE resolved_statement_id IS NOT NULL;

    ALTER TABLE pay_orders ADD COLUMN reconciled_statement_id bigint;
    ALTER TABLE pay_orders ADD COLUMN reconciled_at bigint;
    ALTER TABLE refund_orders ADD COLUMN reconciled_statement_id bigint;
    ALTER TABLE refund_orders ADD COLUMN reconciled_at bigint;
    -- The local expected set of a day (A6 rule 6): successes in a time window, not yet reconciled.
    CREATE INDEX idx_pay_orders_expected ON pay_orders (merchant_id, paid_at)
      WHERE status = 'success' AND reconciled_statement_id IS NULL;
    CREATE INDEX idx_refund_orders_expected ON refund_orders (merchant_id, finished_at)
      WHERE status = 'success' AND reconciled_statement_id IS NULL;
    CREATE INDEX idx_pay_orders_reconciled ON pay_orders (reconciled_statement_id)
      WHERE reconciled_statement_id IS NOT NULL;
    CREATE INDEX idx_refund_orders_reconciled ON refund_orders (reconciled_statement_id)
      WHERE reconciled_statement_id IS NOT NULL;

    -- A statement anomaly names its line; one about a trade we do not have has trade_id 0, and is
    -- kept apart from the one-open-anomaly-per-trade rule, which would fold every unknown trade into one.
    ALTER TABLE anomalies ADD COLUMN statement_line_id bigint;
    ALTER TABLE anomalies ADD COLUMN statement_date text COLLATE "C";
    DROP INDEX idx_anomalies_open;
    CREATE UNIQUE INDEX idx_anomalies_open ON anomalies (trade_type, trade_id, kind)
      WHERE status = 'open' AND trade_id <> 0;
    CREATE UNIQUE INDEX idx_anomalies_open_unknown ON anomalies (merchant_id, kind, trade_type, trade_no, statement_date)
      WHERE status = 'open' AND trade_id = 0;

    -- The gateway's own time of the trade in a verified answer (paid, refunded): a local_only
    -- difference whose trade the gateway put on another day is carried there (A8 rule 3).
    ALTER TABLE sync_records ADD COLUMN gateway_time bigint;
  `)
