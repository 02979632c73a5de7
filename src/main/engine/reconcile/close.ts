import type { DiffKind, StatementResult, StatementSummary } from '../../../shared/statements'
import { DIFF_KINDS } from '../../../shared/statements'
import { addCarryOver } from '../../store/carry-over'
import type { Db } from '../../store/connection'
import { stmt } from '../../store/connection'
import { diffCounts, diffsOfBatch, setDiffAction } from '../../store/statement-diffs'
import { lineStateCounts, lineTotals } from '../../store/statement-lines'
import { getStatement, updateStatement } from '../../store/statements'
import { waitingFromCount } from '../../store/carry-over'
import { billDateOf, dayWindow } from './windows'

// Closing a run (docs/reconcile.md A4 "close", A7, A8 rule 3): what each queued sync came to is
// written on its difference (the record linked; an anomaly the sync opened; a busy trade), then each
// statement's summary both sides (A10) and its result.

/** Writes the outcome of every finished batch item onto the differences queued in it. */
export function recordSyncOutcomes(db: Db, batchId: number, now: number): Set<number> {
  const touched = new Set<number>()
  db.transaction(() => {
    for (const d of diffsOfBatch(db, batchId)) {
      if (d.item_outcome === null) continue
      touched.add(d.statement_id)
      const record = d.item_record
      const anomalyId =
        record !== null
          ? (stmt<[number], { anomaly_id: number | null }>(
              db,
              'SELECT anomaly_id FROM sync_records WHERE id = ?',
            ).get(record)?.anomaly_id ?? null)
          : null
      switch (d.item_outcome) {
        case 'skipped':
          setDiffAction(db, d.id, { action: 'sync_busy', syncRecordId: record }, now)
          break
        case 'anomaly':
          setDiffAction(db, d.id, { action: 'anomaly_opened', syncRecordId: record, anomalyId }, now)
          break
        case 'consistent':
        case 'repaired': {
          const moved =
            d.kind === 'local_only' && record !== null ? movedDay(db, d.statement_id, record) : null
          if (moved) {
            // The gateway put the trade on another day (a local clock's paidAt): no difference here;
            // it waits for that day's bill (A8 rule 3).
            addCarryOver(
              db,
              {
                merchantId: d.merchant_id,
                tradeType: d.trade_type,
                tradeId: (d.trade_type === 'refund' ? d.refund_id : d.pay_order_id)!,
                fromStatementId: d.statement_id,
                expectedDates: [moved],
                reason: 'moved_by_sync',
              },
              now,
            )
          }
          setDiffAction(
            db,
            d.id,
            {
              action: 'sync_done',
              syncRecordId: record,
              status: 'resolved',
              resolvedBy: moved ? 'moved_by_sync' : 'sync',
            },
            now,
          )
          break
        }
        default:
          // waiting, error: the difference stays open; an error is tried again on a re-run (A11).
          setDiffAction(db, d.id, { action: 'sync_done', syncRecordId: record }, now)
      }
    }
  }).immediate()
  return touched
}

/** The day the gateway's answer puts the trade on, when it is not the statement's own. */
function movedDay(db: Db, statementId: number, recordId: number): string | null {
  const st = getStatement(db, statementId)
  const r = stmt<[number], { gateway_time: number | null; gateway_status: string | null }>(
    db,
    'SELECT gateway_time, gateway_status FROM sync_records WHERE id = ?',
  ).get(recordId)
  if (!st || !r || r.gateway_time === null) return null
  if (r.gateway_status !== 'pay_success' && r.gateway_status !== 'refund_success') return null
  const w = dayWindow(st.bill_date)
  if (r.gateway_time >= w.start && r.gateway_time < w.end) return null
  return billDateOf(r.gateway_time)
}

