import crypto from 'node:crypto'
import type {
  Channel,
  GatewayStatus,
  Outcome,
  Page,
  SyncRecordView,
  SyncSource,
  TextCut,
  TradeType,
} from '../../shared/domain'
import type { RecordFilter, RecordListRequest } from '../../shared/filters'
import { parseBeijing, parseBeijingEnd, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { findMerchantByName } from './merchants'
import { countable, keptDays, keptTotal, splitDays } from './record-counts'
import { Where } from './where'

export interface SyncRecordRow {
  id: number
  trade_type: TradeType
  trade_id: number
  trade_no: string
  biz_trade_no: string
  gateway_trade_no: string | null
  channel: Channel
  merchant_id: number
  gateway_status: GatewayStatus | null
  gateway_raw_status: string | null
  outcome: Outcome
  repair_no: string | null
  anomaly_id: number | null
  error_code: string | null
  error_msg: string | null
  client_ip: string | null
  operator: string | null
  source: SyncSource
  batch_id: number | null
  duration_ms: number
  created_at: number
  merchant_name?: string
}

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

export function syncRecordView(row: SyncRecordRow): SyncRecordView {
  return {
    id: row.id,
    tradeType: row.trade_type,
    tradeId: row.trade_id,
    tradeNo: row.trade_no,
    bizTradeNo: row.biz_trade_no,
    gatewayTradeNo: row.gateway_trade_no,
    channel: row.channel,
    merchantId: row.merchant_id,
    merchant: row.merchant_name ?? '',
    gatewayStatus: row.gateway_status,
    gatewayRawStatus: row.gateway_raw_status,
    outcome: row.outcome,
    repairNo: row.repair_no,
    anomalyId: row.anomaly_id,
    errorCode: row.error_code,
    errorMsg: row.error_msg,
    clientIp: row.client_ip,
    operator: row.operator,
    source: row.source,
    batchId: row.batch_id,
    durationMs: row.duration_ms,
    createdAt: toIsoBeijing(row.created_at),
  }
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

export function insertSyncRecord(db: Db, r: NewSyncRecord): number {
  const res = stmt(
    db,
    `INSERT INTO sync_records (trade_type, trade_id, trade_no, biz_trade_no, gateway_trade_no, channel, merchant_id,
       gateway_status, gateway_raw_status, outcome, repair_no, anomaly_id, error_code, error_msg, client_ip, operator,
       source, batch_id, duration_ms, created_at, gateway_time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
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
  )
  const id = Number(res.lastInsertRowid)
  if (r.syncInfo !== null || r.actionInfo !== null) {
    const sync = keptText(r.syncInfo)
    const action = keptText(r.actionInfo)
    stmt(
      db,
      `INSERT INTO sync_record_bodies (record_id, sync_info, action_info, sync_info_bytes, sync_info_sha256,
         action_info_bytes, action_info_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      sync.text,
      action.text,
      sync.cut?.bytes ?? null,
      sync.cut?.sha256 ?? null,
      action.cut?.bytes ?? null,
      action.cut?.sha256 ?? null,
    )
  }
  return id
}

/** A record with its texts, and what was cut off them (null columns: kept whole). */
export interface SyncRecordWithBody extends SyncRecordRow {
  sync_info: string | null
  action_info: string | null
  sync_info_bytes: number | null
  sync_info_sha256: string | null
  action_info_bytes: number | null
  action_info_sha256: string | null
}

/** What a record says was cut off one of its texts, or null when the text is whole. */
export function textCut(bytes: number | null, sha256: string | null): TextCut | null {
  return bytes === null || sha256 === null ? null : { bytes, sha256 }
}

const SELECT =
  'SELECT s.*, m.name AS merchant_name FROM sync_records s CROSS JOIN merchants m ON m.id = s.merchant_id'

export function getSyncRecord(db: Db, id: number): SyncRecordWithBody | undefined {
  return stmt<[number], SyncRecordWithBody>(
    db,
    `SELECT s.*, m.name AS merchant_name, b.sync_info, b.action_info, b.sync_info_bytes, b.sync_info_sha256,
       b.action_info_bytes, b.action_info_sha256 FROM sync_records s
       JOIN merchants m ON m.id = s.merchant_id LEFT JOIN sync_record_bodies b ON b.record_id = s.id WHERE s.id = ?`,
  ).get(id)
}

type MsRange = { from: number | null; to: number | null }

function rangeOf(f: RecordFilter): MsRange {
  return {
    from: f.since ? parseBeijing(f.since) : null,
    to: f.until ? parseBeijingEnd(f.until) : null,
  }
}

function recordWhere(db: Db, f: RecordFilter, range: MsRange = rangeOf(f)): Where | null {
  const w = new Where()
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return null
    w.add('s.merchant_id = ?', m.id)
  }
  w.when(f.type, 's.trade_type = ?', f.type)
  w.when(f.channel, 's.channel = ?', f.channel)
  w.when(f.status, 's.gateway_status = ?', f.status)
  w.when(f.result, 's.outcome = ?', f.result)
  w.when(f.source, 's.source = ?', f.source)
  w.when(f.batchId, 's.batch_id = ?', f.batchId)
  w.when(f.tradeId, 's.trade_id = ?', f.tradeId)
  if (f.repaired === true) w.add('s.repair_no IS NOT NULL')
  if (f.repaired === false) w.add('s.repair_no IS NULL')
  w.when(f.no, '(s.trade_no = ? OR s.biz_trade_no = ? OR s.gateway_trade_no = ?)', f.no, f.no, f.no)
  w.msRange('s.created_at', range.from, range.to)
  return w
}

/** Row by row, through the indexes: for the filters the kept totals cannot answer, and day edges. */
function countRows(db: Db, f: RecordFilter, range: MsRange = rangeOf(f)): number {
  // "Not repaired" is nearly every row: counted as all minus the repaired, both through indexes.
  if (f.repaired === false)
    return (
      countRows(db, { ...f, repaired: undefined }, range) - countRows(db, { ...f, repaired: true }, range)
    )
  const w = recordWhere(db, f, range)
  if (!w) return 0
  return (stmt(db, `SELECT count(*) AS n FROM sync_records s ${w}`).get(...w.params) as { n: number }).n
}

/**
 * The list's total. Filters on the kept columns are summed from the totals the triggers keep (whole
 * days), plus the partial days at the edges of a time range counted row by row.
 */
export function countSyncRecords(db: Db, f: RecordFilter): number {
  if (!countable(f)) return countRows(db, f)
  let merchantId: number | null = null
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return 0
    merchantId = m.id
  }
  const range = rangeOf(f)
  if (range.from === null && range.to === null) return keptTotal(db, f, merchantId)
  const { days, edges } = splitDays(range.from, range.to)
  let n = days ? keptDays(db, f, merchantId, days[0], days[1]) : 0
  for (const [from, to] of edges) n += countRows(db, f, { from, to })
  return n
}

