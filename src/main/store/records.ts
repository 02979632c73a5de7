import type { Channel, GatewayStatus, Outcome, SyncSource, TradeType } from '../../shared/domain'
import type { ListTotals, ListPage, SyncRecordView, TextCut } from '../../shared/entity-views'
import type { ListSort, RecordFilter, RecordListRequest } from '../../shared/filters'
import { parseBeijing, parseBeijingEnd, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { listOrder, readPage, type SortColumns } from './list-cursor'
import { amountOrderIndex, KEPT, keptTotals, type MsRange } from './list-totals'
import { merchantNamed } from './merchants'
import { both, joinInOrder, one, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'
import { matchCondition, tradeMatch, type TradeMatch } from './trade-search'
import { Where } from './where'

// The writes live beside the reads (record-writes.ts: a record written); importers keep one module.
export * from './record-writes'

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
  amount: number | null
  repeated: 0 | 1
  merchant_name?: string
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
    amount: row.amount,
    repeated: row.repeated === 1,
  }
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

const select = (x: Exec, indexed = '') =>
  `SELECT s.*, m.name AS merchant_name FROM sync_records s ${indexed} ${joinInOrder(x)} merchants m ON m.id = s.merchant_id`

export function* syncRecordById(x: Exec, id: number): Q<SyncRecordWithBody | undefined> {
  return yield* one<SyncRecordWithBody>(
    x,
    `SELECT s.*, m.name AS merchant_name, b.sync_info, b.action_info, b.sync_info_bytes, b.sync_info_sha256,
       b.action_info_bytes, b.action_info_sha256 FROM sync_records s
       JOIN merchants m ON m.id = s.merchant_id LEFT JOIN sync_record_bodies b ON b.record_id = s.id WHERE s.id = ?`,
    [id],
  )
}

const syncRecordByIdBoth = both(syncRecordById)

export const getSyncRecord = (db: Db, id: number) => syncRecordByIdBoth.sync(sqliteExec(db), id)

function rangeOf(f: RecordFilter): MsRange {
  return {
    from: f.since ? parseBeijing(f.since) : null,
    to: f.until ? parseBeijingEnd(f.until) : null,
  }
}

/** The trades a number search names, both types: a record is found through its trade. */
interface RecordMatch {
  pay: TradeMatch
  refund: TradeMatch
}

function* matchOf(x: Exec, f: RecordFilter): Q<RecordMatch | null> {
  return f.no
    ? { pay: yield* tradeMatch(x, 'pay', f.no), refund: yield* tradeMatch(x, 'refund', f.no) }
    : null
}

function* recordWhere(
  x: Exec,
  f: RecordFilter,
  match: RecordMatch | null,
  range: MsRange = rangeOf(f),
): Q<Where | null> {
  const w = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
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
  if (f.hideRepeats) w.add('s.repeated = 0')
  if (match) {
    const [pay, payIds] = matchCondition(x, 's.trade_id', match.pay)
    const [refund, refundIds] = matchCondition(x, 's.trade_id', match.refund)
    w.add(`((s.trade_type = 'pay' AND ${pay}) OR (s.trade_type = 'refund' AND ${refund}))`, payIds, refundIds)
  }
  w.msRange('s.created_at', range.from, range.to)
  return w
}

/** Row by row, through the indexes: for the filters the kept totals cannot answer, and day edges. */
function* rowTotals(x: Exec, f: RecordFilter, match: RecordMatch | null, range: MsRange): Q<ListTotals> {
  const w = yield* recordWhere(x, f, match, range)
  if (!w) return { total: 0, amount: 0 }
  return (yield* one<ListTotals>(
    x,
    `SELECT count(*) AS total, coalesce(sum(s.amount), 0) AS amount FROM sync_records s ${w}`,
    w.params,
  ))!
}

/** Filters on the kept columns (and time) are counted from the kept totals. */
function keptWhere(f: RecordFilter, merchantId: number | null): Where {
  const w = new Where()
  if (merchantId !== null) w.add('merchant_id = ?', merchantId)
  w.when(f.type, 'trade_type = ?', f.type)
  w.when(f.channel, 'channel = ?', f.channel)
  w.when(f.status, 'gateway_status = ?', f.status)
  w.when(f.result, 'outcome = ?', f.result)
  w.when(f.source, 'source = ?', f.source)
  if (f.repaired !== undefined) w.add('repaired = ?', f.repaired ? 1 : 0)
  if (f.hideRepeats) w.add('repeated = 0')
  return w
}

/**
 * The list's count and the sum of its trades' amounts. Filters on the kept columns are summed from
 * the totals the triggers keep (whole days), plus the partial days at the edges of a time range
 * counted row by row; a trade, a batch or a number search is counted row by row.
 */
function* recordTotals(x: Exec, f: RecordFilter, known?: RecordMatch | null): Q<ListTotals> {
  const match = known === undefined ? yield* matchOf(x, f) : known
  const capped = match && (match.pay.capped || match.refund.capped) ? { capped: true } : {}
  if (f.batchId !== undefined || f.tradeId !== undefined || match)
    return { ...(yield* rowTotals(x, f, match, rangeOf(f))), ...capped }
  let merchantId: number | null = null
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return { total: 0, amount: 0 }
    merchantId = m.id
  }
  return yield* keptTotals(x, KEPT.records, keptWhere(f, merchantId), rangeOf(f), (edge) =>
    rowTotals(x, f, null, edge),
  )
}

