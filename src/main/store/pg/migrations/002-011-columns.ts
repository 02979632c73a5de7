import { ddl, nothingOnPostgres } from './step'

// The PostgreSQL forms of migrations 002 to 011 (store/migrations/, same numbers): the columns,
// tables and indexes each added, in the same order, so a table's columns come in the same order in
// both dialects. What a step did to the rows already there is left out (step.ts, nothingOnPostgres).

/** 002's count tables and their triggers were replaced by 012's before PaySync ran on PostgreSQL. */
export const recordCounts = nothingOnPostgres

export const anomalyGatewayTime = ddl('ALTER TABLE anomalies ADD COLUMN gateway_time bigint')

/** 004 only took a clear token out of removed profiles' settings. */
export const forgetRemovedTokens = nothingOnPostgres

export const recordTextCut = ddl(`
  ALTER TABLE sync_record_bodies ADD COLUMN sync_info_bytes bigint;
  ALTER TABLE sync_record_bodies ADD COLUMN sync_info_sha256 text COLLATE "C";
  ALTER TABLE sync_record_bodies ADD COLUMN action_info_bytes bigint;
  ALTER TABLE sync_record_bodies ADD COLUMN action_info_sha256 text COLLATE "C";
`)

export const secretAnchors = ddl('ALTER TABLE merchants ADD COLUMN secrets_anchor text COLLATE "C"')

export const whoActed = ddl(`
  ${['audit_log', 'repair_records', 'anomalies', 'batches']
    .map(
      (t) =>
        `ALTER TABLE ${t} ADD COLUMN system_user text COLLATE "C"; ALTER TABLE ${t} ADD COLUMN transport text COLLATE "C";`,
    )
    .join('\n')}
  CREATE INDEX idx_audit_log_action ON audit_log (action, created_at);
`)

export const decidedAnswers = ddl(`
  ALTER TABLE anomalies ADD COLUMN answer_status text COLLATE "C";
  ALTER TABLE anomalies ADD COLUMN follows_id bigint;
  ALTER TABLE anomalies ADD COLUMN seen_after_decision bigint NOT NULL DEFAULT 0;
  CREATE INDEX idx_anomalies_trade ON anomalies (trade_type, trade_id, kind, id);
  CREATE INDEX idx_anomalies_follows ON anomalies (follows_id) WHERE follows_id IS NOT NULL;
`)

export const scheduleHolds = ddl(`
  ALTER TABLE pay_orders ADD COLUMN held_by_batch bigint;
  ALTER TABLE refund_orders ADD COLUMN held_by_batch bigint;
  DROP INDEX idx_pay_orders_due;
  CREATE INDEX idx_pay_orders_due ON pay_orders (next_sync_at)
    WHERE status = 'progress' AND held_by_batch IS NULL;
  DROP INDEX idx_refund_orders_due;
  CREATE INDEX idx_refund_orders_due ON refund_orders (next_sync_at)
    WHERE status = 'progress' AND held_by_batch IS NULL;
  CREATE INDEX idx_pay_orders_held ON pay_orders (held_by_batch) WHERE held_by_batch IS NOT NULL;
  CREATE INDEX idx_refund_orders_held ON refund_orders (held_by_batch) WHERE held_by_batch IS NOT NULL;
  CREATE INDEX idx_pay_orders_held_created ON pay_orders (created_at) WHERE held_by_batch IS NOT NULL;
  CREATE INDEX idx_refund_orders_held_created ON refund_orders (created_at) WHERE held_by_batch IS NOT NULL;
`)

export const durability = ddl(`
  CREATE TABLE sync_intents (
    id text COLLATE "C" PRIMARY KEY,
    trade_type text COLLATE "C" NOT NULL,
    trade_id bigint NOT NULL,
    action text COLLATE "C" NOT NULL,
    holder text COLLATE "C" NOT NULL,
    source text COLLATE "C" NOT NULL,
    operator text COLLATE "C",
    batch_id bigint,
    created_at bigint NOT NULL,
    record_id bigint,
    settled_at bigint
  );
  CREATE INDEX idx_sync_intents_open ON sync_intents (created_at) WHERE record_id IS NULL;
  CREATE INDEX idx_sync_intents_trade ON sync_intents (trade_type, trade_id, created_at);

  CREATE TABLE journal_applied (
    id text COLLATE "C" PRIMARY KEY,
    record_id bigint,
    applied_at bigint NOT NULL
  );

  ALTER TABLE batches ADD COLUMN pause_reason text COLLATE "C";
`)

export const importRejectsAndMappings = ddl(`
  ALTER TABLE import_runs ADD COLUMN headers text COLLATE "C";
  ALTER TABLE import_runs ADD COLUMN header_line bigint NOT NULL DEFAULT 1;
  ALTER TABLE import_runs ADD COLUMN duplicates bigint NOT NULL DEFAULT 0;
  ALTER TABLE import_runs ADD COLUMN conflicts bigint NOT NULL DEFAULT 0;
  ALTER TABLE import_runs ADD COLUMN skipped bigint NOT NULL DEFAULT 0;
  ALTER TABLE import_errors ADD COLUMN cells text COLLATE "C";
  ALTER TABLE import_errors ADD COLUMN said text COLLATE "C";

  CREATE TABLE column_mappings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text COLLATE "C" NOT NULL UNIQUE,
    trade_type text COLLATE "C" NOT NULL,
    mapping text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
`)
