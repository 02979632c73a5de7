import type {
  AnomalyAction,
  AnomalyKind,
  AnomalyStatus,
  Channel,
  GatewayStatus,
  TradeType,
  Transport,
} from '../../shared/domain'
import type { AnomalyView, ListTotals, ListPage } from '../../shared/entity-views'
import type { AnomalyFilter, AnomalyListRequest, ListSort } from '../../shared/filters'
import { isoOrNull, parseBeijing, parseBeijingEnd, toIsoBeijing } from '../../shared/time'
import type { Db } from './connection'
import type { RowQuery } from './row-reader'
import { stmt } from './connection'
import { listOrder, readPage, type SortColumns } from './list-cursor'
import { amountOrderIndex, KEPT, keptTotals, type MsRange } from './list-totals'
import { merchantNamed } from './merchants'
import { both, joinInOrder, one, SQLITE, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'
import { matchCondition, tradeMatch, type TradeMatch } from './trade-search'
import { Where } from './where'

// The writes live beside the reads (anomaly-writes.ts: what the engine and a decision write); importers keep one module.
export * from './anomaly-writes'

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
  /** The normalised status of the answer last seen; null before migration 8 when no record named it. */
  answer_status: GatewayStatus | null
  follows_id: number | null
  occurrences: number
  seen_after_decision: number
  status: AnomalyStatus
  resolution: string | null
  action: AnomalyAction | null
  repair_no: string | null
  /** Who decided (shared/domain.ts, Actor); null while open. */
  operator: string | null
  system_user: string | null
  transport: Transport | null
  created_at: number
  last_seen_at: number
  resolved_at: number | null
  merchant_name?: string
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
    localAmount: row.local_amount,
    gatewayAmount: row.gateway_amount,
    syncRecordId: row.sync_record_id,
    answerStatus: row.answer_status,
    followsId: row.follows_id,
    occurrences: row.occurrences,
    seenAfterDecision: row.seen_after_decision,
    status: row.status,
    resolution: row.resolution,
    action: row.action,
    repairNo: row.repair_no,
    operator: row.operator,
    systemUser: row.system_user,
    transport: row.transport,
    createdAt: toIsoBeijing(row.created_at),
    lastSeenAt: toIsoBeijing(row.last_seen_at),
    resolvedAt: isoOrNull(row.resolved_at),
  }
}

/** The anomaly a changed answer opened after `id` was decided, if one did. */
export function* followerOfAnomaly(x: Exec, id: number): Q<number | null> {
  const row = yield* one<{ id: number }>(
    x,
    'SELECT id FROM anomalies WHERE follows_id = ? ORDER BY id LIMIT 1',
    [id],
  )
  return row?.id ?? null
}

export function followerOf(db: Db, id: number): number | null {
  return (
    stmt<[number], { id: number }>(
      db,
      'SELECT id FROM anomalies WHERE follows_id = ? ORDER BY id LIMIT 1',
    ).get(id)?.id ?? null
  )
}

// The gateway's word is named by the normalised status of the answer the anomaly was last seen with
// (answer_status), kept on the anomaly itself: no lookup of its record per row.
const select = (x: Pick<Exec, 'dialect'>, indexed = '') =>
  `SELECT a.*, m.name AS merchant_name FROM anomalies a ${indexed}
   ${joinInOrder(x)} merchants m ON m.id = a.merchant_id`
const SELECT = select(SQLITE)

export function* anomalyById(x: Exec, id: number): Q<AnomalyRow | undefined> {
  return yield* one<AnomalyRow>(x, `${select(x)} WHERE a.id = ?`, [id])
}

export function getAnomaly(db: Db, id: number): AnomalyRow | undefined {
  return stmt<[number], AnomalyRow>(db, `${SELECT} WHERE a.id = ?`).get(id)
}

/**
 * The anomaly a person decides on, locked for the decision on PostgreSQL: a second decision on another
 * desktop waits here and then reads the first's (READ COMMITTED reads the row again once its lock is
 * free). SQLite's immediate transaction holds the whole file already.
 */
