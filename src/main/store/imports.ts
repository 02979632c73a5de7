import type { ImportRowError, TradeType } from '../../shared/domain'
import type { Db } from './connection'
import { stmt } from './connection'

export function createImportRun(
  db: Db,
  r: { fileName: string; tradeType: TradeType; encoding: string; operator: string | null },
  now = Date.now(),
): number {
  return Number(
    stmt(
      db,
      'INSERT INTO import_runs (file_name, trade_type, encoding, operator, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(r.fileName, r.tradeType, r.encoding, r.operator, now).lastInsertRowid,
  )
}

export function finishImportRun(
  db: Db,
  id: number,
  c: {
    encoding: string
    rows: number
    inserted: number
    updated: number
    unchanged: number
    rejected: number
  },
  now = Date.now(),
): void {
  stmt(
    db,
    `UPDATE import_runs SET encoding = ?, rows_read = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?,
       finished_at = ? WHERE id = ?`,
  ).run(c.encoding, c.rows, c.inserted, c.updated, c.unchanged, c.rejected, now, id)
}

export function addImportError(db: Db, importId: number, e: ImportRowError): void {
  stmt(
    db,
    'INSERT INTO import_errors (import_id, line, column_name, reason, raw_row) VALUES (?, ?, ?, ?, ?)',
  ).run(importId, e.line, e.column, e.reason, e.raw ?? null)
}

export function importErrors(db: Db, importId: number, limit = 1000, offset = 0): ImportRowError[] {
  return stmt<
    [number, number, number],
    { line: number; column_name: string | null; reason: string; raw_row: string | null }
  >(
    db,
    'SELECT line, column_name, reason, raw_row FROM import_errors WHERE import_id = ? ORDER BY line LIMIT ? OFFSET ?',
  )
    .all(importId, limit, offset)
    .map((r) => ({ line: r.line, column: r.column_name, reason: r.reason, raw: r.raw_row ?? undefined }))
}
