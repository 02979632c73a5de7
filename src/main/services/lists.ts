import type {
  AnomalyDetail,
  OrderDetail,
  RefundDetail,
  TradeHit,
  TradeSearchResult,
} from '../../shared/contract'
import type { SyncRecordDetail } from '../../shared/entity-views'
import { AppError } from '../../shared/errors'
import type {
  AnomalyListRequest,
  AuditListRequest,
  OrderListRequest,
  RecordListRequest,
  RefundListRequest,
  RepairListRequest,
} from '../../shared/filters'
import { actionsFor } from '../engine/manual'
import { anomalyById, anomalyPage, anomalyView, followerOfAnomaly } from '../store/anomalies'
import { auditPage } from '../store/audit'
import { payOrderPage } from '../store/orders/list'
import { payOrderById } from '../store/orders/lookups'
import { payOrderView } from '../store/orders'
import { recordPage, syncRecordById, syncRecordView, textCut } from '../store/records'
import { refundOrderById, refundOrderPage, refundOrderView, refundsOfPay } from '../store/refunds'
import { repairPage, repairRecordView, repairsOfNo } from '../store/repairs'
import { both, type Exec, type Q } from '../store/sql/exec'
import { diffOfAnomaly, statementDiffView } from '../store/statement-diffs'
import { statementLineById, statementLineView } from '../store/statement-lines'
import { tradeMatch } from '../store/trade-search'
import type { Reads } from './reads'

// The lists of every screen and their detail views: remote pagination, newest first. Each is one store
// function written once (store/sql/exec.ts), read on the desktop's SQLite file or on a team database.

const HISTORY = { limit: 200, offset: 0 }

export const listRecords = (r: Reads, f: RecordListRequest) => recordPage.async(r.exec, f)
export const listOrders = (r: Reads, f: OrderListRequest) => payOrderPage.async(r.exec, f)
export const listRefunds = (r: Reads, f: RefundListRequest) => refundOrderPage.async(r.exec, f)
export const listRepairs = (r: Reads, f: RepairListRequest) => repairPage.async(r.exec, f)
export const listAnomalyViews = (r: Reads, f: AnomalyListRequest) => anomalyPage.async(r.exec, f)
export const listAuditLog = (r: Reads, f: AuditListRequest) => auditPage.async(r.exec, f)

function* recordDetailQ(x: Exec, id: number): Q<SyncRecordDetail> {
  const row = yield* syncRecordById(x, id)
  if (!row) throw AppError.say('not_found', 'record.notFound', { id })
  return {
    ...syncRecordView(row),
    syncInfo: row.sync_info,
    actionInfo: row.action_info,
    syncInfoCut: textCut(row.sync_info_bytes, row.sync_info_sha256),
    actionInfoCut: textCut(row.action_info_bytes, row.action_info_sha256),
    repairs: row.repair_no ? (yield* repairsOfNo(x, row.repair_no)).map(repairRecordView) : [],
  }
}

/** A trade's history beside its detail: its newest records, repairs and anomalies. */
function* historyOf(x: Exec, type: 'pay' | 'refund', tradeId: number) {
  const of = { type, tradeId, ...HISTORY }
  return {
    records: (yield* recordPage(x, of)).items,
    repairs: (yield* repairPage(x, of)).items,
    anomalies: (yield* anomalyPage(x, of)).items,
  }
}

function* orderDetailQ(x: Exec, id: number): Q<OrderDetail> {
  const row = yield* payOrderById(x, id)
  if (!row) throw AppError.say('not_found', 'order.notFound', { id })
  return {
    order: payOrderView(row),
    refunds: (yield* refundsOfPay(x, id)).map(refundOrderView),
    ...(yield* historyOf(x, 'pay', id)),
  }
}

function* refundDetailQ(x: Exec, id: number): Q<RefundDetail> {
  const row = yield* refundOrderById(x, id)
  if (!row) throw AppError.say('not_found', 'refund.notFound', { id })
  return {
    refund: refundOrderView(row),
    order: payOrderView((yield* payOrderById(x, row.pay_order_id))!),
    ...(yield* historyOf(x, 'refund', id)),
  }
}

