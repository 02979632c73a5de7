import type { Db } from './connection'
import { stmt } from './connection'

export type AuditAction =
  | 'merchant_added'
  | 'merchant_changed'
  | 'merchant_removed'
  | 'manual_repair'
  | 'anomaly_resolved'
  | 'anomaly_dismissed'
  | 'export_written'
  | 'settings_changed'
  | 'import_run'
  | 'batch_started'
  | 'batch_paused'
  | 'batch_resumed'
  | 'batch_cancelled'
  | 'statement_uploaded'
  | 'statement_rerun'
  | 'statement_diff_dismissed'

export interface AuditRow {
  id: number
  operator: string | null
  action: AuditAction
  target: string | null
  detail: string | null
  created_at: number
}

/** Who did what, when. Never holds a secret: callers pass names and ids, not values. */
export function audit(
  db: Db,
  e: { operator: string | null; action: AuditAction; target?: string | null; detail?: unknown },
  now = Date.now(),
): void {
  stmt(db, 'INSERT INTO audit_log (operator, action, target, detail, created_at) VALUES (?, ?, ?, ?, ?)').run(
    e.operator,
    e.action,
    e.target ?? null,
    e.detail === undefined ? null : JSON.stringify(e.detail),
    now,
  )
}

/**
 * The audit log, newest first. Written by every change today and read by nothing yet: the audit
 * screen to come lists it.
 * @public kept though unused (knip): the audit screen's query
 */
export function listAudit(db: Db, limit = 100, offset = 0): AuditRow[] {
  return stmt<[number, number], AuditRow>(
    db,
    'SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?',
  ).all(limit, offset)
}
