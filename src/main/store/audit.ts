import type { Actor, AuditEvent, Transport } from '../../shared/domain'
import type { AuditView, Continued, Page } from '../../shared/entity-views'
import type { AuditListRequest } from '../../shared/filters'
import { toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import { stmt } from './connection'
import { readPage } from './list-cursor'
import { Where } from './where'
import { both, one, run, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

interface AuditRow {
  id: number
  operator: string | null
  system_user: string | null
  transport: Transport | null
  action: AuditEvent
  target: string | null
  detail: string | null
  created_at: number
}

type AuditEntry = Actor & { action: AuditEvent; target?: string | null; detail?: unknown }

const INSERT = `INSERT INTO audit_log (operator, system_user, transport, action, target, detail, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`

const valuesOf = (e: AuditEntry, now: number) => [
  e.operator,
  e.systemUser ?? null,
  e.transport ?? null,
  e.action,
  e.target ?? null,
  e.detail === undefined ? null : JSON.stringify(e.detail),
  now,
]

/**
 * Who did what, when, and how: the declared operator, the computer's user and the transport
 * (shared/domain.ts, Actor). Never holds a secret: callers pass names, ids and fingerprints, not values.
 */
/** Writes one audit row; its id. */
export function audit(db: Db, e: AuditEntry, now = Date.now()): number {
  const { lastInsertRowid } = stmt(db, INSERT).run(...valuesOf(e, now))
  return Number(lastInsertRowid)
}

/** The same row on either store: what a command on a team database did there (services/team-export.ts). */
export const auditOn = both(function* (x: Exec, e: AuditEntry, now: number): Q<void> {
  yield* run(x, INSERT, valuesOf(e, now))
})

function auditView(row: AuditRow): AuditView {
  return {
    id: row.id,
    createdAt: toIsoBeijing(row.created_at),
    operator: row.operator,
    systemUser: row.system_user,
    transport: row.transport,
    event: row.action,
    subject: row.target,
    detail: row.detail,
  }
}

/** The audit log, newest first: one event's rows through idx_audit_log_action, the others by time. */
export const auditPage = both(function* (x: Exec, f: AuditListRequest): Q<Page<AuditView> & Continued> {
  const w = new Where().when(f.event, 'l.action = ?', f.event).timeRange('l.created_at', f.since, f.until)
  const { n: total } = (yield* one<{ n: number }>(x, `SELECT count(*) AS n FROM audit_log l ${w}`, w.params))!
  const { rows, more } = yield* readPage<AuditRow>(
    x,
    { select: 'SELECT l.* FROM audit_log l', where: w, order: 'l.created_at DESC, l.id DESC' },
    { table: 'audit_log', alias: 'l' },
    f,
  )
  return { total, items: rows.map(auditView), ...more }
})

export const listAudit = (db: Db, f: AuditListRequest) => auditPage.sync(sqliteExec(db), f)
