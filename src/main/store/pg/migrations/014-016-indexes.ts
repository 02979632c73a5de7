import { ddl } from './step'

// The PostgreSQL forms of migrations 014 to 016 (store/migrations/, same numbers).

/** The indexes a large first import dropped, listed so that a later connection builds them again. */
export const deferredIndexes = ddl(`
  CREATE TABLE deferred_indexes (
    name text COLLATE "C" PRIMARY KEY,
    table_name text COLLATE "C" NOT NULL,
    sql text COLLATE "C" NOT NULL,
    owner_pid bigint NOT NULL
  );
`)

export const statementSourceIndex = ddl(
  'CREATE INDEX idx_statements_source ON statements (source, bill_date)',
)

export const statementLineIndexes = ddl(`
  DROP INDEX idx_statement_lines_order;
  DROP INDEX idx_statement_lines_refund;
  DROP INDEX idx_statement_lines_gateway;
  DROP INDEX idx_statement_lines_gateway_refund;
  DROP INDEX idx_statement_lines_pay;
  DROP INDEX idx_statement_lines_refund_id;
  CREATE INDEX idx_statement_lines_run ON statement_lines (statement_id, run);
`)
