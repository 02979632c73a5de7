import crypto from 'node:crypto'
import type { Channel, GatewayStatus, Outcome, SyncSource, TradeType } from '../../shared/domain'
import type { TextCut } from '../../shared/entity-views'
import type { Db } from './connection'
import { both, one, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// A sync record written, on either store (docs/team-mode.md B3.1): every attempt's, in the
// transaction of its final write, with the gateway's texts as received (docs/domain.md 6.1).

export interface NewSyncRecord {
  tradeType: TradeType
  tradeId: number
  tradeNo: string
  bizTradeNo: string
  gatewayTradeNo: string | null
  channel: Channel
  merchantId: number
  gatewayStatus: GatewayStatus | null
  gatewayRawStatus: string | null
  outcome: Outcome
  repairNo: string | null
  anomalyId: number | null
  errorCode: string | null
  errorMsg: string | null
  clientIp: string | null
  operator: string | null
  source: SyncSource
  batchId: number | null
  durationMs: number
  createdAt: number
  syncInfo: string | null
  actionInfo: string | null
  /** The gateway's time of the trade in a used answer (docs/reconcile.md A8 rule 3). */
  gatewayTime?: number | null
}

/**
 * The most of a gateway's text one record keeps, in UTF-8 bytes (docs/domain.md 6.1). Real answers are
 * a few KB; beyond this a record keeps the beginning, and the whole text's size and SHA-256 say what
 * it was, so that it can still be matched against a copy kept elsewhere.
 */
export const KEPT_TEXT_BYTES = 64 * 1024

interface KeptText {
  text: string | null
  cut: TextCut | null
}

/** A text as a record keeps it: whole, or its first KEPT_TEXT_BYTES cut back to a whole character. */
export function keptText(text: string | null, limit = KEPT_TEXT_BYTES): KeptText {
  // A UTF-16 unit takes at most three UTF-8 bytes: a short text is whole without encoding it.
  if (text === null || text.length * 3 <= limit) return { text, cut: null }
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.length <= limit) return { text, cut: null }
  let end = limit
  // Back to the first byte of a character: a continuation byte is 10xxxxxx.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--
  return {
    text: bytes.subarray(0, end).toString('utf8'),
    cut: { bytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') },
  }
}

/**
 * Writes a record. Its amount is the trade's, and it is marked a repeat when the trade's previous
 * record came to the same outcome, gateway status and error and nothing was repaired: both read here,
 * by id and through the trade's index, so every writer gets them alike.
 */
export const insertSyncRecordOn = both(function* (x: Exec, r: NewSyncRecord): Q<number> {
  const same = x.dialect === 'pg' ? 'IS NOT DISTINCT FROM' : 'IS'
  // A repair is never a repeat; otherwise the trade's latest record is compared. CASE, not the
  // comparison's own value: PostgreSQL's booleans are not numbers.
  const repeated =
    r.repairNo !== null
      ? '0'
      : `COALESCE((SELECT CASE WHEN outcome = ? AND gateway_status ${same} ? AND error_code ${same} ? THEN 1 ELSE 0 END
                 FROM sync_records WHERE trade_type = ? AND trade_id = ?
                 ORDER BY created_at DESC, id DESC LIMIT 1), 0)`
  const row = yield* one<{ id: number }>(
    x,
    `INSERT INTO sync_records (trade_type, trade_id, trade_no, biz_trade_no, gateway_trade_no, channel, merchant_id,
       gateway_status, gateway_raw_status, outcome, repair_no, anomaly_id, error_code, error_msg, client_ip, operator,
       source, batch_id, duration_ms, created_at, gateway_time, amount, repeated)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
       CASE ? WHEN 'pay' THEN (SELECT amount FROM pay_orders WHERE id = ?)
         ELSE (SELECT amount FROM refund_orders WHERE id = ?) END,
       ${repeated})
     RETURNING id`,
    [
      r.tradeType,
      r.tradeId,
      r.tradeNo,
      r.bizTradeNo,
      r.gatewayTradeNo,
      r.channel,
      r.merchantId,
      r.gatewayStatus,
      r.gatewayRawStatus,
      r.outcome,
      r.repairNo,
      r.anomalyId,
      r.errorCode,
      r.errorMsg,
      r.clientIp,
      r.operator,
      r.source,
      r.batchId,
      r.durationMs,
      r.createdAt,
      r.gatewayTime ?? null,
      r.tradeType,
      r.tradeId,
      r.tradeId,
      ...(r.repairNo !== null ? [] : [r.outcome, r.gatewayStatus, r.errorCode, r.tradeType, r.tradeId]),
    ],
  )
  const id = Number(row!.id)
  if (r.syncInfo !== null || r.actionInfo !== null) {
    const sync = keptText(r.syncInfo)
    const action = keptText(r.actionInfo)
    yield* send(
      x,
      `INSERT INTO sync_record_bodies (record_id, sync_info, action_info, sync_info_bytes, sync_info_sha256,
         action_info_bytes, action_info_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        sync.text,
        action.text,
        sync.cut?.bytes ?? null,
        sync.cut?.sha256 ?? null,
        action.cut?.bytes ?? null,
        action.cut?.sha256 ?? null,
      ],
    )
  }
  return id
})

export const insertSyncRecord = (db: Db, r: NewSyncRecord): number =>
  insertSyncRecordOn.sync(sqliteExec(db), r)
