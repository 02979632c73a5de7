import { completeBatchItem } from '../../store/batches'
import { openAnomaly, setAnomalyRecord } from '../../store/anomalies'
import type { Db } from '../../store/connection'
import { releaseLease } from '../../store/leases'
import { fillGatewayTradeNo, markPayOrderSynced } from '../../store/orders'
import { insertSyncRecord } from '../../store/records'
import { fillRefundOrder, markRefundOrderSynced } from '../../store/refunds'
import { linkRepairsToRecord } from '../../store/repairs'
import { nextSyncAt } from '../ladder'
import { ANOMALY_TEXT, type Finding, type FindingAnomaly } from './finding'
import type { HealthThrottle } from './health'
import type { Trade } from '../trade'
import type { HeldLease } from './lease'
import { applyRepair } from './repair'
import type { Attempt, SyncResult } from './types'

// The one write of an attempt (docs/domain.md section 6, rules 1 and 2): repair, anomaly, sync
// record, the trade's own bookkeeping, the batch item and the lease, in one immediate transaction.

export interface AttemptWriter {
  db: Db
  now: () => number
  errorThreshold: number
  /** A replay of the journal passes one that notes nothing: its calls are long past. */
  health: Pick<HealthThrottle, 'note'>
}

type SyncMark = Parameters<typeof markPayOrderSynced>[2]

/** What the write needs of a pay order or a refund, so that the transaction below reads as one. */
function sideOf(db: Db, trade: Trade, f: Finding) {
  if (trade.type === 'pay') {
    const o = trade.row
    return {
      tradeNo: o.order_no,
      bizTradeNo: o.biz_order_no,
      gatewayNo: o.gateway_trade_no ?? f.gatewayTradeNo ?? null,
      fill: () => fillGatewayTradeNo(db, o.id, f.gatewayTradeNo),
      mark: (m: SyncMark) => markPayOrderSynced(db, o.id, m),
    }
  }
  const r = trade.row
  return {
    tradeNo: r.refund_no,
    bizTradeNo: r.biz_refund_no,
    gatewayNo: r.gateway_refund_no ?? f.gatewayRefundNo ?? null,
    fill: (now: number) => fillRefundOrder(db, r.id, f.gatewayRefundNo ?? null, now),
    mark: (m: SyncMark) => markRefundOrderSynced(db, r.id, m),
  }
}

/** Writes the attempt: repair, anomaly, record, trade bookkeeping and batch item, in one transaction. */
export function writeAttempt(
  w: AttemptWriter,
  trade: Trade,
  attempt: Attempt,
  started: number,
  f: Finding,
  lease: HeldLease | null,
): SyncResult {
  const { db } = w
  const now = w.now()
  const row = trade.row
  const side = sideOf(db, trade, f)
  return db
    .transaction((): SyncResult => {
      let outcome = f.outcome
      let errorCode = f.errorCode
      let errorMsg = f.errorMsg
      let repairNo: string | null = null
      if (f.repair) {
        repairNo = applyRepair(
          db,
          f.repair,
          {
            source: attempt.source,
            operator: attempt.operator ?? null,
            systemUser: attempt.systemUser ?? null,
            transport: attempt.transport ?? null,
          },
          now,
        )
        if (repairNo === null) {
          // Compare-and-set found the trade changed by someone else: nothing applied, said so.
          outcome = 'skipped'
          errorCode = 'conflict'
          errorMsg = '订单已被其他操作修改，本次修复未执行'
        }
      }
      if (outcome !== 'skipped' && outcome !== 'error') side.fill(now)

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
        const sighting = openAnomaly(db, {
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

      const recordId = insertSyncRecord(db, {
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
      if (repairNo) linkRepairsToRecord(db, repairNo, recordId)
      // A decided anomaly keeps the record of the answer it was decided on.
      if (anomalyId && !decided) setAnomalyRecord(db, anomalyId, recordId)

      if (lease) releaseLease(db, lease.key, lease.holder)
      w.health.note(row.merchant_id, outcome, errorMsg, f, now)
      if (outcome !== 'skipped') {
        side.mark({
          at: now,
          outcome,
          gatewayStatus: f.gatewayStatus,
          errorCount: errors,
          nextSyncAt:
            statusNow === 'progress'
              ? nextSyncAt(row.created_at, now, errors, w.errorThreshold, decided)
              : null,
        })
        if (attempt.batchItemId) {
          completeBatchItem(db, attempt.batchItemId, {
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
    .immediate()
}
