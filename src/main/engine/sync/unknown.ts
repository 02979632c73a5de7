import type { TradeType } from '../../../shared/domain'
import { openAnomalyOn, setAnomalyRecordOn } from '../../store/anomalies'
import type { Db } from '../../store/connection'
import { synced } from '../../store/connection'
import {
  intentUnsettled,
  settleIntentOn,
  syncAgainNow,
  unsettledIntents,
  type IntentRow,
} from '../../store/intents'
import { leaseOf, releaseLeaseOn, tradeKey } from '../../store/leases'
import { insertSyncRecordOn } from '../../store/records'
import { both, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import { ownerIsAliveHere, ownerIsDeadHere } from '../owner'
import { tradeOn } from '../trade'

// An intent with no record, whose attempt is gone (its process died between the call and the write,
// or the write and the journal both failed): the gateway may have done it or not. Nothing is assumed
// (docs/domain.md section 6.8). The attempt gets its record, an error saying so; a person gets an
// anomaly; and the trade is synced again, which learns from the gateway what happened. Written once
// for both stores: each intent is one transaction of the desktop's file or of a team database.

const SENT: Record<IntentRow['action'], string> = {
  close: '关单已发出，结果未知',
  payscore_sync: '支付分订单同步已发出，结果未知',
}

const WHY =
  '：发出后没能记下网关的回答（进程中断，或数据库拒绝了写入）。本程序不作推断，已安排重新同步以向网关确认，请核对'

/**
 * Whether the attempt that wrote the intent may still answer it: its process runs on this machine
 * (the answer may be in its hands, written after a lock or kept in its memory), or, from another
 * machine, it still holds the trade's lease. `now` is the clock the lease's expiry is reckoned by:
 * the database's on a team database.
 */
export function* intentInFlight(x: Exec, intent: IntentRow, now: number): Q<boolean> {
  const owner = intent.holder.split('#')[0]!
  if (ownerIsAliveHere(owner)) return true
  const lease = yield* leaseOf(x, tradeKey(intent.trade_type, intent.trade_id))
  if (!lease || lease.owner !== intent.holder || lease.expires_at < now) return false
  return !ownerIsDeadHere(owner)
}

/**
 * Records one intent nobody answers: its record, its anomaly, its lease let go and its trade due
 * now, inside the caller's transaction. Null when another process answered it meanwhile.
 */
export const recordUnknownOutcomeOn = both(function* (
  x: Exec,
  intent: IntentRow,
  now: number,
): Q<{ type: TradeType; id: number } | null> {
  // Read again inside the transaction: another process may have answered it meanwhile.
  if (!(yield* intentUnsettled(x, intent.id))) return null
  const trade = yield* tradeOn(x, intent.trade_type, intent.trade_id)
  if (!trade) return null
  const row = trade.row
  const tradeNo = trade.type === 'pay' ? trade.row.order_no : trade.row.refund_no
  const detail = `${SENT[intent.action]}${WHY}`
  const { id: anomalyId } = yield* openAnomalyOn(x, {
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
  const recordId = yield* insertSyncRecordOn(x, {
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
  yield* setAnomalyRecordOn(x, anomalyId, recordId)
  yield* settleIntentOn(x, intent.id, recordId, now)
  yield* releaseLeaseOn(x, tradeKey(intent.trade_type, intent.trade_id), intent.holder)
  yield* syncAgainNow(x, intent.trade_type, intent.trade_id, now)
  return { type: intent.trade_type, id: intent.trade_id }
})

const inFlightHere = both(intentInFlight)

/**
 * Records every intent no attempt answers any more, except those whose answer is known and waits to
 * be written (`pending`). Returns the trades to sync again.
 */
export function surfaceUnknownOutcomes(
  db: Db,
  now: number,
  pending: ReadonlySet<string>,
): Array<{ type: TradeType; id: number }> {
  const x = sqliteExec(db)
  const trades: Array<{ type: TradeType; id: number }> = []
  for (const intent of unsettledIntents(db)) {
    if (pending.has(intent.id) || inFlightHere.sync(x, intent, now)) continue
    const trade = synced(db, () => recordUnknownOutcomeOn.sync(x, intent, now))
    if (trade) trades.push(trade)
  }
  return trades
}
