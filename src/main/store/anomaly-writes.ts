import type {
  Actor,
  AnomalyAction,
  AnomalyKind,
  Channel,
  GatewayStatus,
  TradeType,
} from '../../shared/domain'
import type { AnomalyRow } from './anomalies'
import type { Db } from './connection'
import { both, one, run, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// What the engine and a person's decision write of an anomaly, on either store (docs/team-mode.md
// B3.1): a sync's sighting, the record it links, and the close of a decision.

export interface NewAnomaly {
  tradeType: TradeType
  tradeId: number
  tradeNo: string
  channel: Channel
  merchantId: number
  kind: AnomalyKind
  detail: string
  localStatus: string
  gatewayStatus: string | null
  localAmount: number | null
  gatewayAmount: number | null
  /** The normalised gateway status the attempt recorded: with the amounts, what identifies the answer. */
  answerStatus: GatewayStatus | null
  /** The gateway's paid time (pay) or refund finish time (refund), when its answer carried one. */
  gatewayTime: number | null
  syncRecordId: number | null
  at: number
}

/** Where a sighting went: the anomaly it counts into or opened, and whether that one is already decided. */
export interface AnomalySighting {
  id: number
  /** The answer is the one a person decided on: recorded against that decision, nothing opened. */
  decided: boolean
}

/**
 * A kind whose decision is about a gateway answer. `sync_keeps_failing` is about errors, not an
 * answer: resolving it puts the trade back on its normal pace (docs/domain.md 6.5), and the errors
 * that pile up again after that are a new matter. Nor is `gateway_action_unknown`: each side effect
 * whose outcome was lost is its own event (docs/domain.md 6.8), never one a past decision covers.
 */
const decidesAnAnswer = (kind: AnomalyKind) =>
  kind !== 'sync_keeps_failing' && kind !== 'gateway_action_unknown'

/**
 * Notes what one sync found (docs/domain.md 6.6): a trade that keeps disagreeing with its gateway is
 * one decision for a person, not one per sync.
 * - While an anomaly of the kind is open for the trade, the sighting counts into it.
 * - Else, when a person decided the latest one of the kind and this is the same answer to the same
 *   question (gateway status and amount; the trade's own status and amount), it is counted on that
 *   decision and nothing opens.
 * - Else a new anomaly opens; after a decision it follows the decided one, so both answers show.
 */
export const openAnomalyOn = both(function* (x: Exec, a: NewAnomaly): Q<AnomalySighting> {
  const latest = yield* one<AnomalyRow>(
    x,
    'SELECT * FROM anomalies WHERE trade_type = ? AND trade_id = ? AND kind = ? ORDER BY id DESC LIMIT 1',
    [a.tradeType, a.tradeId, a.kind],
  )
  if (latest?.status === 'open') {
    yield* run(
      x,
      `UPDATE anomalies SET occurrences = occurrences + 1, last_seen_at = ?, detail = ?, local_status = ?,
         gateway_status = ?, local_amount = ?, gateway_amount = ?, answer_status = ?, gateway_time = ?,
         sync_record_id = COALESCE(?, sync_record_id)
       WHERE id = ?`,
      [
        a.at,
        a.detail,
        a.localStatus,
        a.gatewayStatus,
        a.localAmount,
        a.gatewayAmount,
        a.answerStatus,
        a.gatewayTime,
        a.syncRecordId,
        latest.id,
      ],
    )
    return { id: Number(latest.id), decided: false }
  }
  const decided = latest && decidesAnAnswer(a.kind) ? latest : undefined
  if (decided && sameAnswer(decided, a)) {
    yield* run(
      x,
      'UPDATE anomalies SET seen_after_decision = seen_after_decision + 1, last_seen_at = ? WHERE id = ?',
      [a.at, decided.id],
    )
    return { id: Number(decided.id), decided: true }
  }
  const row = yield* one<{ id: number }>(
    x,
    `INSERT INTO anomalies (trade_type, trade_id, trade_no, channel, merchant_id, kind, detail, local_status,
       gateway_status, local_amount, gateway_amount, answer_status, gateway_time, sync_record_id, follows_id,
       created_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING id`,
    [
      a.tradeType,
      a.tradeId,
      a.tradeNo,
      a.channel,
      a.merchantId,
      a.kind,
      a.detail,
      a.localStatus,
      a.gatewayStatus,
      a.localAmount,
      a.gatewayAmount,
      a.answerStatus,
      a.gatewayTime,
      a.syncRecordId,
      decided?.id ?? null,
      a.at,
      a.at,
    ],
  )
  return { id: Number(row!.id), decided: false }
})

export const openAnomaly = (db: Db, a: NewAnomaly): AnomalySighting => openAnomalyOn.sync(sqliteExec(db), a)

/** The answer a decision was made on, asked the same question again. */
function sameAnswer(decided: AnomalyRow, a: NewAnomaly): boolean {
  return (
    decided.answer_status === a.answerStatus &&
    decided.gateway_amount === a.gatewayAmount &&
    decided.local_status === a.localStatus &&
    decided.local_amount === a.localAmount
  )
}

export const setAnomalyRecordOn = both(function* (x: Exec, id: number, syncRecordId: number): Q<void> {
  yield* send(x, 'UPDATE anomalies SET sync_record_id = ? WHERE id = ?', [syncRecordId, id])
})

export interface AnomalyClosing extends Actor {
  status: 'resolved' | 'dismissed'
  action: AnomalyAction
  remark: string
  repairNo: string | null
  at: number
}

/** Closes an open anomaly; false when it was no longer open (someone decided first). */
export const closeAnomalyOn = both(function* (x: Exec, id: number, c: AnomalyClosing): Q<boolean> {
  const changed = yield* run(
    x,
    `UPDATE anomalies SET status = ?, action = ?, resolution = ?, operator = ?, system_user = ?, transport = ?,
       repair_no = ?, resolved_at = ?
     WHERE id = ? AND status = 'open'`,
    [
      c.status,
      c.action,
      c.remark,
      c.operator,
      c.systemUser ?? null,
      c.transport ?? null,
      c.repairNo,
      c.at,
      id,
    ],
  )
  return changed === 1
})

export const closeAnomaly = (db: Db, id: number, c: AnomalyClosing): boolean =>
  closeAnomalyOn.sync(sqliteExec(db), id, c)
