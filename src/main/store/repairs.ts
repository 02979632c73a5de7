import type { Actor, Channel, RepairWay, SyncSource, TradeType, Transport } from '../../shared/domain'
import type { ListTotals, ListPage, RepairRecordView } from '../../shared/entity-views'
import type { ListSort, RepairFilter, RepairListRequest } from '../../shared/filters'
import { parseBeijing, parseBeijingEnd, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { listOrder, readPage, type SortColumns } from './list-cursor'
import { amountOrderIndex, KEPT, keptTotals, type MsRange } from './list-totals'
import { merchantNamed } from './merchants'
import { all, both, joinInOrder, one, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'
import { matchCondition, tradeMatch, type TradeMatch } from './trade-search'
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
  amount: number | null
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
    amount: row.amount,
  }
}

const INSERT_REPAIR = `INSERT INTO repair_records (repair_no, trade_type, trade_id, trade_no, source, way, channel,
    merchant_id, before_status, after_status, remark, operator, system_user, transport, sync_record_id, created_at,
    amount)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    CASE WHEN ? = 'refund' THEN (SELECT amount FROM refund_orders WHERE id = ?)
      WHEN ? LIKE '%refund%' THEN NULL
      ELSE (SELECT amount FROM pay_orders WHERE id = ?) END)`

const repairParams = (r: NewRepairRecord) => [
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
  r.tradeType,
  r.tradeId,
  r.way,
  r.tradeId,
]

/**
 * Writes a repair row with its trade's amount, read here by id. The pay order's row of a refund
 * repair (its refund status) carries none: the money moved is the refund's, on the other row.
 */
export const insertRepairRecordOn = both(function* (x: Exec, r: NewRepairRecord): Q<number> {
  const row = yield* one<{ id: number }>(x, `${INSERT_REPAIR} RETURNING id`, repairParams(r))
  return Number(row!.id)
})

/** The same row inside a sync's final write, which needs no id back (Exec.send). */
export function* sendRepairRecordOn(x: Exec, r: NewRepairRecord): Q<void> {
  yield* send(x, INSERT_REPAIR, repairParams(r))
}

export const insertRepairRecord = (db: Db, r: NewRepairRecord): number =>
  insertRepairRecordOn.sync(sqliteExec(db), r)

const select = (x: Pick<Exec, 'dialect'>, indexed = '') =>
  `SELECT r.*, m.name AS merchant_name FROM repair_records r ${indexed} ${joinInOrder(x)} merchants m ON m.id = r.merchant_id`

export function* repairsOfNo(x: Exec, repairNo: string): Q<RepairRecordRow[]> {
  return yield* all<RepairRecordRow>(x, `${select(x)} WHERE r.repair_no = ? ORDER BY r.id`, [repairNo])
}

const rangeOf = (f: RepairFilter): MsRange => ({
  from: f.since ? parseBeijing(f.since) : null,
  to: f.until ? parseBeijingEnd(f.until) : null,
})

/** A repair is found by its trade's numbers or by its own number, whole or its start, in any case. */
interface RepairMatch {
  pay: TradeMatch
  refund: TradeMatch
  repairNo: string
}

function* matchOf(x: Exec, f: RepairFilter): Q<RepairMatch | null> {
  if (!f.no) return null
  return {
    pay: yield* tradeMatch(x, 'pay', f.no),
    refund: yield* tradeMatch(x, 'refund', f.no),
    repairNo: f.no.toUpperCase(),
  }
}

function* repairWhere(
  x: Exec,
  f: RepairFilter,
  match: RepairMatch | null,
  range: MsRange = rangeOf(f),
): Q<Where | null> {
  const w = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return null
    w.add('r.merchant_id = ?', m.id)
  }
  w.when(f.type, 'r.trade_type = ?', f.type)
  w.when(f.channel, 'r.channel = ?', f.channel)
  w.when(f.way, 'r.way = ?', f.way)
  w.when(f.tradeId, 'r.trade_id = ?', f.tradeId)
  if (match) {
    const [pay, payIds] = matchCondition(x, 'r.trade_id', match.pay)
    const [refund, refundIds] = matchCondition(x, 'r.trade_id', match.refund)
    // Repair numbers are R and digits: a range on their index finds those starting with what was typed.
    w.add(
      `((r.trade_type = 'pay' AND ${pay}) OR (r.trade_type = 'refund' AND ${refund})
        OR (r.repair_no >= ? AND r.repair_no < ?))`,
      payIds,
      refundIds,
      match.repairNo,
      `${match.repairNo}\u{10FFFF}`,
    )
  }
  w.msRange('r.created_at', range.from, range.to)
  return w
}

