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
import { anomalyView, followerOf, getAnomaly, listAnomalies } from '../store/anomalies'
import { listAudit } from '../store/audit'
import { inOneSnapshot } from '../store/connection'
import { diffOfAnomaly, statementDiffView } from '../store/statement-diffs'
import { getStatementLine, statementLineView } from '../store/statement-lines'
import { getPayOrder, listPayOrders, payOrderView } from '../store/orders'
import { getSyncRecord, listSyncRecords, syncRecordView, textCut } from '../store/records'
import { getRefundOrder, listRefundOrders, refundOrderView, refundsOfPayOrder } from '../store/refunds'
import { listRepairRecords, repairRecordView, repairsByNo } from '../store/repairs'
import { matchTrades } from '../store/trade-search'
import type { ServiceContext } from './context'

// The lists of every screen and their detail views: remote pagination over SQLite, newest first.

const HISTORY = { limit: 200, offset: 0 }

/** Reads several pages as of one moment: the command line's `--all` (docs/cli.md section 1). */
export const inOneReading = <T>(ctx: ServiceContext, fn: () => Promise<T>): Promise<T> =>
  inOneSnapshot(ctx.db, fn)

export const listRecords = (ctx: ServiceContext, f: RecordListRequest) => listSyncRecords(ctx.db, f)
export const listOrders = (ctx: ServiceContext, f: OrderListRequest) => listPayOrders(ctx.db, f)
export const listRefunds = (ctx: ServiceContext, f: RefundListRequest) => listRefundOrders(ctx.db, f)
export const listRepairs = (ctx: ServiceContext, f: RepairListRequest) => listRepairRecords(ctx.db, f)
export const listAnomalyViews = (ctx: ServiceContext, f: AnomalyListRequest) => listAnomalies(ctx.db, f)
export const listAuditLog = (ctx: ServiceContext, f: AuditListRequest) => listAudit(ctx.db, f)

export function recordDetail(ctx: ServiceContext, id: number): SyncRecordDetail {
  const row = getSyncRecord(ctx.db, id)
  if (!row) throw AppError.say('not_found', 'record.notFound', { id })
  return {
    ...syncRecordView(row),
    syncInfo: row.sync_info,
    actionInfo: row.action_info,
    syncInfoCut: textCut(row.sync_info_bytes, row.sync_info_sha256),
    actionInfoCut: textCut(row.action_info_bytes, row.action_info_sha256),
    repairs: row.repair_no ? repairsByNo(ctx.db, row.repair_no).map(repairRecordView) : [],
  }
}

export function orderDetail(ctx: ServiceContext, id: number): OrderDetail {
  const row = getPayOrder(ctx.db, id)
  if (!row) throw AppError.say('not_found', 'order.notFound', { id })
  return {
    order: payOrderView(row),
    refunds: refundsOfPayOrder(ctx.db, id).map(refundOrderView),
    records: listSyncRecords(ctx.db, { type: 'pay', tradeId: id, ...HISTORY }).items,
    repairs: listRepairRecords(ctx.db, { type: 'pay', tradeId: id, ...HISTORY }).items,
    anomalies: listAnomalies(ctx.db, { type: 'pay', tradeId: id, ...HISTORY }).items,
  }
}

export function refundDetail(ctx: ServiceContext, id: number): RefundDetail {
  const row = getRefundOrder(ctx.db, id)
  if (!row) throw AppError.say('not_found', 'refund.notFound', { id })
  return {
    refund: refundOrderView(row),
    order: payOrderView(getPayOrder(ctx.db, row.pay_order_id)!),
    records: listSyncRecords(ctx.db, { type: 'refund', tradeId: id, ...HISTORY }).items,
    repairs: listRepairRecords(ctx.db, { type: 'refund', tradeId: id, ...HISTORY }).items,
    anomalies: listAnomalies(ctx.db, { type: 'refund', tradeId: id, ...HISTORY }).items,
  }
}

export function anomalyDetail(ctx: ServiceContext, id: number): AnomalyDetail {
  const row = getAnomaly(ctx.db, id)
  if (!row) throw AppError.say('not_found', 'anomaly.notFound', { id })
  const pay = row.trade_type === 'pay' ? getPayOrder(ctx.db, row.trade_id) : undefined
  const refund = row.trade_type === 'refund' ? getRefundOrder(ctx.db, row.trade_id) : undefined
  const order = pay ?? (refund ? getPayOrder(ctx.db, refund.pay_order_id) : undefined)
  const before = row.follows_id ? getAnomaly(ctx.db, row.follows_id) : undefined
  return {
    anomaly: anomalyView(row),
    record: row.sync_record_id ? recordDetail(ctx, row.sync_record_id) : null,
    order: order ? payOrderView(order) : null,
    refund: refund ? refundOrderView(refund) : null,
    actions: actionsFor(row, pay ?? refund),
    // The answer a person decided on, beside the one that differs from it now (docs/domain.md 6.6).
    previous: before
      ? {
          anomaly: anomalyView(before),
          record: before.sync_record_id ? recordDetail(ctx, before.sync_record_id) : null,
        }
      : null,
    followedBy: row.status === 'open' ? null : followerOf(ctx.db, row.id),
    statement: statementSide(ctx, row.id),
  }
}

/** The statement difference behind an anomaly, with its bill line as the file had it. */
function statementSide(ctx: ServiceContext, anomalyId: number): AnomalyDetail['statement'] {
  const diff = diffOfAnomaly(ctx.db, anomalyId)
  if (!diff) return null
  const line = diff.line_id !== null ? getStatementLine(ctx.db, diff.line_id) : undefined
  return { diff: statementDiffView(diff), line: line ? statementLineView(line) : null }
}

/**
 * The window's one search box: pay orders and refunds whose numbers hold `no` (store/trade-search.ts),
 * those with a number equal to it first (a number pasted whole), then the newest.
 */
export function searchTrades(ctx: ServiceContext, no: string, limit: number): TradeSearchResult {
  const pay = matchTrades(ctx.db, 'pay', no, limit)
  const refund = matchTrades(ctx.db, 'refund', no, limit)
  const hits: TradeHit[] = []
  for (const id of pay.ids) {
    const row = getPayOrder(ctx.db, id)
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
    const row = getRefundOrder(ctx.db, id)
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
