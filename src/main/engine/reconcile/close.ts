import type {
  DiffKind,
  StatementLineKind,
  StatementResult,
  StatementSummary,
} from '../../../shared/statements'
import { DIFF_KINDS } from '../../../shared/statements'
import { addCarryOverOn } from '../../store/carry-over'
import type { Db } from '../../store/connection'
import { diffCounts, diffsOfBatch, setDiffActionOn } from '../../store/statement-diffs'
import { foundTradeTotals, kindTotals, lineStateCounts } from '../../store/statement-lines'
import { statementById, updateStatementOn } from '../../store/statements'
import { waitingFromCount } from '../../store/carry-over'
import { both, one, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import { billDateOf, dayWindow } from './windows'

// Closing a run (docs/reconcile.md A4 "close", A7, A8 rule 3): what each queued sync came to is
// written on its difference (the record linked; an anomaly the sync opened; a busy trade), then each
// statement's summary both sides (A10) and its result.

/** Writes the outcome of every finished batch item onto the differences queued in it, in the caller's transaction. */
export const recordSyncOutcomesOn = both(function* (x: Exec, batchId: number, now: number): Q<Set<number>> {
  const touched = new Set<number>()
  for (const d of yield* diffsOfBatch(x, batchId)) {
    if (d.item_outcome === null) continue
    touched.add(d.statement_id)
    const record = d.item_record
    const anomalyId =
      record !== null
        ? ((yield* one<{ anomaly_id: number | null }>(x, 'SELECT anomaly_id FROM sync_records WHERE id = ?', [
            record,
          ]))?.anomaly_id ?? null)
        : null
    switch (d.item_outcome) {
      case 'skipped':
        yield* setDiffActionOn(x, d.id, { action: 'sync_busy', syncRecordId: record }, now)
        break
      case 'anomaly':
        yield* setDiffActionOn(x, d.id, { action: 'anomaly_opened', syncRecordId: record, anomalyId }, now)
        break
      case 'consistent':
      case 'repaired': {
        const moved =
          d.kind === 'local_only' && record !== null ? yield* movedDay(x, d.statement_id, record) : null
        if (moved) {
          // The gateway put the trade on another day (a local clock's paidAt): no difference here;
          // it waits for that day's bill (A8 rule 3).
          yield* addCarryOverOn(
            x,
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
        yield* setDiffActionOn(
          x,
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
        yield* setDiffActionOn(x, d.id, { action: 'sync_done', syncRecordId: record }, now)
    }
  }
  return touched
})

export function recordSyncOutcomes(db: Db, batchId: number, now: number): Set<number> {
  const x = sqliteExec(db)
  return db.transaction(() => recordSyncOutcomesOn.sync(x, batchId, now)).immediate()
}

/** The day the gateway's answer puts the trade on, when it is not the statement's own. */
function* movedDay(x: Exec, statementId: number, recordId: number): Q<string | null> {
  const st = yield* statementById(x, statementId)
  const r = yield* one<{ gateway_time: number | null; gateway_status: string | null }>(
    x,
    'SELECT gateway_time, gateway_status FROM sync_records WHERE id = ?',
    [recordId],
  )
  if (!st || !r || r.gateway_time === null) return null
  if (r.gateway_status !== 'pay_success' && r.gateway_status !== 'refund_success') return null
  const w = dayWindow(st.bill_date)
  if (r.gateway_time >= w.start && r.gateway_time < w.end) return null
  return billDateOf(r.gateway_time)
}

/** The A10 summary of a statement from its lines, differences and pool entries, and its result. */
export const summarizeOn = both(function* (
  x: Exec,
  statementId: number,
  now: number,
): Q<StatementSummary | null> {
  const st = yield* statementById(x, statementId)
  if (!st) return null
  const run = st.lines_run
  const states = yield* lineStateCounts(x, statementId, run)
  const kinds = yield* kindTotals(x, statementId, run)
  const { byKind, open } = yield* diffCounts(x, statementId)
  const carried = yield* waitingFromCount(x, statementId)
  const of = (k: StatementLineKind) => kinds.find((t) => t.kind === k)
  const pay = yield* foundTradeTotals(x, statementId, run, 'pay')
  const refund = yield* foundTradeTotals(x, statementId, run, 'refund')
  const localOnly = (yield* one<{
    payCount: number | null
    payAmount: number
    refundCount: number | null
    refundAmount: number
  }>(
    x,
    // The local trades missing from the bill (A7 local_only) are the rest of the local side.
    x.dialect === 'pg'
      ? `SELECT sum(CASE WHEN trade_type = 'pay' THEN 1 ELSE 0 END) AS "payCount",
           COALESCE(sum(CASE WHEN trade_type = 'pay' THEN local_amount END), 0) AS "payAmount",
           sum(CASE WHEN trade_type = 'refund' THEN 1 ELSE 0 END) AS "refundCount",
           COALESCE(sum(CASE WHEN trade_type = 'refund' THEN local_amount END), 0) AS "refundAmount"
         FROM statement_diffs WHERE statement_id = ? AND kind = 'local_only'`
      : `SELECT sum(trade_type = 'pay') AS payCount, COALESCE(sum(CASE WHEN trade_type = 'pay' THEN local_amount END), 0)
       AS payAmount, sum(trade_type = 'refund') AS refundCount,
       COALESCE(sum(CASE WHEN trade_type = 'refund' THEN local_amount END), 0) AS refundAmount
     FROM statement_diffs WHERE statement_id = ? AND kind = 'local_only'`,
    [statementId],
  ))!
  const diffs = Object.fromEntries(DIFF_KINDS.map((k) => [k, byKind[k] ?? 0])) as Record<DiffKind, number>
  const fileTotals = st.totals ? (JSON.parse(st.totals) as { netE5: number | null }) : null
  const summary: StatementSummary = {
    lines: {
      total: kinds.reduce((sum, t) => sum + t.all, 0),
      pay: of('pay')?.all ?? 0,
      refund: of('refund')?.all ?? 0,
      revoke: of('revoke')?.all ?? 0,
      other: of('other')?.all ?? 0,
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
      feeE5: kinds.reduce((sum, t) => sum + t.fee, 0),
      netE5: fileTotals?.netE5 ?? null,
    },
    local: {
      payCount: pay.n + (localOnly.payCount ?? 0),
      payAmount: pay.amount + localOnly.payAmount,
      refundCount: refund.n + (localOnly.refundCount ?? 0),
      refundAmount: refund.amount + localOnly.refundAmount,
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
  yield* updateStatementOn(
    x,
    statementId,
    { summary: JSON.stringify(summary), open_diffs: open, result },
    now,
  )
  return summary
})

export const summarize = (db: Db, statementId: number, now: number): StatementSummary | null =>
  summarizeOn.sync(sqliteExec(db), statementId, now)