export function listSyncRecords(db: Db, f: RecordListRequest): Page<SyncRecordView> {
  const w = recordWhere(db, f)
  if (!w) return { total: 0, items: [] }
  const total = countSyncRecords(db, f)
  const rows = stmt<unknown[], SyncRecordRow>(
    db,
    `${SELECT} ${w} ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?`,
  ).all(...w.params, f.limit, f.offset)
  return { total, items: rows.map(syncRecordView) }
}

/** The newest record of a trade made after `since`: how a batch learns another process synced it. */
export function latestRecordOfTrade(
  db: Db,
  tradeType: TradeType,
  tradeId: number,
  since: number,
): SyncRecordRow | undefined {
  return stmt<[TradeType, number, number], SyncRecordRow>(
    db,
    `SELECT * FROM sync_records WHERE trade_type = ? AND trade_id = ? AND created_at >= ? AND outcome <> 'skipped'
     ORDER BY created_at DESC, id DESC LIMIT 1`,
  ).get(tradeType, tradeId, since)
}

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input.
 */
export function recordsExportQuery(db: Db, f: RecordFilter, columns: readonly string[]): RowQuery | null {
  const w = recordWhere(db, f)
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM sync_records s CROSS JOIN merchants m ON m.id = s.merchant_id ${w} ORDER BY s.created_at DESC, s.id DESC`,
    params: w.params,
  }
}
