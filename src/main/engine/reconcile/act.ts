import type { AnomalyKind, Channel, TradeType } from '../../../shared/domain'
import type { DiffKind } from '../../../shared/statements'
import { openAnomalyOn } from '../../store/anomaly-writes'
import type { Db } from '../../store/connection'
import { setDiffActionOn, type StatementDiffRow } from '../../store/statement-diffs'
import { statementLineById } from '../../store/statement-lines'
import { all, both, one, run, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import { ANOMALY_TEXT } from '../sync/finding'

// What each difference leads to (docs/reconcile.md A7): a sync of the trade, which the batch runner
// runs with source `reconcile` and the decision tables judge; or an anomaly for a person, opened once
// per difference. A bill line never changes a trade itself (A0.1; Roncoo's "以银行为准", A2 defect 9).
// Written once over Exec for the file and a team database (docs/team-mode.md B8.12).

/** The differences a verified sync settles. */
const SYNCED: ReadonlySet<DiffKind> = new Set(['local_not_success', 'local_only', 'status_mismatch'])

/** The differences a person decides, and the anomaly each opens. */
const ANOMALY_OF: Partial<Record<DiffKind, AnomalyKind>> = {
  gateway_only: 'statement_unknown_trade',
  refund_unrecorded: 'refund_unrecorded',
  amount_mismatch: 'amount_mismatch',
  trade_no_conflict: 'statement_trade_no_conflict',
}

export interface SyncRef {
  type: TradeType
  id: number
}

/**
 * The open differences of these statements that want a sync now: never synced, or whose last sync
 * met a busy trade or ended in an error, fewer than `retries` times (A11).
 */
export const diffsToSyncOn = both(function* (
  x: Exec,
  statementIds: number[],
  retries: number,
): Q<StatementDiffRow[]> {
  const out: StatementDiffRow[] = []
  for (const id of statementIds)
    for (const d of yield* all<StatementDiffRow & { last_outcome: string | null }>(
      x,
      `SELECT d.*, r.outcome AS last_outcome FROM statement_diffs d
     LEFT JOIN sync_records r ON r.id = d.sync_record_id
     WHERE d.statement_id = ? AND d.status = 'open'`,
      [id],
    )) {
      if (!SYNCED.has(d.kind) || (d.pay_order_id === null && d.refund_id === null)) continue
      const again =
        d.action === 'none' ||
        d.action === 'sync_busy' ||
        (d.action === 'sync_done' && d.last_outcome === 'error' && d.sync_attempts <= retries)
      if (again) out.push(d)
    }
  return out
})

export const diffsToSync = (db: Db, statementIds: number[], retries: number): StatementDiffRow[] =>
  diffsToSyncOn.sync(sqliteExec(db), statementIds, retries)

export function tradeOf(d: StatementDiffRow): SyncRef {
  return d.trade_type === 'refund'
    ? { type: 'refund', id: d.refund_id! }
    : { type: 'pay', id: d.pay_order_id! }
}

/** Marks differences as queued in a batch, in the caller's transaction: each counts one more attempt. */
export const markQueuedOn = both(function* (
  x: Exec,
  diffs: StatementDiffRow[],
  batchId: number,
  now: number,
): Q<void> {
  for (const d of diffs)
    yield* setDiffActionOn(x, d.id, { action: 'sync_queued', syncBatchId: batchId, attempted: true }, now)
})

export function markQueued(db: Db, diffs: StatementDiffRow[], batchId: number, now: number): void {
  const x = sqliteExec(db)
  db.transaction(() => markQueuedOn.sync(x, diffs, batchId, now)).immediate()
}

/**
 * Opens an anomaly for every open difference a person must decide that has none yet (dedup: the
 * difference keeps its anomaly across re-runs; the store keeps one open anomaly per trade and kind),
 * in the caller's transaction.
 */
export const openDiffAnomaliesOn = both(function* (
  x: Exec,
  statementId: number,
  merchant: { id: number; channel: Channel },
  billDate: string,
  now: number,
): Q<number> {
  const rows = yield* all<StatementDiffRow>(
    x,
    `SELECT * FROM statement_diffs WHERE statement_id = ? AND status = 'open' AND anomaly_id IS NULL
       AND kind IN ('gateway_only', 'refund_unrecorded', 'amount_mismatch', 'trade_no_conflict')`,
    [statementId],
  )
  let opened = 0
  for (const d of rows) {
    const kind = ANOMALY_OF[d.kind]!
    const id = yield* openStatementAnomaly(x, d, kind, merchant, billDate, now)
    yield* setDiffActionOn(x, d.id, { action: 'anomaly_opened', anomalyId: id }, now)
    opened += 1
  }
  return opened
})

export function openDiffAnomalies(
  db: Db,
  statementId: number,
  merchant: { id: number; channel: Channel },
  billDate: string,
  now: number,
): number {
  const x = sqliteExec(db)
  return db.transaction(() => openDiffAnomaliesOn.sync(x, statementId, merchant, billDate, now)).immediate()
}

function* openStatementAnomaly(
  x: Exec,
  d: StatementDiffRow,
  kind: AnomalyKind,
  merchant: { id: number; channel: Channel },
  billDate: string,
  now: number,
): Q<number> {
  const line = d.line_id !== null ? yield* statementLineById(x, d.line_id) : undefined
  // The detail carries the bill's side: the statement day and the line exactly as the file had it.
  const detail = `${ANOMALY_TEXT[kind]}（${d.reason_text}；对账单 ${billDate} 第 ${line?.line_no ?? '—'} 行）${
    line ? `\n${line.raw}` : ''
  }`
  // A refund the bill has and we do not is a problem of its pay order, as the sync engine files it.
  const onPay = d.kind === 'refund_unrecorded' || d.trade_type === 'pay'
  const tradeId = onPay ? d.pay_order_id : d.refund_id
  if (tradeId !== null) {
    // A bill line is no gateway answer: a decision on it sticks while the bill says the same.
    const { id } = yield* openAnomalyOn(x, {
      tradeType: onPay ? 'pay' : 'refund',
      tradeId,
      tradeNo: onPay ? (d.order_no ?? '') : (d.refund_no ?? ''),
      channel: merchant.channel,
      merchantId: merchant.id,
      kind,
      detail,
      localStatus: d.local_status ?? '',
      gatewayStatus: d.statement_status,
      localAmount: d.local_amount,
      gatewayAmount: d.statement_amount,
      answerStatus: null,
      gatewayTime: d.statement_time,
      syncRecordId: null,
      at: now,
    })
    yield* run(x, 'UPDATE anomalies SET statement_line_id = ?, statement_date = ? WHERE id = ?', [
      d.line_id,
      billDate,
      id,
    ])
    return id
  }
  // No local trade: filed under the line's number, one open anomaly per number, kind and bill day.
  const tradeNo = (d.trade_type === 'refund' ? d.refund_no || d.gateway_no : d.order_no || d.gateway_no) ?? ''
  const existing = yield* one<{ id: number }>(
    x,
    `SELECT id FROM anomalies WHERE merchant_id = ? AND kind = ? AND trade_type = ? AND trade_no = ?
       AND statement_date = ? AND trade_id = 0 AND status = 'open'`,
    [merchant.id, kind, d.trade_type, tradeNo, billDate],
  )
  if (existing) return existing.id
  const made = yield* one<{ id: number }>(
    x,
    `INSERT INTO anomalies (trade_type, trade_id, trade_no, channel, merchant_id, kind, detail, local_status,
       gateway_status, local_amount, gateway_amount, gateway_time, created_at, last_seen_at, statement_line_id,
       statement_date)
     VALUES (?, 0, ?, ?, ?, ?, ?, '', ?, NULL, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [
      d.trade_type,
      tradeNo,
      merchant.channel,
      merchant.id,
      kind,
      detail,
      d.statement_status,
      d.statement_amount,
      d.statement_time,
      now,
      now,
      d.line_id,
      billDate,
    ],
  )
  return made!.id
}
