import type {
  AnomalyAction,
  AnomalyKind,
  AnomalyStatus,
  AnomalyView,
  Channel,
  GatewayStatus,
  ListTotals,
  ListPage,
  TradeType,
} from '../../shared/domain'
import type { AnomalyFilter, AnomalyListRequest, ListSort } from '../../shared/filters'
import { isoOrNull, parseBeijing, parseBeijingEnd, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { amountOrderIndex, KEPT, keptTotals, type MsRange } from './list-totals'
import { findMerchantByName } from './merchants'
import { matchCondition, matchTrades, type TradeMatch } from './trade-search'
import { Where } from './where'

export interface AnomalyRow {
  id: number
  trade_type: TradeType
  trade_id: number
  trade_no: string
  channel: Channel
  merchant_id: number
  kind: AnomalyKind
  detail: string
  local_status: string
  gateway_status: string | null
  local_amount: number | null
  /** The gateway's paid or refund-finished time as last seen; null when it gave none (or before migration 3). */
  gateway_time: number | null
  gateway_amount: number | null
  sync_record_id: number | null
  occurrences: number
  status: AnomalyStatus
  resolution: string | null
  action: AnomalyAction | null
  repair_no: string | null
  operator: string | null
  created_at: number
  last_seen_at: number
  resolved_at: number | null
  merchant_name?: string
  gateway_status_code?: GatewayStatus | null
}

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
  /** The gateway's paid time (pay) or refund finish time (refund), when its answer carried one. */
  gatewayTime: number | null
  syncRecordId: number | null
  at: number
}

export function anomalyView(row: AnomalyRow): AnomalyView {
  return {
    id: row.id,
    tradeType: row.trade_type,
    tradeId: row.trade_id,
    tradeNo: row.trade_no,
    channel: row.channel,
    merchant: row.merchant_name ?? '',
    kind: row.kind,
    detail: row.detail,
    localStatus: row.local_status,
    gatewayStatus: row.gateway_status,
    gatewayStatusCode: row.gateway_status_code ?? null,
    localAmount: row.local_amount,
    gatewayAmount: row.gateway_amount,
    syncRecordId: row.sync_record_id,
    occurrences: row.occurrences,
    status: row.status,
    resolution: row.resolution,
    action: row.action,
    repairNo: row.repair_no,
    operator: row.operator,
    createdAt: toIsoBeijing(row.created_at),
    lastSeenAt: toIsoBeijing(row.last_seen_at),
    resolvedAt: isoOrNull(row.resolved_at),
  }
}

/**
 * Opens an anomaly, or counts one more sighting of the same open one: a trade that keeps disagreeing
 * with its gateway is one decision for a person, not one per sync.
 */
