import type { TradeType } from '../../shared/domain'
import type { ImportRowError } from '../../shared/import-report'
import { isMessageId, type MessageId, type Params } from '../../shared/messages'
import type { Db } from './connection'
import { stmt } from './connection'

/**
 * What an import run keeps of its refused rows (review-security M3: 60,000 refused rows once grew a
 * database by 247 MB): the first KEPT_ERRORS rows, each with RAW_CHARS of its text and its cells up to
 * CELLS_CHARS characters in all (a cell cut short ends in …); further rows are only counted.
 */
export const KEPT_ERRORS = 1000
export const CELLS_CHARS = 4000
const CELL_CHARS = 512

export function createImportRun(
  db: Db,
  r: {
    fileName: string
    tradeType: TradeType
    encoding: string
    operator: string | null
    headers: string[]
    headerLine: number
  },
  now = Date.now(),
): number {
  return Number(
    stmt(
      db,
      `INSERT INTO import_runs (file_name, trade_type, encoding, operator, created_at, headers, header_line)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      r.fileName,
      r.tradeType,
      r.encoding,
      r.operator,
      now,
      JSON.stringify(boundCells(r.headers)),
      r.headerLine,
    ).lastInsertRowid,
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
    duplicates: number
    conflicts: number
    skipped: number
    rejected: number
  },
  now = Date.now(),
): void {
  stmt(
    db,
    `UPDATE import_runs SET encoding = ?, rows_read = ?, inserted = ?, updated = ?, unchanged = ?, duplicates = ?,
       conflicts = ?, skipped = ?, rejected = ?, finished_at = ? WHERE id = ?`,
  ).run(
    c.encoding,
    c.rows,
    c.inserted,
    c.updated,
    c.unchanged,
    c.duplicates,
    c.conflicts,
    c.skipped,
    c.rejected,
    now,
    id,
  )
}

/** A row's cells as kept: each cell at most CELL_CHARS, all of them at most CELLS_CHARS. */
export function boundCells(cells: readonly string[]): string[] {
  const out: string[] = []
  let left = CELLS_CHARS
  for (const c of cells) {
    const room = Math.min(CELL_CHARS, left)
    const kept = c.length > room ? `${c.slice(0, Math.max(0, room - 1))}…` : c
    left -= Math.min(kept.length, left)
    out.push(kept)
  }
  return out
}

export interface KeptRowError extends ImportRowError {
  cells: string[]
}

/** Keeps one refused row of the run; the caller stops after KEPT_ERRORS. */
export function addImportError(db: Db, importId: number, e: KeptRowError): void {
  const raw = e.raw === undefined ? null : e.raw.length > 200 ? e.raw.slice(0, 200) : e.raw
  stmt(
    db,
    'INSERT INTO import_errors (import_id, line, column_name, reason, raw_row, cells, said) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    importId,
    e.line,
    e.column,
    e.reason,
    raw,
    JSON.stringify(boundCells(e.cells)),
    e.said ? JSON.stringify(e.said) : null,
  )
}

interface ErrorRow {
  line: number
  column_name: string | null
  reason: string
  raw_row: string | null
  cells: string | null
  said: string | null
}

function said(text: string | null): { id: MessageId; params: Params } | undefined {
  if (!text) return undefined
  try {
    const v = JSON.parse(text) as { id?: unknown; params?: Params }
    return isMessageId(v.id) ? { id: v.id, params: v.params ?? {} } : undefined
  } catch {
    return undefined
  }
}

function cellsOf(text: string | null): string[] {
  if (!text) return []
  try {
    const v = JSON.parse(text) as unknown
    return Array.isArray(v) ? v.map(String) : []
  } catch {
    return []
  }
}

export function importErrors(db: Db, importId: number, limit = 1000, offset = 0): KeptRowError[] {
  return stmt<[number, number, number], ErrorRow>(
    db,
    `SELECT line, column_name, reason, raw_row, cells, said FROM import_errors WHERE import_id = ?
     ORDER BY line LIMIT ? OFFSET ?`,
  )
    .all(importId, limit, offset)
    .map((r) => ({
      line: r.line,
      column: r.column_name,
      reason: r.reason,
      raw: r.raw_row ?? undefined,
      said: said(r.said),
      cells: cellsOf(r.cells),
    }))
}

export interface ImportRunRow {
  id: number
  fileName: string
  tradeType: TradeType
  headers: string[]
  rejected: number
  /** Refused rows kept (at most KEPT_ERRORS). */
  kept: number
}

export function getImportRun(db: Db, id: number): ImportRunRow | undefined {
  const r = stmt<
    [number],
    {
      id: number
      file_name: string
      trade_type: TradeType
      headers: string | null
      rejected: number
      kept: number
    }
  >(
    db,
    `SELECT id, file_name, trade_type, headers, rejected,
       (SELECT COUNT(*) FROM import_errors e WHERE e.import_id = import_runs.id) AS kept
     FROM import_runs WHERE id = ?`,
  ).get(id)
  return (
    r && {
      id: r.id,
      fileName: r.file_name,
      tradeType: r.trade_type,
      headers: cellsOf(r.headers),
      rejected: r.rejected,
      kept: r.kept,
    }
  )
}