function* rowTotals(x: Exec, f: RepairFilter, match: RepairMatch | null, range: MsRange): Q<ListTotals> {
  const w = yield* repairWhere(x, f, match, range)
  if (!w) return { total: 0, amount: 0 }
  return (yield* one<ListTotals>(
    x,
    `SELECT count(*) AS total, coalesce(sum(r.amount), 0) AS amount FROM repair_records r ${w}`,
    w.params,
  ))!
}

/** The count of repair rows and the sum of the money they repaired (see insertRepairRecord). */
function* repairTotalsQ(x: Exec, f: RepairFilter, match: RepairMatch | null): Q<ListTotals> {
  if (match || f.tradeId !== undefined)
    return {
      ...(yield* rowTotals(x, f, match, rangeOf(f))),
      ...(match && (match.pay.capped || match.refund.capped) ? { capped: true } : {}),
    }
  const kept = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return { total: 0, amount: 0 }
    kept.add('merchant_id = ?', m.id)
  }
  kept.when(f.type, 'trade_type = ?', f.type)
  kept.when(f.channel, 'channel = ?', f.channel)
  kept.when(f.way, 'way = ?', f.way)
  return yield* keptTotals(x, KEPT.repairs, kept, rangeOf(f), (edge) => rowTotals(x, f, null, edge))
}

/** What the list sorts by, for its pages and its export alike. */
const SORTED: SortColumns<RepairRecordRow> = {
  table: 'repair_records',
  alias: 'r',
  amount: 'amount',
  amountMayBeNull: true,
}

const ORDER: Record<ListSort, string> = {
  '-time': 'r.created_at DESC, r.id DESC',
  time: 'r.created_at, r.id',
  '-amount': 'r.amount DESC, r.id DESC',
  amount: 'r.amount, r.id',
}

export const repairPage = both(function* (x: Exec, f: RepairListRequest): Q<ListPage<RepairRecordView>> {
  const match = yield* matchOf(x, f)
  const w = yield* repairWhere(x, f, match)
  if (!w) return { total: 0, amount: 0, items: [] }
  const totals = yield* repairTotalsQ(x, f, match)
  const { rows, more } = yield* readPage<RepairRecordRow>(
    x,
    {
      select: select(x, amountOrderIndex(x, f.sort, totals.total, 'idx_repair_records_amount')),
      where: w,
      order: ORDER[f.sort ?? '-time'],
    },
    SORTED,
    f,
  )
  return { ...totals, items: rows.map(repairRecordView), ...more }
})

export const listRepairRecords = (db: Db, f: RepairListRequest) => repairPage.sync(sqliteExec(db), f)

/**
 * The rows of a filter as arrays of the given columns, in list order, for export: arrays instead of
 * objects and only the columns asked for make a million-row export several times faster. `columns`
 * are SQL expressions written in this program (files/export/columns.ts), never input. On either
 * store: a team database's export reads it through a cursor (services/team-export.ts).
 */
export const repairsExport = both(function* (
  x: Exec,
  f: RepairFilter,
  columns: readonly string[],
): Q<RowQuery | null> {
  const w = yield* repairWhere(x, f, yield* matchOf(x, f))
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM repair_records r ${joinInOrder(x)} merchants m ON m.id = r.merchant_id ${w} ORDER BY ${listOrder(x, ORDER[f.sort ?? '-time'], SORTED)}`,
    params: w.params,
  }
})

export const repairsExportQuery = (db: Db, f: RepairFilter, columns: readonly string[]) =>
  repairsExport.sync(sqliteExec(db), f, columns)