export function* anomalyForDecision(x: Exec, id: number): Q<AnomalyRow | undefined> {
  return yield* one<AnomalyRow>(
    x,
    `${select(x)} WHERE a.id = ?${x.dialect === 'pg' ? ' FOR UPDATE OF a' : ''}`,
    [id],
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

function* matchOf(x: Exec, f: AnomalyFilter): Q<AnomalyMatch | null> {
  return f.no
    ? { pay: yield* tradeMatch(x, 'pay', f.no), refund: yield* tradeMatch(x, 'refund', f.no) }
    : null
}

function* anomalyWhere(
  x: Exec,
  f: AnomalyFilter,
  match: AnomalyMatch | null,
  range: MsRange = rangeOf(f),
): Q<Where | null> {
  const w = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return null
    w.add('a.merchant_id = ?', m.id)
  }
  w.when(f.type, 'a.trade_type = ?', f.type)
  w.when(f.channel, 'a.channel = ?', f.channel)
  w.when(f.status, 'a.status = ?', f.status)
  w.when(f.kind, 'a.kind = ?', f.kind)
  w.when(f.tradeId, 'a.trade_id = ?', f.tradeId)
  if (match) {
    const [pay, payIds] = matchCondition(x, 'a.trade_id', match.pay)
    const [refund, refundIds] = matchCondition(x, 'a.trade_id', match.refund)
    w.add(`((a.trade_type = 'pay' AND ${pay}) OR (a.trade_type = 'refund' AND ${refund}))`, payIds, refundIds)
  }
  w.msRange('a.created_at', range.from, range.to)
  return w
}

function* rowTotals(x: Exec, f: AnomalyFilter, match: AnomalyMatch | null, range: MsRange): Q<ListTotals> {
  const w = yield* anomalyWhere(x, f, match, range)
  if (!w) return { total: 0, amount: 0, gatewayAmount: 0 }
  return (yield* one<ListTotals>(
    x,
    `SELECT count(*) AS total, coalesce(sum(a.local_amount), 0) AS amount,
       coalesce(sum(a.gateway_amount), 0) AS "gatewayAmount" FROM anomalies a ${w}`,
    w.params,
  ))!
}

/** The count and the sums of the local and of the gateway's amounts of a filter. */
function* anomalyTotalsQ(x: Exec, f: AnomalyFilter, match: AnomalyMatch | null): Q<ListTotals> {
  if (match || f.tradeId !== undefined)
    return {
      ...(yield* rowTotals(x, f, match, rangeOf(f))),
      ...(match && (match.pay.capped || match.refund.capped) ? { capped: true } : {}),
    }
  const kept = new Where()
  if (f.merchant) {
    const m = yield* merchantNamed(x, f.merchant, true)
    if (!m) return { total: 0, amount: 0, gatewayAmount: 0 }
    kept.add('merchant_id = ?', m.id)
  }
  kept.when(f.type, 'trade_type = ?', f.type)
  kept.when(f.channel, 'channel = ?', f.channel)
  kept.when(f.status, 'status = ?', f.status)
  kept.when(f.kind, 'kind = ?', f.kind)
  return yield* keptTotals(x, KEPT.anomalies, kept, rangeOf(f), (edge) => rowTotals(x, f, null, edge))
}

/** What the list sorts by, for its pages and its export alike. */
const SORTED: SortColumns<AnomalyRow> = {
  table: 'anomalies',
  alias: 'a',
  amount: 'local_amount',
  amountMayBeNull: true,
}

const ORDER: Record<ListSort, string> = {
  '-time': 'a.created_at DESC, a.id DESC',
  time: 'a.created_at, a.id',
  '-amount': 'a.local_amount DESC, a.id DESC',
  amount: 'a.local_amount, a.id',
}

export const anomalyPage = both(function* (x: Exec, f: AnomalyListRequest): Q<ListPage<AnomalyView>> {
  const match = yield* matchOf(x, f)
  const w = yield* anomalyWhere(x, f, match)
  if (!w) return { total: 0, amount: 0, gatewayAmount: 0, items: [] }
  const totals = yield* anomalyTotalsQ(x, f, match)
  const { rows, more } = yield* readPage<AnomalyRow>(
    x,
    {
      select: select(x, amountOrderIndex(x, f.sort, totals.total, 'idx_anomalies_amount')),
      where: w,
      order: ORDER[f.sort ?? '-time'],
    },
    SORTED,
    f,
  )
  return { ...totals, items: rows.map(anomalyView), ...more }
})

export const listAnomalies = (db: Db, f: AnomalyListRequest) => anomalyPage.sync(sqliteExec(db), f)

/** The rows of a filter for export, on either store: as recordsExport (records.ts) does. */
export const anomaliesExport = both(function* (
  x: Exec,
  f: AnomalyFilter,
  columns: readonly string[],
): Q<RowQuery | null> {
  const w = yield* anomalyWhere(x, f, yield* matchOf(x, f))
  if (!w) return null
  return {
    sql: `SELECT ${columns.join(', ')} FROM anomalies a ${joinInOrder(x)} merchants m ON m.id = a.merchant_id ${w} ORDER BY ${listOrder(x, ORDER[f.sort ?? '-time'], SORTED)}`,
    params: w.params,
  }
})

export const anomaliesExportQuery = (db: Db, f: AnomalyFilter, columns: readonly string[]) =>
  anomaliesExport.sync(sqliteExec(db), f, columns)