/** The A10 summary of a statement from its lines, differences and pool entries, and its result. */
export function summarize(db: Db, statementId: number, now: number): StatementSummary | null {
  const st = getStatement(db, statementId)
  if (!st) return null
  const run = st.lines_run
  const states = lineStateCounts(db, statementId, run)
  const totals = lineTotals(db, statementId, run)
  const { byKind, open } = diffCounts(db, statementId)
  const carried = waitingFromCount(db, statementId)
  const of = (k: string) => totals.find((t) => t.kind === k)
  const all = stmt<
    [number, number],
    { n: number; pay: number; refund: number; revoke: number; other: number }
  >(
    db,
    `SELECT count(*) AS n, sum(kind = 'pay') AS pay, sum(kind = 'refund') AS refund, sum(kind = 'revoke') AS revoke,
       sum(kind = 'other') AS other FROM statement_lines WHERE statement_id = ? AND run = ?`,
  ).get(statementId, run)!
  const local = stmt<
    { s: number; r: number },
    { payCount: number; payAmount: number; refundCount: number; refundAmount: number }
  >(
    db,
    `SELECT
       (SELECT count(DISTINCT l.pay_order_id) FROM statement_lines l WHERE l.statement_id = @s AND l.run = @r
          AND l.kind = 'pay' AND l.pay_order_id IS NOT NULL) +
       (SELECT count(*) FROM statement_diffs d WHERE d.statement_id = @s AND d.kind = 'local_only' AND d.trade_type = 'pay')
         AS payCount,
       COALESCE((SELECT sum(p.amount) FROM pay_orders p WHERE p.id IN (SELECT l.pay_order_id FROM statement_lines l
          WHERE l.statement_id = @s AND l.run = @r AND l.kind = 'pay' AND l.pay_order_id IS NOT NULL)), 0) +
       COALESCE((SELECT sum(d.local_amount) FROM statement_diffs d WHERE d.statement_id = @s AND d.kind = 'local_only'
          AND d.trade_type = 'pay'), 0) AS payAmount,
       (SELECT count(DISTINCT l.refund_id) FROM statement_lines l WHERE l.statement_id = @s AND l.run = @r
          AND l.kind = 'refund' AND l.refund_id IS NOT NULL) +
       (SELECT count(*) FROM statement_diffs d WHERE d.statement_id = @s AND d.kind = 'local_only' AND d.trade_type = 'refund')
         AS refundCount,
       COALESCE((SELECT sum(r.amount) FROM refund_orders r WHERE r.id IN (SELECT l.refund_id FROM statement_lines l
          WHERE l.statement_id = @s AND l.run = @r AND l.kind = 'refund' AND l.refund_id IS NOT NULL)), 0) +
       COALESCE((SELECT sum(d.local_amount) FROM statement_diffs d WHERE d.statement_id = @s AND d.kind = 'local_only'
          AND d.trade_type = 'refund'), 0) AS refundAmount`,
  ).get({ s: statementId, r: run })!
  const diffs = Object.fromEntries(DIFF_KINDS.map((k) => [k, byKind[k] ?? 0])) as Record<DiffKind, number>
  const fileTotals = st.totals ? (JSON.parse(st.totals) as { netE5: number | null }) : null
  const summary: StatementSummary = {
    lines: {
      total: all.n,
      pay: all.pay ?? 0,
      refund: all.refund ?? 0,
      revoke: all.revoke ?? 0,
      other: all.other ?? 0,
      foreign: states.foreign ?? 0,
      duplicate: states.duplicate ?? 0,
    },
    matched: states.matched ?? 0,
    matchedCrossDay: states.matched_cross_day ?? 0,
    carried,
    diffs,
    channel: {
      payCount: of('pay')?.n ?? 0,
      payAmount: of('pay')?.amount ?? 0,
      refundCount: of('refund')?.n ?? 0,
      refundAmount: of('refund')?.amount ?? 0,
      feeE5: totals.reduce((s, t) => s + t.fee, 0),
      netE5: fileTotals?.netE5 ?? null,
    },
    local: {
      payCount: local.payCount,
      payAmount: local.payAmount,
      refundCount: local.refundCount,
      refundAmount: local.refundAmount,
    },
  }
  const reconciledStatus = st.status === 'matched' || st.status === 'empty'
  const result: StatementResult | null = !reconciledStatus
    ? null
    : open > 0
      ? 'unbalanced'
      : carried > 0
        ? 'pending_cross_day'
        : 'balanced'
  updateStatement(db, statementId, { summary: JSON.stringify(summary), open_diffs: open, result }, now)
  return summary
}
