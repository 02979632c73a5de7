import type { Db } from '../db'

// Who did it (docs/domain.md section 2): the operator name anyone can type is kept beside what
// cannot be typed in, the computer's user the process ran as and the transport (electron, http,
// cli, schedule), on every repair, anomaly decision, batch and audit row. Older rows say what can
// be told: the command line wrote its operator as `cli:<user>`, and a repair without an operator
// made by a schedule's pass was the app's own schedule.
export function whoActed(db: Db): void {
  for (const table of ['audit_log', 'repair_records', 'anomalies', 'batches']) {
    db.exec(`
      ALTER TABLE ${table} ADD COLUMN system_user TEXT;
      ALTER TABLE ${table} ADD COLUMN transport TEXT;
      UPDATE ${table} SET transport = 'cli', system_user = substr(operator, 5) WHERE operator LIKE 'cli:%';
    `)
  }
  db.exec(`
    UPDATE repair_records SET transport = 'schedule'
      WHERE operator IS NULL AND transport IS NULL AND source IN ('schedule', 'timeout');
    -- The audit log read by event, newest first (paysync audit --event, the audit screen).
    CREATE INDEX idx_audit_log_action ON audit_log (action, created_at);
  `)
}