export function openAnomaly(db: Db, a: NewAnomaly): number {
  const existing = stmt<[TradeType, number, AnomalyKind], { id: number }>(
    db,
    "SELECT id FROM anomalies WHERE trade_type = ? AND trade_id = ? AND kind = ? AND status = 'open'",
  ).get(a.tradeType, a.tradeId, a.kind)
  if (existing) {
    stmt(
      db,
      `UPDATE anomalies SET occurrences = occurrences + 1, last_seen_at = ?, detail = ?, local_status = ?,
         gateway_status = ?, local_amount = ?, gateway_amount = ?, gateway_time = ?,
         sync_record_id = COALESCE(?, sync_record_id)
       WHERE id = ?`,
    ).run(
      a.at,
      a.detail,
      a.localStatus,
      a.gatewayStatus,
      a.localAmount,
      a.gatewayAmount,
      a.gatewayTime,
      a.syncRecordId,
      existing.id,
    )
    return existing.id
  }
  const r = stmt(
    db,
    `INSERT INTO anomalies (trade_type, trade_id, trade_no, channel, merchant_id, kind, detail, local_status,
       gateway_status, local_amount, gateway_amount, gateway_time, sync_record_id, created_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
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
    a.gatewayTime,
    a.syncRecordId,
    a.at,
    a.at,
  )
  return Number(r.lastInsertRowid)
}

export function setAnomalyRecord(db: Db, id: number, syncRecordId: number): void {
  stmt(db, 'UPDATE anomalies SET sync_record_id = ? WHERE id = ?').run(syncRecordId, id)
}

// The gateway's word is named by the code the sync record that saw it was given (one lookup a row).
const select = (indexed = '') =>
  `SELECT a.*, m.name AS merchant_name, s.gateway_status AS gateway_status_code FROM anomalies a ${indexed}
   CROSS JOIN merchants m ON m.id = a.merchant_id LEFT JOIN sync_records s ON s.id = a.sync_record_id`
const SELECT = select()

export function getAnomaly(db: Db, id: number): AnomalyRow | undefined {
  return stmt<[number], AnomalyRow>(db, `${SELECT} WHERE a.id = ?`).get(id)
}

/** Closes an open anomaly; false when it was no longer open (someone decided first). */
export function closeAnomaly(
  db: Db,
  id: number,
  c: {
    status: 'resolved' | 'dismissed'
    action: AnomalyAction
    remark: string
    operator: string | null
    repairNo: string | null
    at: number
  },
): boolean {
  return (
    stmt(
      db,
      `UPDATE anomalies SET status = ?, action = ?, resolution = ?, operator = ?, repair_no = ?, resolved_at = ?
       WHERE id = ? AND status = 'open'`,
    ).run(c.status, c.action, c.remark, c.operator, c.repairNo, c.at, id).changes === 1
  )
}

const rangeOf = (f: AnomalyFilter): MsRange => ({
  from: f.since ? parseBeijing(f.since) : null,
  to: f.until ? parseBeijingEnd(f.until) : null,
})

/** An anomaly is found through its trade. */
interface AnomalyMatch {
  pay: TradeMatch
  refund: TradeMatch
}

function matchOf(db: Db, f: AnomalyFilter): AnomalyMatch | null {
  return f.no ? { pay: matchTrades(db, 'pay', f.no), refund: matchTrades(db, 'refund', f.no) } : null
}

function anomalyWhere(
  db: Db,
  f: AnomalyFilter,
  match: AnomalyMatch | null,
  range: MsRange = rangeOf(f),
): Where | null {
  const w = new Where()
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return null
    w.add('a.merchant_id = ?', m.id)
  }
  w.when(f.type, 'a.trade_type = ?', f.type)
  w.when(f.channel, 'a.channel = ?', f.channel)
  w.when(f.status, 'a.status = ?', f.status)
  w.when(f.kind, 'a.kind = ?', f.kind)
  w.when(f.tradeId, 'a.trade_id = ?', f.tradeId)
  if (match) {
    const [pay, payIds] = matchCondition('a.trade_id', match.pay)
    const [refund, refundIds] = matchCondition('a.trade_id', match.refund)
    w.add(`((a.trade_type = 'pay' AND ${pay}) OR (a.trade_type = 'refund' AND ${refund}))`, payIds, refundIds)
  }
  w.msRange('a.created_at', range.from, range.to)
  return w
}

function rowTotals(db: Db, f: AnomalyFilter, match: AnomalyMatch | null, range: MsRange): ListTotals {
  const w = anomalyWhere(db, f, match, range)
  if (!w) return { total: 0, amount: 0, gatewayAmount: 0 }
  return stmt(
    db,
    `SELECT count(*) AS total, ifnull(sum(a.local_amount), 0) AS amount,
       ifnull(sum(a.gateway_amount), 0) AS gatewayAmount FROM anomalies a ${w}`,
  ).get(...w.params) as ListTotals
}

/** The count and the sums of the local and of the gateway's amounts of a filter. */
export function anomalyTotals(db: Db, f: AnomalyFilter, match: AnomalyMatch | null): ListTotals {
  if (match || f.tradeId !== undefined)
    return {
      ...rowTotals(db, f, match, rangeOf(f)),
      ...(match && (match.pay.capped || match.refund.capped) ? { capped: true } : {}),
    }
  const kept = new Where()
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return { total: 0, amount: 0, gatewayAmount: 0 }
    kept.add('merchant_id = ?', m.id)
  }
  kept.when(f.type, 'trade_type = ?', f.type)
  kept.when(f.channel, 'channel = ?', f.channel)
  kept.when(f.status, 'status = ?', f.status)
  kept.when(f.kind, 'kind = ?', f.kind)
  return keptTotals(db, KEPT.anomalies, kept, rangeOf(f), (edge) => rowTotals(db, f, null, edge))
}

const ORDER: Record<ListSort, string> = {
  '-time': 'a.created_at DESC, a.id DESC',
  time: 'a.created_at, a.id',
  '-amount': 'a.local_amount DESC, a.id DESC',
  amount: 'a.local_amount, a.id',
}

export function listAnomalies(db: Db, f: AnomalyListRequest): ListPage<AnomalyView> {
  const match = matchOf(db, f)
  const w = anomalyWhere(db, f, match)
  if (!w) return { total: 0, amount: 0, gatewayAmount: 0, items: [] }
  const totals = anomalyTotals(db, f, match)
  const rows = stmt<unknown[], AnomalyRow>(
    db,
    `${select(amountOrderIndex(f.sort, totals.total, 'idx_anomalies_amount'))} ${w} ORDER BY ${ORDER[f.sort ?? '-time']} LIMIT ? OFFSET ?`,
  ).all(...w.params, f.limit, f.offset)
  return { ...totals, items: rows.map(anomalyView) }
}

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input.
 */
export function anomaliesExportQuery(db: Db, f: AnomalyFilter, columns: readonly string[]): RowQuery | null {
  const w = anomalyWhere(db, f, matchOf(db, f))
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM anomalies a CROSS JOIN merchants m ON m.id = a.merchant_id ${w} ORDER BY ${ORDER[f.sort ?? '-time']}`,
    params: w.params,
  }
}
