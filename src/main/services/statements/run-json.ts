import {
  DIFF_KINDS,
  type DiffKind,
  type ReconcileRun,
  type StatementSummary,
} from '../../../shared/statements'
import { type MerchantRow } from '../../store/merchants'
import { statementById, updateStatementOn, type StatementRow } from '../../store/statements'
import { both, one, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import type { ServiceContext } from '../context'
import { statementRow } from './common'

// The run's JSON of docs/reconcile.md A13, which the command line prints and the screens show.

export function finish(
  ctx: ServiceContext,
  merchant: MerchantRow,
  statementId: number,
  started: number,
  actions: { syncErrors: number },
): ReconcileRun {
  statementRow(ctx, statementId)
  return finishOn.sync(sqliteExec(ctx.db), merchant, statementId, started, actions, ctx.now())
}

/** The run's duration written on its statement, and the run's JSON, on either store. */
export const finishOn = both(function* (
  x: Exec,
  merchant: MerchantRow,
  statementId: number,
  started: number,
  actions: { syncErrors: number },
  now: number,
): Q<ReconcileRun> {
  const durationMs = Math.round(performance.now() - started)
  yield* updateStatementOn(x, statementId, { duration_ms: durationMs }, now)
  const st = (yield* statementById(x, statementId))!
  const counted = (yield* one<{ synced: number; anomalies: number }>(
    x,
    `SELECT count(sync_batch_id) AS synced, count(anomaly_id) AS anomalies FROM statement_diffs WHERE statement_id = ?`,
    [st.id],
  ))!
  return runJson(st, merchant, actions, durationMs, counted)
})

const NO_DIFFS = Object.fromEntries(DIFF_KINDS.map((k) => [k, 0])) as Record<DiffKind, number>

function runJson(
  st: StatementRow,
  merchant: MerchantRow,
  actions: { syncErrors: number },
  durationMs: number,
  counted: { synced: number; anomalies: number },
): ReconcileRun {
  const summary: StatementSummary | null = st.summary ? (JSON.parse(st.summary) as StatementSummary) : null
  return {
    statementId: st.id,
    merchant: merchant.name,
    channel: merchant.channel,
    billDate: st.bill_date,
    source: st.source,
    verified: st.verified === 1,
    status: st.status,
    result: st.result,
    file: st.file_name ? { name: st.file_name, sha256: st.file_sha256, encoding: st.file_encoding } : null,
    integrity: st.integrity,
    lines: summary?.lines ?? { total: 0, pay: 0, refund: 0, revoke: 0, other: 0, foreign: 0, duplicate: 0 },
    matched: summary?.matched ?? 0,
    matchedCrossDay: summary?.matchedCrossDay ?? 0,
    carried: summary?.carried ?? 0,
    diffs: summary?.diffs ?? { ...NO_DIFFS },
    // What the statement's differences led to, counted from the differences themselves: a re-run
    // with the same file says the same (A17 test 23), though it queues and opens nothing new.
    actions: {
      syncQueued: counted.synced,
      anomaliesOpened: counted.anomalies,
      syncBatchId: st.sync_batch_id,
      syncErrors: actions.syncErrors,
    },
    amounts: {
      channelPay: summary?.channel.payAmount ?? 0,
      channelRefund: summary?.channel.refundAmount ?? 0,
      localPay: summary?.local.payAmount ?? 0,
      localRefund: summary?.local.refundAmount ?? 0,
      feeE5: summary?.channel.feeE5 ?? 0,
      net: summary?.channel.netE5 ?? null,
    },
    errorCode: st.error_code,
    errorMsg: st.error_msg,
    dryRun: st.dry_run === 1,
    durationMs,
  }
}
