import type { Channel, TradeType } from '../../shared/domain'
import type { DiffAction, DiffKind, DiffStatus, StatementDiffView } from '../../shared/statements'
import { isoOrNull, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { Where } from './where'
import { all, both, joinInOrder, one, run as runSql, SQLITE, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// The differences of a statement (对账差异, docs/reconcile.md A3, A7): one row per (statement, kind,
// trade), kept across re-runs so it keeps its id, its sync and its anomaly (A11).

export interface StatementDiffRow {
  id: number
  statement_id: number
  merchant_id: number
  kind: DiffKind
  trade_type: TradeType
  trade_key: string
  line_id: number | null
  pay_order_id: number | null
  refund_id: number | null
  order_no: string | null
  refund_no: string | null
  gateway_no: string | null
  local_amount: number | null
  statement_amount: number | null
  local_status: string | null
  statement_status: string | null
  local_time: number | null
  statement_time: number | null
  reason: string
  reason_text: string
  reason_en: string
  label: string | null
  action: DiffAction
  sync_batch_id: number | null
  sync_record_id: number | null
  sync_attempts: number
  anomaly_id: number | null
  status: DiffStatus
  resolved_by: string | null
  remark: string | null
  seen_run: number
  created_at: number
  updated_at: number
  bill_date?: string
  merchant_name?: string
  channel?: Channel
}

/** A difference as classification finds it; what it led to is kept by the row. */
export interface DiffDraft {
  kind: DiffKind
  tradeType: TradeType
  /** `pay:<id>` / `refund:<id>` for a local trade, `line:<key>` for a line without one. */
  tradeKey: string
  lineId: number | null
  payOrderId: number | null
  refundId: number | null
  orderNo: string | null
  refundNo: string | null
  gatewayNo: string | null
  localAmount: number | null
  statementAmount: number | null
  localStatus: string | null
  statementStatus: string | null
  localTime: number | null
  statementTime: number | null
  reason: string
  reasonText: string
  reasonEn: string
  label: string | null
}

const select = (
  x: Pick<Exec, 'dialect'>,
) => `SELECT d.*, s.bill_date, s.channel, m.name AS merchant_name FROM statement_diffs d
  ${joinInOrder(x)} statements s ON s.id = d.statement_id ${joinInOrder(x)} merchants m ON m.id = d.merchant_id`
const SELECT = select(SQLITE)

export function statementDiffView(row: StatementDiffRow): StatementDiffView {
  return {
    id: row.id,
    statementId: row.statement_id,
    billDate: row.bill_date ?? '',
    merchant: row.merchant_name ?? '',
    channel: row.channel ?? 'alipay',
    kind: row.kind,
    label: row.label,
    tradeType: row.trade_type,
    lineId: row.line_id,
    payOrderId: row.pay_order_id,
    refundId: row.refund_id,
    orderNo: row.order_no,
    refundNo: row.refund_no,
    gatewayNo: row.gateway_no,
    localAmount: row.local_amount,
    statementAmount: row.statement_amount,
    localStatus: row.local_status,
    statementStatus: row.statement_status,
    localTime: isoOrNull(row.local_time),
    statementTime: isoOrNull(row.statement_time),
    reason: row.reason,
    reasonText: row.reason_text,
    reasonEn: row.reason_en,
    action: row.action,
    syncRecordId: row.sync_record_id,
    anomalyId: row.anomaly_id,
    status: row.status,
    resolvedBy: row.resolved_by,
    remark: row.remark,
    createdAt: toIsoBeijing(row.created_at),
    updatedAt: toIsoBeijing(row.updated_at),
  }
}

export function getStatementDiff(db: Db, id: number): StatementDiffRow | undefined {
  return stmt<[number], StatementDiffRow>(db, `${SELECT} WHERE d.id = ?`).get(id)
}

/** A difference, on either store; on PostgreSQL its row locked for the caller's transaction. */
export function* statementDiffOn(x: Exec, id: number, lock = false): Q<StatementDiffRow | undefined> {
  const forUpdate = lock && x.dialect === 'pg' ? ' FOR UPDATE OF d' : ''
  return yield* one<StatementDiffRow>(x, `${select(x)} WHERE d.id = ?${forUpdate}`, [id])
}

/** The difference that opened an anomaly (each opens at most one; the newest wins if a re-run moved it). */
export function* diffOfAnomaly(x: Exec, anomalyId: number): Q<StatementDiffRow | undefined> {
  return yield* one<StatementDiffRow>(x, `${select(x)} WHERE d.anomaly_id = ? ORDER BY d.id DESC LIMIT 1`, [
    anomalyId,
  ])
}

const DIFF_COLUMNS = `statement_id, merchant_id, kind, trade_type, trade_key, line_id, pay_order_id,
       refund_id, order_no, refund_no, gateway_no, local_amount, statement_amount, local_status, statement_status,
       local_time, statement_time, reason, reason_text, reason_en, label, seen_run, created_at, updated_at`

const DIFF_ON_CONFLICT = `ON CONFLICT (statement_id, kind, trade_type, trade_key) DO UPDATE SET
       line_id = excluded.line_id, pay_order_id = excluded.pay_order_id, refund_id = excluded.refund_id,
       order_no = excluded.order_no, refund_no = excluded.refund_no, gateway_no = excluded.gateway_no,
       local_amount = excluded.local_amount, statement_amount = excluded.statement_amount,
       local_status = excluded.local_status, statement_status = excluded.statement_status,
       local_time = excluded.local_time, statement_time = excluded.statement_time, reason = excluded.reason,
       reason_text = excluded.reason_text, reason_en = excluded.reason_en, label = excluded.label,
       seen_run = excluded.seen_run, updated_at = excluded.updated_at,
       status = CASE WHEN statement_diffs.resolved_by = 'later_statement' THEN 'open' ELSE statement_diffs.status END,
       resolved_by = CASE WHEN statement_diffs.resolved_by = 'later_statement' THEN NULL
         ELSE statement_diffs.resolved_by END`

const DIFF_UPSERT = `INSERT INTO statement_diffs (${DIFF_COLUMNS})
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ${DIFF_ON_CONFLICT}`

/** Each difference's values, in the order of DIFF_COLUMNS between merchant_id and seen_run. */
const draftValues = (d: DiffDraft): unknown[] => [
  d.kind,
  d.tradeType,
  d.tradeKey,
  d.lineId,
  d.payOrderId,
  d.refundId,
  d.orderNo,
  d.refundNo,
  d.gatewayNo,
  d.localAmount,
  d.statementAmount,
  d.localStatus,
  d.statementStatus,
  d.localTime,
  d.statementTime,
  d.reason,
  d.reasonText,
  d.reasonEn,
  d.label,
]

/** The PostgreSQL type of each array of draftValues. */
const DRAFT_TYPES = [
  'text',
  'text',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'bigint',
  'bigint',
  'text',
  'text',
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'text',
]

const DIFF_UPSERT_MANY = `INSERT INTO statement_diffs (${DIFF_COLUMNS})
     SELECT ?::bigint, ?::bigint, t.*, ?::bigint, ?::bigint, ?::bigint
     FROM unnest(${DRAFT_TYPES.map((t) => `?::${t}[]`).join(', ')}) AS t
     ${DIFF_ON_CONFLICT}`

/**
 * Records the differences found by this run. One seen before keeps its id, its status, its sync and
 * its anomaly; one a later statement had closed (not seen by an earlier re-run) is open again. On the
 * file each is its statement, in the order found; on a team database they are one statement over arrays
 * (docs/team-mode.md B8.12), the last of two with one key kept, as the second upsert would have left it.
 */
export function* upsertStatementDiffs(
  x: Exec,
  statementId: number,
  merchantId: number,
  run: number,
  drafts: DiffDraft[],
  now: number,
): Q<void> {
  if (x.dialect === 'sqlite') {
    for (const d of drafts)
      yield* runSql(x, DIFF_UPSERT, [statementId, merchantId, ...draftValues(d), run, now, now])
    return
  }
  const last = new Map<string, DiffDraft>()
  for (const d of drafts) {
    const key = JSON.stringify([d.kind, d.tradeType, d.tradeKey])
    last.delete(key)
    last.set(key, d)
  }
  if (last.size === 0) return
  const rows = [...last.values()].map(draftValues)
  yield* runSql(x, DIFF_UPSERT_MANY, [
    statementId,
    merchantId,
    run,
    now,
    now,
    ...DRAFT_TYPES.map((_t, i) => rows.map((r) => r[i])),
  ])
}

/** Open differences this run did not find again: the trade came right meanwhile (A11). */
export function* closeUnseenDiffs(x: Exec, statementId: number, run: number, now: number): Q<number> {
  return yield* runSql(
    x,
    `UPDATE statement_diffs SET status = 'resolved', resolved_by = 'later_statement', updated_at = ?
     WHERE statement_id = ? AND status = 'open' AND seen_run < ?`,
    [now, statementId, run],
  )
}

export interface DiffActionPatch {
  action: DiffAction
  syncBatchId?: number | null
  syncRecordId?: number | null
  anomalyId?: number | null
  attempted?: boolean
  status?: DiffStatus
  resolvedBy?: string | null
}

export function* setDiffActionOn(x: Exec, id: number, p: DiffActionPatch, now: number): Q<void> {
  yield* runSql(
    x,
    `UPDATE statement_diffs SET action = ?,
       sync_batch_id = CASE WHEN ? THEN ? ELSE sync_batch_id END,
       sync_record_id = CASE WHEN ? THEN ? ELSE sync_record_id END,
       anomaly_id = CASE WHEN ? THEN ? ELSE anomaly_id END,
       sync_attempts = sync_attempts + ?,
       status = COALESCE(?, status),
       resolved_by = CASE WHEN ? THEN ? ELSE resolved_by END,
       updated_at = ?
     WHERE id = ?`,
    // A flag is a boolean on PostgreSQL, 0/1 on SQLite (docs/team-mode.md B3.1).
    [
      p.action,
      flag(x, p.syncBatchId !== undefined),
      p.syncBatchId ?? null,
      flag(x, p.syncRecordId !== undefined),
      p.syncRecordId ?? null,
      flag(x, p.anomalyId !== undefined),
      p.anomalyId ?? null,
      p.attempted ? 1 : 0,
      p.status ?? null,
      flag(x, p.resolvedBy !== undefined),
      p.resolvedBy ?? null,
      now,
      id,
    ],
  )
}

const flag = (x: Exec, on: boolean): number | boolean => (x.dialect === 'pg' ? on : on ? 1 : 0)

/** A person's dismissal of an open difference (docs/reconcile.md A15.2): false when it was not open. */
export function* dismissDiffOn(x: Exec, id: number, remark: string, by: string, now: number): Q<boolean> {
  const sql = `UPDATE statement_diffs SET status = 'dismissed', resolved_by = ?, remark = ?, updated_at = ?
     WHERE id = ? AND status = 'open'`
  return (yield* runSql(x, sql, [by, remark, now, id])) === 1
}

export type BatchDiffRow = StatementDiffRow & {
  item_outcome: string | null
  item_record: number | null
  item_status: string | null
}

/** The differences whose syncs went into a batch, with their batch item's outcome once it has one. */
export function* diffsOfBatch(x: Exec, batchId: number): Q<BatchDiffRow[]> {
  return yield* all<BatchDiffRow>(
    x,
    `SELECT d.*, i.outcome AS item_outcome, i.sync_record_id AS item_record, i.gateway_status AS item_status
     FROM statement_diffs d
     LEFT JOIN batch_items i ON i.batch_id = d.sync_batch_id AND i.trade_type = d.trade_type
       AND i.trade_id = COALESCE(d.refund_id, d.pay_order_id)
     WHERE d.sync_batch_id = ? AND d.action = 'sync_queued'`,
    [batchId],
  )
}

export interface DiffFilter {
  kind?: DiffKind
  tradeType?: TradeType
  status?: DiffStatus
  no?: string
  limit: number
  offset: number
}

export function* statementDiffPage(
  x: Exec,
  statementId: number,
  f: DiffFilter,
): Q<{ total: number; rows: StatementDiffRow[] }> {
  const w = new Where().add('d.statement_id = ?', statementId)
  w.when(f.kind, 'd.kind = ?', f.kind)
  w.when(f.tradeType, 'd.trade_type = ?', f.tradeType)
  w.when(f.status, 'd.status = ?', f.status)
  w.when(f.no, '(d.order_no = ? OR d.refund_no = ? OR d.gateway_no = ?)', f.no, f.no, f.no)
  const { n: total } = (yield* one<{ n: number }>(
    x,
    `SELECT count(*) AS n FROM statement_diffs d ${w}`,
    w.params,
  ))!
  const rows = yield* all<StatementDiffRow>(x, `${select(x)} ${w} ORDER BY d.id LIMIT ? OFFSET ?`, [
    ...w.params,
    f.limit,
    f.offset,
  ])
  return { total, rows }
}

const statementDiffPageBoth = both(statementDiffPage)

export const listStatementDiffs = (db: Db, statementId: number, f: DiffFilter) =>
  statementDiffPageBoth.sync(sqliteExec(db), statementId, f)

/** Counts of a statement's differences per kind (all statuses), and how many are open. */
export function* diffCounts(
  x: Exec,
  statementId: number,
): Q<{ byKind: Partial<Record<DiffKind, number>>; open: number }> {
  const rows = yield* all<{ kind: DiffKind; n: number; open: number }>(
    x,
    x.dialect === 'pg'
      ? `SELECT kind, count(*) AS n, sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open
         FROM statement_diffs WHERE statement_id = ? GROUP BY kind`
      : `SELECT kind, count(*) AS n, sum(status = 'open') AS open FROM statement_diffs WHERE statement_id = ?
     GROUP BY kind`,
    [statementId],
  )
  const byKind: Partial<Record<DiffKind, number>> = {}
  let open = 0
  for (const r of rows) {
    byKind[r.kind] = r.n
    // A fee deviation is reported, never a reason for a day not to balance (A7).
    if (r.kind !== 'fee_deviation') open += r.open
  }
  return { byKind, open }
}

/** The rows of the 对账差异 export (A16): a statement's differences with their lines. */
export function statementDiffsExportQuery(
  statementId: number,
  columns: readonly string[],
  dialect: 'sqlite' | 'pg' = 'sqlite',
): RowQuery {
  // SQLite's CROSS JOIN keeps the differences first, read by their statement's index; PostgreSQL's
  // takes no ON, and its planner orders an inner join by itself.
  const join = dialect === 'pg' ? 'JOIN' : 'CROSS JOIN'
  return {
    sql: `SELECT ${columns.join(', ')} FROM statement_diffs d
       ${join} statements s ON s.id = d.statement_id ${join} merchants m ON m.id = d.merchant_id
       LEFT JOIN statement_lines l ON l.id = d.line_id
       WHERE d.statement_id = ? ORDER BY d.id`,
    params: [statementId],
  }
}
