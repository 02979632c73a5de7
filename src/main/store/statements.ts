import type { Channel } from '../../shared/domain'
import type {
  StatementResult,
  StatementSource,
  StatementStatus,
  StatementSummary,
  StatementView,
} from '../../shared/statements'
import type { StatementListRequest } from '../../shared/statement-inputs'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import { stmt } from './connection'
import { merchantNamed } from './merchants'
import { Where } from './where'
import { all, both, joinInOrder, one, run, SQLITE, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// One statement (对账单) per merchant, bill kind and bill day (docs/reconcile.md A3): where its file
// is, what the file declared and proved, and what matching made of it.

export interface StatementRow {
  id: number
  merchant_id: number
  channel: Channel
  bill_kind: 'trade'
  bill_date: string
  source: StatementSource
  status: StatementStatus
  result: StatementResult | null
  error_code: string | null
  error_msg: string | null
  error_zh: string | null
  file_name: string | null
  file_sha256: string | null
  file_path: string | null
  file_bytes: number | null
  file_encoding: string | null
  file_format: string | null
  file_layout: string | null
  verified: number
  gateway_hash: string | null
  hash_matched_on: 'decompressed' | 'compressed' | null
  account_no: string | null
  integrity: 'ok' | 'mismatch' | 'unavailable' | null
  checks: string
  notices: string
  refusal: string | null
  totals: string | null
  summary: string | null
  lines_run: number
  dry_run: number
  sync_batch_id: number | null
  open_diffs: number
  run_count: number
  last_run_at: number | null
  duration_ms: number | null
  created_at: number
  updated_at: number
  version: number
  merchant_name?: string
}

const select = (x: Pick<Exec, 'dialect'>) =>
  `SELECT s.*, m.name AS merchant_name FROM statements s ${joinInOrder(x)} merchants m ON m.id = s.merchant_id`
const SELECT = select(SQLITE)

export function statementView(row: StatementRow): StatementView {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    merchant: row.merchant_name ?? '',
    channel: row.channel,
    billKind: row.bill_kind,
    billDate: row.bill_date,
    source: row.source,
    verified: row.verified === 1,
    status: row.status,
    result: row.result,
    errorCode: row.error_code,
    errorMsg: row.error_msg,
    errorZh: row.error_zh,
    fileName: row.file_name,
    integrity: row.integrity,
    openDiffs: row.open_diffs,
    summary: row.summary ? (JSON.parse(row.summary) as StatementSummary) : null,
    dryRun: row.dry_run === 1,
    syncBatchId: row.sync_batch_id,
    runCount: row.run_count,
    lastRunAt: isoOrNull(row.last_run_at),
    durationMs: row.duration_ms,
    createdAt: toIsoBeijing(row.created_at),
    updatedAt: toIsoBeijing(row.updated_at),
  }
}

export function* statementById(x: Exec, id: number): Q<StatementRow | undefined> {
  return yield* one<StatementRow>(x, `${select(x)} WHERE s.id = ?`, [id])
}

/** `statementById` run either way: `.async` on a team database. */
export const statementByIdOn = both(statementById)

export function getStatement(db: Db, id: number): StatementRow | undefined {
  return stmt<[number], StatementRow>(db, `${SELECT} WHERE s.id = ?`).get(id)
}

export const findStatementOn = both(function* (
  x: Exec,
  merchantId: number,
  billDate: string,
): Q<StatementRow | undefined> {
  return yield* one<StatementRow>(
    x,
    `${select(x)} WHERE s.merchant_id = ? AND s.bill_kind = 'trade' AND s.bill_date = ?`,
    [merchantId, billDate],
  )
})

/** The statement of a merchant's day, made when it is asked for the first time. */
export const ensureStatementOn = both(function* (
  x: Exec,
  s: { merchantId: number; channel: Channel; billDate: string; source: StatementSource },
  now: number,
): Q<StatementRow> {
  yield* run(
    x,
    `INSERT INTO statements (merchant_id, channel, bill_kind, bill_date, source, created_at, updated_at)
     VALUES (?, ?, 'trade', ?, ?, ?, ?) ON CONFLICT (merchant_id, bill_kind, bill_date) DO NOTHING`,
    [s.merchantId, s.channel, s.billDate, s.source, now, now],
  )
  return (yield* findStatementOn(x, s.merchantId, s.billDate))!
})

export const ensureStatement = (
  db: Db,
  s: { merchantId: number; channel: Channel; billDate: string; source: StatementSource },
  now: number,
): StatementRow => ensureStatementOn.sync(sqliteExec(db), s, now)

/** The columns a run writes; each call names only what it changes. */
export type StatementPatch = Partial<
  Pick<
    StatementRow,
    | 'source'
    | 'status'
    | 'result'
    | 'error_code'
    | 'error_msg'
    | 'error_zh'
    | 'file_name'
    | 'file_sha256'
    | 'file_path'
    | 'file_bytes'
    | 'file_encoding'
    | 'file_format'
    | 'file_layout'
    | 'verified'
    | 'gateway_hash'
    | 'hash_matched_on'
    | 'account_no'
    | 'integrity'
    | 'checks'
    | 'notices'
    | 'refusal'
    | 'totals'
    | 'summary'
    | 'lines_run'
    | 'dry_run'
    | 'sync_batch_id'
    | 'open_diffs'
    | 'run_count'
    | 'last_run_at'
    | 'duration_ms'
  >
