import type { Db } from '../db'

// Statement reconciliation (docs/reconcile.md A3): one statement per merchant, bill kind and bill
// day; its lines as the file gave them, kept per load (`run`) so a replaced file stays auditable; the
// differences with what each led to; the carry-over pool of trades expected on another day; the mark
// on a trade that a statement confirmed it. Every list filter and every matching join has its index
// (tests/store/query-plans.test.ts).
export function statements(db: Db): void {
  db.exec(`
    CREATE TABLE statements (
      id INTEGER PRIMARY KEY,
      merchant_id INTEGER NOT NULL REFERENCES merchants(id),
      channel TEXT NOT NULL,
      bill_kind TEXT NOT NULL DEFAULT 'trade',
      bill_date TEXT NOT NULL,
      source TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'pending',
      result TEXT,
      error_code TEXT,
      error_msg TEXT,
      error_zh TEXT,
      file_name TEXT,
      file_sha256 TEXT,
      file_path TEXT,
      file_bytes INTEGER,
      file_encoding TEXT,
      file_format TEXT,
      file_layout TEXT,
      verified INTEGER NOT NULL DEFAULT 0,
      gateway_hash TEXT,
      hash_matched_on TEXT,
      account_no TEXT,
      integrity TEXT,
      checks TEXT NOT NULL DEFAULT '[]',
      notices TEXT NOT NULL DEFAULT '[]',
      refusal TEXT,
      totals TEXT,
      summary TEXT,
      lines_run INTEGER NOT NULL DEFAULT 0,
      dry_run INTEGER NOT NULL DEFAULT 0,
      sync_batch_id INTEGER,
      open_diffs INTEGER NOT NULL DEFAULT 0,
      run_count INTEGER NOT NULL DEFAULT 0,
      last_run_at INTEGER,
      duration_ms INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      version INTEGER NOT NULL DEFAULT 0,
      UNIQUE (merchant_id, bill_kind, bill_date)
    );
    CREATE INDEX idx_statements_date ON statements (bill_date);
    CREATE INDEX idx_statements_merchant ON statements (merchant_id, bill_date);
    CREATE INDEX idx_statements_channel ON statements (channel, bill_date);
    CREATE INDEX idx_statements_result ON statements (result, bill_date);
    CREATE INDEX idx_statements_status ON statements (status, bill_date);
    CREATE INDEX idx_statements_batch ON statements (sync_batch_id) WHERE sync_batch_id IS NOT NULL;

    CREATE TABLE statement_lines (
      id INTEGER PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      run INTEGER NOT NULL,
      line_no INTEGER NOT NULL,
      kind TEXT NOT NULL,
      order_no TEXT NOT NULL,
      gateway_trade_no TEXT NOT NULL,
      refund_no TEXT NOT NULL,
      gateway_refund_no TEXT NOT NULL,
      amount INTEGER NOT NULL,
      settle_amount INTEGER NOT NULL,
      fee_e5 INTEGER NOT NULL,
      gateway_status TEXT NOT NULL,
      line_time INTEGER,
      sub_merchant TEXT NOT NULL,
      account TEXT NOT NULL,
      raw TEXT NOT NULL,
      -- What makes two lines of one kind the same trade (A6 rule 2): the order number of a payment,
      -- the refund number of a refund, else the gateway's number.
      match_key TEXT NOT NULL,
      match_state TEXT,
      pay_order_id INTEGER,
      refund_id INTEGER,
      note TEXT
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
      id INTEGER PRIMARY KEY,
      statement_id INTEGER NOT NULL REFERENCES statements(id),
      merchant_id INTEGER NOT NULL,
      kind TEXT NOT NULL,
      trade_type TEXT NOT NULL,
      trade_key TEXT NOT NULL,
      line_id INTEGER,
      pay_order_id INTEGER,
      refund_id INTEGER,
      order_no TEXT,
      refund_no TEXT,
      gateway_no TEXT,
      local_amount INTEGER,
      statement_amount INTEGER,
      local_status TEXT,
      statement_status TEXT,
      local_time INTEGER,
      statement_time INTEGER,
      reason TEXT NOT NULL,
      reason_text TEXT NOT NULL,
      reason_en TEXT NOT NULL,
      label TEXT,
      action TEXT NOT NULL DEFAULT 'none',
      sync_batch_id INTEGER,
      sync_record_id INTEGER,
      sync_attempts INTEGER NOT NULL DEFAULT 0,
      anomaly_id INTEGER,
      status TEXT NOT NULL DEFAULT 'open',
      resolved_by TEXT,
      remark TEXT,
      seen_run INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
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
      id INTEGER PRIMARY KEY,
      merchant_id INTEGER NOT NULL REFERENCES merchants(id),
      trade_type TEXT NOT NULL,
      trade_id INTEGER NOT NULL,
      from_statement_id INTEGER NOT NULL REFERENCES statements(id),
      expected_dates TEXT NOT NULL,
      reason TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'waiting',
      created_at INTEGER NOT NULL,
      resolved_at INTEGER,
      resolved_statement_id INTEGER
    );
    -- A trade waits in the pool once; a matched or expired entry is history.
    CREATE UNIQUE INDEX idx_carry_over_waiting ON carry_over (trade_type, trade_id) WHERE status = 'waiting';
    CREATE INDEX idx_carry_over_merchant ON carry_over (merchant_id, status, created_at);
    CREATE INDEX idx_carry_over_from ON carry_over (from_statement_id);
    CREATE INDEX idx_carry_over_resolved ON carry_over (resolved_statement_id) WHERE resolved_statement_id IS NOT NULL;

    ALTER TABLE pay_orders ADD COLUMN reconciled_statement_id INTEGER;
    ALTER TABLE pay_orders ADD COLUMN reconciled_at INTEGER;
    ALTER TABLE refund_orders ADD COLUMN reconciled_statement_id INTEGER;
    ALTER TABLE refund_orders ADD COLUMN reconciled_at INTEGER;
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
    ALTER TABLE anomalies ADD COLUMN statement_line_id INTEGER;
    ALTER TABLE anomalies ADD COLUMN statement_date TEXT;
    DROP INDEX idx_anomalies_open;
    CREATE UNIQUE INDEX idx_anomalies_open ON anomalies (trade_type, trade_id, kind)
      WHERE status = 'open' AND trade_id <> 0;
    CREATE UNIQUE INDEX idx_anomalies_open_unknown ON anomalies (merchant_id, kind, trade_type, trade_no, statement_date)
      WHERE status = 'open' AND trade_id = 0;

    -- The gateway's own time of the trade in a verified answer (paid, refunded): a local_only
    -- difference whose trade the gateway put on another day is carried there (A8 rule 3).
    ALTER TABLE sync_records ADD COLUMN gateway_time INTEGER;
  `)
}