function* anomalyDetailQ(x: Exec, id: number): Q<AnomalyDetail> {
  const row = yield* anomalyById(x, id)
  if (!row) throw AppError.say('not_found', 'anomaly.notFound', { id })
  const pay = row.trade_type === 'pay' ? yield* payOrderById(x, row.trade_id) : undefined
  const refund = row.trade_type === 'refund' ? yield* refundOrderById(x, row.trade_id) : undefined
  const order = pay ?? (refund ? yield* payOrderById(x, refund.pay_order_id) : undefined)
  const before = row.follows_id ? yield* anomalyById(x, row.follows_id) : undefined
  return {
    anomaly: anomalyView(row),
    record: row.sync_record_id ? yield* recordDetailQ(x, row.sync_record_id) : null,
    order: order ? payOrderView(order) : null,
    refund: refund ? refundOrderView(refund) : null,
    actions: actionsFor(row, pay ?? refund),
    // The answer a person decided on, beside the one that differs from it now (docs/domain.md 6.6).
    previous: before
      ? {
          anomaly: anomalyView(before),
          record: before.sync_record_id ? yield* recordDetailQ(x, before.sync_record_id) : null,
        }
      : null,
    followedBy: row.status === 'open' ? null : yield* followerOfAnomaly(x, row.id),
    statement: yield* statementSide(x, row.id),
  }
}

/** The statement difference behind an anomaly, with its bill line as the file had it. */
function* statementSide(x: Exec, anomalyId: number): Q<AnomalyDetail['statement']> {
  const diff = yield* diffOfAnomaly(x, anomalyId)
  if (!diff) return null
  const line = diff.line_id !== null ? yield* statementLineById(x, diff.line_id) : undefined
  return { diff: statementDiffView(diff), line: line ? statementLineView(line) : null }
}

const details = {
  record: both(recordDetailQ),
  order: both(orderDetailQ),
  refund: both(refundDetailQ),
  anomaly: both(anomalyDetailQ),
}

export const recordDetail = (r: Reads, id: number) => details.record.async(r.exec, id)
export const orderDetail = (r: Reads, id: number) => details.order.async(r.exec, id)
export const refundDetail = (r: Reads, id: number) => details.refund.async(r.exec, id)
export const anomalyDetail = (r: Reads, id: number) => details.anomaly.async(r.exec, id)

/**
 * The window's one search box: pay orders and refunds whose numbers hold `no` (store/trade-search.ts),
 * those with a number equal to it first (a number pasted whole), then the newest.
 */
function* searchTradesQ(x: Exec, no: string, limit: number): Q<TradeSearchResult> {
  const pay = yield* tradeMatch(x, 'pay', no, limit)
  const refund = yield* tradeMatch(x, 'refund', no, limit)
  const hits: TradeHit[] = []
  for (const id of pay.ids) {
    const row = yield* payOrderById(x, id)
    if (!row) continue
    const o = payOrderView(row)
    hits.push({
      type: 'pay',
      id,
      no: o.orderNo,
      bizNo: o.bizOrderNo,
      gatewayNo: o.gatewayTradeNo,
      orderNo: null,
      merchant: o.merchant,
      channel: o.channel,
      amount: o.amount,
      status: o.status,
      createdAt: o.createdAt,
    })
  }
  for (const id of refund.ids) {
    const row = yield* refundOrderById(x, id)
    if (!row) continue
    const r = refundOrderView(row)
    hits.push({
      type: 'refund',
      id,
      no: r.refundNo,
      bizNo: r.bizRefundNo,
      gatewayNo: r.gatewayRefundNo,
      orderNo: r.orderNo,
      merchant: r.merchant,
      channel: r.channel,
      amount: r.amount,
      status: r.status,
      createdAt: r.createdAt,
    })
  }
  const typed = no.toLowerCase()
  const whole = (h: TradeHit) =>
    [h.no, h.bizNo, h.gatewayNo].some((n) => n?.toLowerCase() === typed) ? 0 : 1
  hits.sort((a, b) => whole(a) - whole(b) || b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
  return { items: hits.slice(0, limit), more: pay.capped || refund.capped || hits.length > limit }
}

const searchBoth = both(searchTradesQ)

export const searchTrades = (r: Reads, no: string, limit: number) => searchBoth.async(r.exec, no, limit)