>

const PATCHABLE = new Set<string>([
  'source',
  'status',
  'result',
  'error_code',
  'error_msg',
  'error_zh',
  'file_name',
  'file_sha256',
  'file_path',
  'file_bytes',
  'file_encoding',
  'file_format',
  'file_layout',
  'verified',
  'gateway_hash',
  'hash_matched_on',
  'account_no',
  'integrity',
  'checks',
  'notices',
  'refusal',
  'totals',
  'summary',
  'lines_run',
  'dry_run',
  'sync_batch_id',
  'open_diffs',
  'run_count',
  'last_run_at',
  'duration_ms',
])

export const updateStatementOn = both(function* (
  x: Exec,
  id: number,
  patch: StatementPatch,
  now: number,
): Q<void> {
  const keys = Object.keys(patch).filter((k) => PATCHABLE.has(k))
  if (keys.length === 0) return
  // Column names come from the fixed set above, never from a caller's text; values are bound.
  const sets = keys.map((k) => `${k} = ?`).join(', ')
  yield* run(x, `UPDATE statements SET ${sets}, updated_at = ?, version = version + 1 WHERE id = ?`, [
    ...keys.map((k) => (patch as Record<string, unknown>)[k]),
    now,
    id,
  ])
})

export const updateStatement = (db: Db, id: number, patch: StatementPatch, now: number): void =>
  updateStatementOn.sync(sqliteExec(db), id, patch, now)

function* statementWhere(x: Exec, f: Omit<StatementListRequest, 'limit' | 'offset'>): Q<Where | null> {
  const w = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return null
    w.add('s.merchant_id = ?', m.id)
  }
  w.when(f.channel, 's.channel = ?', f.channel)
  w.when(f.result, 's.result = ?', f.result)
  w.when(f.status, 's.status = ?', f.status)
  w.when(f.source, 's.source = ?', f.source)
  w.when(f.since, 's.bill_date >= ?', f.since)
  w.when(f.until, 's.bill_date <= ?', f.until)
  return w
}

/** The list, newest bill date first (A13). */
export function* statementPage(x: Exec, f: StatementListRequest): Q<{ total: number; rows: StatementRow[] }> {
  const w = yield* statementWhere(x, f)
  if (!w) return { total: 0, rows: [] }
  const { n: total } = (yield* one<{ n: number }>(
    x,
    `SELECT count(*) AS n FROM statements s ${w}`,
    w.params,
  ))!
  const rows = yield* all<StatementRow>(
    x,
    `${select(x)} ${w} ORDER BY s.bill_date DESC, s.id DESC LIMIT ? OFFSET ?`,
    [...w.params, f.limit, f.offset],
  )
  return { total, rows }
}

const statementPageBoth = both(statementPage)
const daysStatementsBoth = both(daysStatements)

export const statementsOfDays = (db: Db, merchantId: number, from: string, to: string) =>
  daysStatementsBoth.sync(sqliteExec(db), merchantId, from, to)

export const listStatements = (db: Db, f: StatementListRequest) => statementPageBoth.sync(sqliteExec(db), f)

/** The differences still open on every statement (each statement keeps its own count). */
/** The differences still open on any day. PostgreSQL's sum may be numeric, which pg reads as text. */
export function* openDiffsOfAll(x: Exec): Q<number> {
  return Number(
    (yield* one<{ n: number | string }>(x, 'SELECT coalesce(sum(open_diffs), 0) AS n FROM statements'))!.n,
  )
}

/** A merchant's statements of the days in [from, to] (YYYY-MM-DD), for the calendar. */
export function* daysStatements(x: Exec, merchantId: number, from: string, to: string): Q<StatementRow[]> {
  return yield* all<StatementRow>(
    x,
    `${select(x)} WHERE s.merchant_id = ? AND s.bill_kind = 'trade' AND s.bill_date >= ? AND s.bill_date <= ?
     ORDER BY s.bill_date`,
    [merchantId, from, to],
  )
}

/** Whether every given day of a merchant has a statement that was reconciled (matched or empty). */
export function* reconciledDays(x: Exec, merchantId: number, dates: string[]): Q<Set<string>> {
  const done = new Set<string>()
  for (const d of dates) {
    const row = yield* one<{ status: StatementStatus }>(
      x,
      "SELECT status FROM statements WHERE merchant_id = ? AND bill_kind = 'trade' AND bill_date = ?",
      [merchantId, d],
    )
    if (row && (row.status === 'matched' || row.status === 'empty')) done.add(d)
  }
  return done
}

/**
 * The account (an Alipay PID) this merchant's earlier reconciled bills named: a file of another
 * account is refused (docs/reconcile.md A10), as the profile holds no PID.
 */
export function* knownBillAccount(x: Exec, merchantId: number): Q<string | undefined> {
  const row = yield* one<{ account_no: string }>(
    x,
    `SELECT account_no FROM statements WHERE merchant_id = ? AND account_no IS NOT NULL AND status IN ('matched', 'empty')
     ORDER BY bill_date DESC LIMIT 1`,
    [merchantId],
  )
  return row?.account_no
}
