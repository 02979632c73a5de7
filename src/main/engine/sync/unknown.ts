import type { TradeType } from '../../../shared/domain'
import { openAnomaly, setAnomalyRecord } from '../../store/anomalies'
import type { Db } from '../../store/connection'
import { synced } from '../../store/connection'
import { settleIntent, syncAgainNow, unsettledIntents, type IntentRow } from '../../store/intents'
import { leaseOf, releaseLease, tradeKey } from '../../store/leases'
import { insertSyncRecord } from '../../store/records'
import { ownerIsAliveHere, ownerIsDeadHere } from '../owner'
import { readTrade } from '../trade'

// An intent with no record, whose attempt is gone (its process died between the call and the write,
// or the write and the journal both failed): the gateway may have done it or not. Nothing is assumed
// (docs/domain.md section 6.8). The attempt gets its record, an error saying so; a person gets an
// anomaly; and the trade is synced again, which learns from the gateway what happened.

const SENT: Record<IntentRow['action'], string> = {
  close: '关单已发出，结果未知',
  payscore_sync: '支付分订单同步已发出，结果未知',
}

const WHY =
  '：发出后没能记下网关的回答（进程中断，或数据库拒绝了写入）。本程序不作推断，已安排重新同步以向网关确认，请核对'

/**
 * Whether the attempt that wrote the intent may still answer it: its process runs on this machine
 * (the answer may be in its hands, written after a lock or kept in its memory), or, from another
 * machine, it still holds the trade's lease.
 */
function inFlight(db: Db, intent: IntentRow, now: number): boolean {
  const owner = intent.holder.split('#')[0]!
  if (ownerIsAliveHere(owner)) return true
  const lease = leaseOf(db, tradeKey(intent.trade_type, intent.trade_id))
  if (!lease || lease.owner !== intent.holder || lease.expires_at < now) return false
  return !ownerIsDeadHere(owner)
}

/**
 * Records every intent no attempt answers any more, except those whose answer is known and waits to
 * be written (`pending`). Returns the trades to sync again.
 */
export function surfaceUnknownOutcomes(
  db: Db,
  now: number,
  pending: ReadonlySet<string>,
): Array<{ type: TradeType; id: number }> {
  const trades: Array<{ type: TradeType; id: number }> = []
  for (const intent of unsettledIntents(db)) {
    if (pending.has(intent.id) || inFlight(db, intent, now)) continue
    synced(db, () => {
      // Read again inside the transaction: another process may have answered it meanwhile.
      if (!unsettledIntents(db).some((i) => i.id === intent.id)) return
      const trade = readTrade(db, intent.trade_type, intent.trade_id)
      if (!trade) return
      const row = trade.row
      const tradeNo = trade.type === 'pay' ? trade.row.order_no : trade.row.refund_no
      const detail = `${SENT[intent.action]}${WHY}`
      const { id: anomalyId } = openAnomaly(db, {
        tradeType: trade.type,
        tradeId: row.id,
        tradeNo,
        channel: row.channel,
        merchantId: row.merchant_id,
        kind: 'gateway_action_unknown',
        detail,
        localStatus: row.status,
        gatewayStatus: null,
        localAmount: row.amount,
        gatewayAmount: null,
        answerStatus: null,
        gatewayTime: null,
        syncRecordId: null,
        at: now,
      })
      const recordId = insertSyncRecord(db, {
        tradeType: trade.type,
        tradeId: row.id,
        tradeNo,
        bizTradeNo: trade.type === 'pay' ? trade.row.biz_order_no : trade.row.biz_refund_no,
        gatewayTradeNo: trade.type === 'pay' ? trade.row.gateway_trade_no : trade.row.gateway_refund_no,
        channel: row.channel,
        merchantId: row.merchant_id,
        gatewayStatus: 'sync_error',
        gatewayRawStatus: null,
        outcome: 'error',
        repairNo: null,
        anomalyId,
        errorCode: 'outcome_unknown',
        errorMsg: detail,
        clientIp: null,
        operator: intent.operator,
        source: intent.source,
        // Not the batch's attempt: the batch's item is still to do, and its resume syncs it.
        batchId: null,
        durationMs: 0,
        createdAt: now,
        syncInfo: null,
        actionInfo: null,
      })
      setAnomalyRecord(db, anomalyId, recordId)
      settleIntent(db, intent.id, recordId, now)
      releaseLease(db, tradeKey(intent.trade_type, intent.trade_id), intent.holder)
      syncAgainNow(db, intent.trade_type, intent.trade_id, now)
      trades.push({ type: intent.trade_type, id: intent.trade_id })
    })
  }
  return trades
}
