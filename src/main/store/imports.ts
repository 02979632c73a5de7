import type { TradeType } from '../../shared/domain'
import type { ImportRowError } from '../../shared/import-report'
import { isMessageId, type MessageId, type Params } from '../../shared/messages'
import type { Db } from './connection'
import { stmt } from './connection'
import { all, both, one, run, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

/**
 * What an import run keeps of its refused rows (review-security M3: 60,000 refused rows once grew a
 * database by 247 MB): the first KEPT_ERRORS rows, each with RAW_CHARS of its text and its cells up to
 * CELLS_CHARS characters in all (a cell cut short ends in …); further rows are only counted.
 */
export const KEPT_ERRORS = 1000
export const CELLS_CHARS = 4000
const CELL_CHARS = 512

interface NewImportRun {
  fileName: string
  tradeType: TradeType
  encoding: string
  operator: string | null
  headers: string[]
  headerLine: number
}

interface ImportRunCounts {
  encoding: string
  rows: number
  inserted: number
  updated: number
  unchanged: number
  duplicates: number
  conflicts: number
  skipped: number
  rejected: number
}

/** An import run begun, on either store (docs/team-mode.md B8.11): its id. */
export const createImportRunOn = both(function* (x: Exec, r: NewImportRun, now: number): Q<number> {
  const row = yield* one<{ id: number }>(
    x,
    `INSERT INTO import_runs (file_name, trade_type, encoding, operator, created_at, headers, header_line)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      r.fileName,
      r.tradeType,
      r.encoding,
      r.operator,
      now,
      JSON.stringify(boundCells(r.headers)),
      r.headerLine,
    ],
  )
  return Number(row!.id)
})

export function createImportRun(db: Db, r: NewImportRun, now = Date.now()): number {
  return createImportRunOn.sync(sqliteExec(db), r, now)
}

export const finishImportRunOn = both(function* (
  x: Exec,
  id: number,
  c: ImportRunCounts,
  now: number,
): Q<void> {
  yield* run(
    x,
    `UPDATE import_runs SET encoding = ?, rows_read = ?, inserted = ?, updated = ?, unchanged = ?, duplicates = ?,
       conflicts = ?, skipped = ?, rejected = ?, finished_at = ? WHERE id = ?`,
    [
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
    ],
  )
})

export function finishImportRun(db: Db, id: number, c: ImportRunCounts, now = Date.now()): void {
  finishImportRunOn.sync(sqliteExec(db), id, c, now)
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

/** The columns of a kept refused row, in the order of INSERT_ERROR. */
function errorValues(importId: number, e: KeptRowError): unknown[] {
  const raw = e.raw === undefined ? null : e.raw.length > 200 ? e.raw.slice(0, 200) : e.raw
  return [
    importId,
    e.line,
    e.column,
    e.reason,
    raw,
    JSON.stringify(boundCells(e.cells)),
    e.said ? JSON.stringify(e.said) : null,
  ]
}

const INSERT_ERROR =
  'INSERT INTO import_errors (import_id, line, column_name, reason, raw_row, cells, said) VALUES (?, ?, ?, ?, ?, ?, ?)'

/** Keeps one refused row of the run; the caller stops after KEPT_ERRORS. */
export function addImportError(db: Db, importId: number, e: KeptRowError): void {
  stmt(db, INSERT_ERROR).run(...errorValues(importId, e))
}

/**
 * Keeps refused rows of the run, on either store: on a team database in one statement (a round trip
 * per row would make a file of bad rows slow), on the file one insert each, as addImportError.
 */
export const addImportErrorsOn = both(function* (x: Exec, importId: number, errors: KeptRowError[]): Q<void> {
  if (errors.length === 0) return
  if (x.dialect === 'sqlite') {
    for (const e of errors) yield* run(x, INSERT_ERROR, errorValues(importId, e))
    return
  }
  const cols = errors.map((e) => errorValues(importId, e))
  yield* run(
    x,
    `INSERT INTO import_errors (import_id, line, column_name, reason, raw_row, cells, said)
     SELECT ?::bigint, t.line, t.col, t.reason, t.raw, t.cells, t.said
       FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
         AS t(line, col, reason, raw, cells, said)`,
    [importId, ...[1, 2, 3, 4, 5, 6].map((i) => cols.map((c) => c[i]))],
  )
})

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

/** The refused rows an import run kept, by line; on either store (docs/team-mode.md B8.18). */
export const importErrorsOn = both(function* (
  x: Exec,
  importId: number,
  limit = 1000,
  offset = 0,
): Q<KeptRowError[]> {
  const rows = yield* all<ErrorRow>(
    x,
    `SELECT line, column_name, reason, raw_row, cells, said FROM import_errors WHERE import_id = ?
     ORDER BY line LIMIT ? OFFSET ?`,
    [importId, limit, offset],
  )
  return rows.map((r) => ({
    line: Number(r.line),
    column: r.column_name,
    reason: r.reason,
    raw: r.raw_row ?? undefined,
    said: said(r.said),
    cells: cellsOf(r.cells),
  }))
})

export const importErrors = (db: Db, importId: number, limit = 1000, offset = 0): KeptRowError[] =>
  importErrorsOn.sync(sqliteExec(db), importId, limit, offset)

export interface ImportRunRow {
  id: number
  fileName: string
  tradeType: TradeType
  headers: string[]
  rejected: number
  /** Refused rows kept (at most KEPT_ERRORS). */
  kept: number
}

export const importRunOn = both(function* (x: Exec, id: number): Q<ImportRunRow | undefined> {
  const r = yield* one<{
    id: number
    file_name: string
    trade_type: TradeType
    headers: string | null
    rejected: number
    kept: number
  }>(
    x,
    `SELECT id, file_name, trade_type, headers, rejected,
       (SELECT COUNT(*) FROM import_errors e WHERE e.import_id = import_runs.id) AS kept
     FROM import_runs WHERE id = ?`,
    [id],
  )
  return (
    r && {
      id: Number(r.id),
      fileName: r.file_name,
      tradeType: r.trade_type,
      headers: cellsOf(r.headers),
      rejected: Number(r.rejected),
      kept: Number(r.kept),
    }
  )
})
