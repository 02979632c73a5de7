import { sendBatchItemDoneOn } from '../../store/batches'
import { openAnomalyOn, setAnomalyRecordOn } from '../../store/anomalies'
import type { Db } from '../../store/connection'
import { releaseLeaseOn } from '../../store/leases'
import { recordMerchantHealthOn } from '../../store/merchants'
import { insertSyncRecordOn } from '../../store/records'
import { both, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import { markTradeSyncedOn, type SyncMark } from '../../store/trade-schedule'
import { nextSyncAt } from '../ladder'
import { ANOMALY_TEXT, type Finding, type FindingAnomaly } from './finding'
import type { HealthThrottle } from './health'
import type { Trade } from '../trade'
import type { HeldLease } from './lease'
import { applyRepairOn, writeRepairRowsOn, type AppliedRepair } from './repair'
import type { Attempt, SyncResult } from './types'

// The one write of an attempt (docs/domain.md section 6, rules 1 and 2): repair, anomaly, sync
// record, the trade's own bookkeeping, the batch item and the lease, in one transaction. Written
// once for both stores (docs/team-mode.md B3.1): on SQLite one immediate transaction of the file, on
// a team database one PostgreSQL transaction (engine/sync/pg-books.ts).

export interface AttemptRules {
  now: () => number
  errorThreshold: number
  /** A replay of the journal passes one that notes nothing: its calls are long past. */
  health: Pick<HealthThrottle, 'note'>
}

export interface AttemptWriter extends AttemptRules {
  db: Db
}

/** What the write needs of a pay order or a refund, so that the transaction below reads as one. */
function sideOf(trade: Trade, f: Finding) {
  if (trade.type === 'pay') {
    const o = trade.row
    return {
      tradeNo: o.order_no,
      bizTradeNo: o.biz_order_no,
      gatewayNo: o.gateway_trade_no ?? f.gatewayTradeNo ?? null,
      // The gateway's number the trade did not have: a known one is never overwritten, nor emptied.
      fillNo: o.gateway_trade_no ? null : (f.gatewayTradeNo ?? null),
    }
  }
  const r = trade.row
  return {
    tradeNo: r.refund_no,
    bizTradeNo: r.biz_refund_no,
    gatewayNo: r.gateway_refund_no ?? f.gatewayRefundNo ?? null,
    fillNo: r.gateway_refund_no ? null : (f.gatewayRefundNo ?? null),
  }
}

/** How an attempt leaves the trade's bookkeeping: when it is asked next follows from the rest. */
function syncMarkOf(
  w: AttemptRules,
  trade: Trade,
  now: number,
  m: Pick<SyncMark, 'outcome' | 'gatewayStatus' | 'fillNo'> & {
    errors: number
    statusNow: string
    decided: boolean
  },
): SyncMark {
  return {
    at: now,
    outcome: m.outcome,
    gatewayStatus: m.gatewayStatus,
    errorCount: m.errors,
    nextSyncAt:
      m.statusNow === 'progress'
        ? nextSyncAt(trade.row.created_at, now, m.errors, w.errorThreshold, m.decided)
        : null,
    fillNo: m.fillNo,
  }
}

/**
 * The attempt's write inside the caller's transaction: repair, anomaly, record, trade bookkeeping,
 * batch item, merchant health and lease.
 */
export const attemptWriteOn = both(function* (
  x: Exec,
  w: AttemptRules,
  trade: Trade,
  attempt: Attempt,
  started: number,
  f: Finding,
  lease: HeldLease | null,
): Q<SyncResult> {
  const now = w.now()
  const row = trade.row
  const side = sideOf(trade, f)
  let outcome = f.outcome
  let errorCode = f.errorCode
  let errorMsg = f.errorMsg
  // The trade's bookkeeping once repaired, as the lines below would write it if the repair applies (no
  // errors, its anomaly if any, the number filled), goes in the repair's own compare-and-set: one
  // update of the row where there were two (a team database rewrites the row and every index of it at
  // each update). Not for a trade the repair leaves in progress: when it is asked next depends on
  // whether a person decided an anomaly of it, read below.
  const statusIfRepaired = f.statusAfter ?? row.status
  const markIfRepaired: SyncMark | undefined =
    f.repair && f.outcome === 'repaired' && statusIfRepaired !== 'progress'
      ? syncMarkOf(w, trade, now, {
          outcome: f.anomaly ? 'anomaly' : 'repaired',
          gatewayStatus: f.gatewayStatus,
          errors: 0,
          statusNow: statusIfRepaired,
          decided: false,
          fillNo: side.fillNo,
        })
      : undefined
  let repair: AppliedRepair | null = null
  if (f.repair) {
    repair = yield* applyRepairOn(
      x,
      f.repair,
      {
        source: attempt.source,
        operator: attempt.operator ?? null,
        systemUser: attempt.systemUser ?? null,
        transport: attempt.transport ?? null,
      },
      now,
      markIfRepaired,
    )
    if (repair === null) {
      // Compare-and-set found the trade changed by someone else: nothing applied, said so.
      outcome = 'skipped'
      errorCode = 'conflict'
      errorMsg = '订单已被其他操作修改，本次修复未执行'
    }
  }
  const repairNo = repair?.repairNo ?? null
  // Filled by an answer that did not fail, as the outcome stands now: in the bookkeeping's update
  // below, not one of its own (a team database rewrites the row and its indexes at each update).
  const fillNo = outcome !== 'skipped' && outcome !== 'error' ? side.fillNo : null

  const errors =
    outcome === 'error' ? row.sync_error_count + 1 : outcome === 'skipped' ? row.sync_error_count : 0
  // What the trade's status is now, without reading it again: the repair's target if it applied.
  const statusNow = repairNo && f.statusAfter ? f.statusAfter : row.status
  let anomaly: FindingAnomaly | undefined = f.anomaly && outcome !== 'skipped' ? f.anomaly : undefined
  // A repair that also opened an anomaly (paid, then refunded with no local refund) leaves a
  // person something to decide: the attempt counts as an anomaly, in a batch's problem rows too,
  // and still names its repair.
  if (anomaly && outcome === 'repaired') outcome = 'anomaly'

  if (!anomaly && outcome === 'error' && errors === w.errorThreshold) {
    anomaly = {
      kind: 'sync_keeps_failing',
      detail: `${ANOMALY_TEXT.sync_keeps_failing}（${errors} 次）: ${errorMsg ?? ''}`,
      gatewayAmount: null,
      gatewayTime: null,
    }
  }
  let anomalyId: number | null = null
  // The same answer as one a person decided on: recorded against that decision, nothing opened,
  // and the trade asked again at the ladder's back-off (docs/domain.md 6.6).
  let decided = false
  if (anomaly) {
    const sighting = yield* openAnomalyOn(x, {
      tradeType: trade.type,
      tradeId: row.id,
      tradeNo: side.tradeNo,
      channel: row.channel,
      merchantId: row.merchant_id,
      kind: anomaly.kind,
      detail: anomaly.detail,
      localStatus: statusNow,
      gatewayStatus: f.rawStatus ?? f.gatewayStatus,
      localAmount: row.amount,
      gatewayAmount: anomaly.gatewayAmount,
      answerStatus: f.gatewayStatus,
      gatewayTime: anomaly.gatewayTime,
      syncRecordId: null,
      at: now,
    })
    anomalyId = sighting.id
    decided = sighting.decided
    if (decided && !repairNo) outcome = 'decided'
  }

  const recordId = yield* insertSyncRecordOn(x, {
    tradeType: trade.type,
    tradeId: row.id,
    tradeNo: side.tradeNo,
    bizTradeNo: side.bizTradeNo,
    gatewayTradeNo: side.gatewayNo,
    channel: row.channel,
    merchantId: row.merchant_id,
    gatewayStatus: f.gatewayStatus,
    gatewayRawStatus: f.rawStatus,
    outcome,
    repairNo,
    anomalyId,
    errorCode,
    errorMsg,
    clientIp: attempt.clientIp ?? null,
    operator: attempt.operator ?? null,
    source: attempt.source,
    batchId: attempt.batchId ?? null,
    // The gateway's time: the wait for a call slot and the QPS turn is our own queue.
    durationMs: Math.round(performance.now() - started - attempt.waited.ms),
    createdAt: now,
    syncInfo: f.syncInfo,
    actionInfo: f.actionInfo,
    // An error's answer is not used for anything, its time included (docs/domain.md section 6).
    gatewayTime: outcome === 'error' ? null : (f.gatewayTime ?? null),
  })
  if (repair) yield* writeRepairRowsOn(x, repair, recordId)
  // A decided anomaly keeps the record of the answer it was decided on.
  if (anomalyId && !decided) yield* setAnomalyRecordOn(x, anomalyId, recordId)

  if (lease) yield* releaseLeaseOn(x, lease.key, lease.holder)
  const health = w.health.note(row.merchant_id, outcome, errorMsg, f, now)
  if (health) yield* recordMerchantHealthOn(x, row.merchant_id, health, now)
  if (outcome !== 'skipped') {
    if (!(repair && markIfRepaired))
      yield* markTradeSyncedOn(
        x,
        trade.type,
        row.id,
        syncMarkOf(w, trade, now, {
          outcome,
          gatewayStatus: f.gatewayStatus,
          errors,
          statusNow,
          decided,
          fillNo,
        }),
      )
    if (attempt.batchItemId) {
      yield* sendBatchItemDoneOn(x, attempt.batchItemId, {
        outcome,
        gatewayStatus: f.gatewayStatus,
        syncRecordId: recordId,
        error: errorMsg,
      })
    }
  }
  return {
    tradeType: trade.type,
    tradeId: row.id,
    recordId,
    outcome,
    gatewayStatus: f.gatewayStatus,
    repairNo,
    anomalyId,
    errorCode,
    errorMsg,
  }
})

/** Writes the attempt in one immediate transaction of the SQLite file. */
export function writeAttempt(
  w: AttemptWriter,
  trade: Trade,
  attempt: Attempt,
  started: number,
  f: Finding,
  lease: HeldLease | null,
): SyncResult {
  const x = sqliteExec(w.db)
  return w.db.transaction(() => attemptWriteOn.sync(x, w, trade, attempt, started, f, lease)).immediate()
}
