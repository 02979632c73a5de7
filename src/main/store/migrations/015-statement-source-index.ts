import type { Db } from '../db'

// The 对账 list filters by 来源 (downloaded, or uploaded and not verified: docs/reconcile.md A15.1), and
// every list filter has an index, newest bill day first like the others of the statements.

export function statementSourceIndex(db: Db): void {
  db.exec('CREATE INDEX idx_statements_source ON statements (source, bill_date)')
}
