import type { Db } from '../db'

// Every stored line went down ten secondary B-trees, and every matched line down three again: a
// quarter of a large bill's reconcile time (docs/reconcile.md A11, measured with --cpu-prof). Six of
// them served no query: matching finds a line's trade through the trades' own indexes and a repeated
// line through idx_statement_lines_key, and the lists, counts, totals and the export read a
// statement's lines by (statement_id, run) with the line number, state or kind. No query looks lines
// up by order, refund or gateway number, nor by the trade they matched.
//
// Matching reads a statement's lines a page at a time after the last line id it saw; no index had
// (statement_id, run) in id order, so each page sorted every line of the statement left after the
// cursor, with its trade lookups: quadratic in the number of lines. An index on (statement_id, run)
// alone keeps its entries in id order and starts each page where the last one ended.

export function statementLineIndexes(db: Db): void {
  db.exec(`
    DROP INDEX idx_statement_lines_order;
    DROP INDEX idx_statement_lines_refund;
    DROP INDEX idx_statement_lines_gateway;
    DROP INDEX idx_statement_lines_gateway_refund;
    DROP INDEX idx_statement_lines_pay;
    DROP INDEX idx_statement_lines_refund_id;
    CREATE INDEX idx_statement_lines_run ON statement_lines (statement_id, run);
  `)
}