const recordTotalsBoth = both(recordTotals)

export const syncRecordTotals = (db: Db, f: RecordFilter) => recordTotalsBoth.sync(sqliteExec(db), f)

/** The count alone (the overview's and the command line's). */
export function countSyncRecords(db: Db, f: RecordFilter): number {
  return syncRecordTotals(db, f).total
}

/** What the list sorts by, for its pages and its export alike. */
const SORTED: SortColumns<SyncRecordRow> = {
  table: 'sync_records',
  alias: 's',
  amount: 'amount',
  amountMayBeNull: true,
}

const ORDER: Record<ListSort, string> = {
  '-time': 's.created_at DESC, s.id DESC',
  time: 's.created_at, s.id',
  '-amount': 's.amount DESC, s.id DESC',
  amount: 's.amount, s.id',
}

/** A page of the sync records, on either store. */
export const recordPage = both(function* (x: Exec, f: RecordListRequest): Q<ListPage<SyncRecordView>> {
  const match = yield* matchOf(x, f)
  const w = yield* recordWhere(x, f, match)
  if (!w) return { total: 0, amount: 0, items: [] }
  const totals = yield* recordTotals(x, f, match)
  const { rows, more } = yield* readPage<SyncRecordRow>(
    x,
    {
      select: select(x, amountOrderIndex(x, f.sort, totals.total, 'idx_sync_records_amount')),
      where: w,
      order: ORDER[f.sort ?? '-time'],
    },
    SORTED,
    f,
  )
  return { ...totals, items: rows.map(syncRecordView), ...more }
})

export const listSyncRecords = (db: Db, f: RecordListRequest) => recordPage.sync(sqliteExec(db), f)

/** The newest record of a trade made after `since`: how a batch learns another process synced it. */
export const latestRecordOfTradeOn = both(function* (
  x: Exec,
  tradeType: TradeType,
  tradeId: number,
  since: number,
): Q<SyncRecordRow | undefined> {
  return yield* one<SyncRecordRow>(
    x,
    `SELECT * FROM sync_records WHERE trade_type = ? AND trade_id = ? AND created_at >= ? AND outcome <> 'skipped'
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [tradeType, tradeId, since],
  )
})

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input. On either
 * store: a team database's export reads it through a cursor (services/team-export.ts).
 */
export const recordsExport = both(function* (
  x: Exec,
  f: RecordFilter,
  columns: readonly string[],
): Q<RowQuery | null> {
  const w = yield* recordWhere(x, f, yield* matchOf(x, f))
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM sync_records s ${joinInOrder(x)} merchants m ON m.id = s.merchant_id ${w} ORDER BY ${listOrder(x, ORDER[f.sort ?? '-time'], SORTED)}`,
    params: w.params,
  }
})

export const recordsExportQuery = (db: Db, f: RecordFilter, columns: readonly string[]) =>
  recordsExport.sync(sqliteExec(db), f, columns)
