import type {
  Actor,
  Channel,
  Page,
  RepairRecordView,
  RepairWay,
  SyncSource,
  TradeType,
  Transport,
} from '../../shared/domain'
import type { RepairFilter, RepairListRequest } from '../../shared/filters'
import { toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { findMerchantByName } from './merchants'
import { Where } from './where'

export interface RepairRecordRow {
  id: number
  repair_no: string
  trade_type: TradeType
  trade_id: number
  trade_no: string
  source: SyncSource | 'anomaly'
  way: RepairWay
  channel: Channel
  merchant_id: number
  before_status: string
  after_status: string
  remark: string | null
  operator: string | null
  system_user: string | null
  transport: Transport | null
  sync_record_id: number | null
  created_at: number
  merchant_name?: string
}

export interface NewRepairRecord extends Actor {
  repairNo: string
  tradeType: TradeType
  tradeId: number
  tradeNo: string
  source: SyncSource | 'anomaly'
  way: RepairWay
  channel: Channel
  merchantId: number
  beforeStatus: string
  afterStatus: string
  remark: string | null
  syncRecordId: number | null
  createdAt: number
}

export function repairRecordView(row: RepairRecordRow): RepairRecordView {
  return {
    id: row.id,
    repairNo: row.repair_no,
    tradeType: row.trade_type,
    tradeId: row.trade_id,
    tradeNo: row.trade_no,
    source: row.source,
    way: row.way,
    channel: row.channel,
    merchant: row.merchant_name ?? '',
    beforeStatus: row.before_status,
    afterStatus: row.after_status,
    remark: row.remark,
    operator: row.operator,
    systemUser: row.system_user,
    transport: row.transport,
    syncRecordId: row.sync_record_id,
    createdAt: toIsoBeijing(row.created_at),
  }
}

export function insertRepairRecord(db: Db, r: NewRepairRecord): number {
  const res = stmt(
    db,
    `INSERT INTO repair_records (repair_no, trade_type, trade_id, trade_no, source, way, channel, merchant_id,
       before_status, after_status, remark, operator, system_user, transport, sync_record_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    r.repairNo,
    r.tradeType,
    r.tradeId,
    r.tradeNo,
    r.source,
    r.way,
    r.channel,
    r.merchantId,
    r.beforeStatus,
    r.afterStatus,
    r.remark,
    r.operator,
    r.systemUser ?? null,
    r.transport ?? null,
    r.syncRecordId,
    r.createdAt,
  )
  return Number(res.lastInsertRowid)
}

export function linkRepairsToRecord(db: Db, repairNo: string, syncRecordId: number): void {
  stmt(db, 'UPDATE repair_records SET sync_record_id = ? WHERE repair_no = ?').run(syncRecordId, repairNo)
}

const SELECT =
  'SELECT r.*, m.name AS merchant_name FROM repair_records r CROSS JOIN merchants m ON m.id = r.merchant_id'

export function repairsByNo(db: Db, repairNo: string): RepairRecordRow[] {
  return stmt<[string], RepairRecordRow>(db, `${SELECT} WHERE r.repair_no = ? ORDER BY r.id`).all(repairNo)
}

function repairWhere(db: Db, f: RepairFilter): Where | null {
  const w = new Where()
  if (f.merchant) {
    const m = findMerchantByName(db, f.merchant, true)
    if (!m) return null
    w.add('r.merchant_id = ?', m.id)
  }
  w.when(f.type, 'r.trade_type = ?', f.type)
  w.when(f.channel, 'r.channel = ?', f.channel)
  w.when(f.way, 'r.way = ?', f.way)
  w.when(f.tradeId, 'r.trade_id = ?', f.tradeId)
  w.when(f.no, '(r.trade_no = ? OR r.repair_no = ?)', f.no, f.no)
  w.timeRange('r.created_at', f.since, f.until)
  return w
}

export function listRepairRecords(db: Db, f: RepairListRequest): Page<RepairRecordView> {
  const w = repairWhere(db, f)
  if (!w) return { total: 0, items: [] }
  const total = (
    stmt(db, `SELECT count(*) AS n FROM repair_records r ${w}`).get(...w.params) as { n: number }
  ).n
  const rows = stmt<unknown[], RepairRecordRow>(
    db,
    `${SELECT} ${w} ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?`,
  ).all(...w.params, f.limit, f.offset)
  return { total, items: rows.map(repairRecordView) }
}

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input.
 */
export function repairsExportQuery(db: Db, f: RepairFilter, columns: readonly string[]): RowQuery | null {
  const w = repairWhere(db, f)
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM repair_records r CROSS JOIN merchants m ON m.id = r.merchant_id ${w} ORDER BY r.created_at DESC, r.id DESC`,
    params: w.params,
  }
}
