import crypto from 'node:crypto'
import os from 'node:os'
import type { AnomalyKind, GatewayStatus, Outcome, SyncSource, TradeType } from '../../shared/domain'
import { fenToYuan } from '../../shared/money'
import type {
  CallContext,
  CloseAnswer,
  GatewayAdapter,
  PayAnswer,
  PayscoreSyncAnswer,
  RefundAnswer,
} from '../gateways/types'
import { CallAbandonedError } from '../gateways/types'
import { clockSkewMs } from '../gateways/http'
import type { CallSlots, RateGate } from '../gateways/rate-gate'
import { openAnomaly, setAnomalyRecord } from '../store/anomalies'
import { recordMerchantHealth } from '../store/merchants'
import { completeBatchItem } from '../store/batches'
import type { Db } from '../store/connection'
import { acquireLease, leaseOwner, releaseLease, tradeKey } from '../store/leases'
import {
  casPayOrder,
  fillGatewayTradeNo,
  getPayOrder,
  markPayOrderSynced,
  recomputeRefundState,
  type PayOrderRow,
} from '../store/orders'
import { insertSyncRecord } from '../store/records'
import {
  casRefundOrder,
  fillRefundOrder,
  getRefundOrder,
  markRefundOrderSynced,
  type RefundOrderRow,
} from '../store/refunds'
import { insertRepairRecord, linkRepairsToRecord } from '../store/repairs'
import { decidePay, type PayDecision } from './decide-pay'
import { decideRefund, DEFAULT_REFUND_GRACE_MS } from './decide-refund'
import { nextSyncAt } from './ladder'
import { ownerIsDeadHere } from './owner'

// One sync attempt, end to end, under the safety rules of domain.md section 6:
// 1. every attempt writes a sync record, in its own transaction, with the gateway's text as received;
// 2. a repair changes the trade, writes its repair records and links the sync record in one
//    compare-and-set transaction;
// 3. one worker per trade, across processes, through a lease row (a second one gets 10007);
// 4. only verified answers change anything (the adapters return sync_error otherwise);
// 5. errors never change a trade; after N in a row an anomaly is opened and the schedule backs off;
// 6. anomalies are never resolved here.

export const BUSY_CODE = '10007'
export const BUSY_MESSAGE = '同步处理中，请勿重复操作'

export interface SyncContext {
  source: SyncSource
  operator?: string | null
  clientIp?: string | null
  batchId?: number | null
  /** The batch item this attempt finishes, in the same transaction as its record. */
  batchItemId?: number | null
  gate?: RateGate
  /** Calls in flight at the gateway, shared by every attempt of a batch or schedule for one merchant. */
  slots?: CallSlots
  /** The batch no longer wants this sync: see CallContext.stop. */
  stop?: () => boolean
  /** Filled by the sync's calls: see CallContext.waited. */
  waited?: { ms: number }
}

export interface SyncResult {
  tradeType: TradeType
  tradeId: number
  recordId: number
  outcome: Outcome
  gatewayStatus: GatewayStatus | null
  repairNo: string | null
  anomalyId: number | null
  errorCode: string | null
  errorMsg: string | null
}

export interface EngineOptions {
  /** Who holds leases taken by this engine: unique per process. */
  owner?: string
  /** Longer than the worst gateway round trip plus a close call, retries included. */
  leaseMs?: number
  refundGraceMs?: number
  /** Consecutive sync errors on one trade before anomaly `sync_keeps_failing` (default 20). */
  errorThreshold?: number
  now?: () => number
}

export type AdapterSource = (merchantId: number) => Promise<GatewayAdapter>

export class TradeNotFoundError extends Error {
  constructor(type: TradeType, id: number) {
    super(`${type === 'pay' ? 'pay order' : 'refund'} ${id} does not exist`)
    this.name = 'TradeNotFoundError'
  }
}

/** Everything one attempt found out, before it is written. */
interface Finding {
  gatewayStatus: GatewayStatus | null
  rawStatus: string | null
  outcome: Outcome
  syncInfo: string | null
  actionInfo: string | null
  errorCode: string | null
  errorMsg: string | null
  anomaly?: { kind: AnomalyKind; detail: string; gatewayAmount: number | null; gatewayTime: number | null }
  /** Applied in the final transaction, guarded by compare-and-set; returns the repair number or null. */
  repair?: (by: { source: SyncSource; operator: string | null }) => string | null
  gatewayTradeNo?: string | null
  gatewayRefundNo?: string | null
  /** The trade's status once the repair is applied. */
  statusAfter?: string
  /** How the call went, for the merchant's health on the overview; null when nothing was sent. */
  latencyMs?: number | null
  serverTime?: number | null
}

/**
 * The note on a refund repair's pay order row: how its refundable amount moved, in yuan, as finance
 * staff read it in the repair list and its export. Empty when it did not move.
 */
export function refundableChange(beforeFen: number, afterFen: number): string {
  return beforeFen === afterFen ? '' : `可退金额 ${fenToYuan(beforeFen)} 元 → ${fenToYuan(afterFen)} 元`
}

export function newRepairNo(now: number): string {
  // Sortable by time, unique without coordination: R + yyMMddHHmmss (Beijing) + 6 random digits.
  const d = new Date(now + 8 * 3600_000).toISOString()
  const stamp =
    d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10) + d.slice(11, 13) + d.slice(14, 16) + d.slice(17, 19)
  return `R${stamp}${crypto.randomInt(0, 1_000_000).toString().padStart(6, '0')}`
}

const ANOMALY_TEXT: Record<AnomalyKind, string> = {
  amount_mismatch: '网关金额与本地金额不一致：不能补单为成功，请线下处理差额并备注',
  refund_unrecorded: '网关显示已退款，本地没有对应的退款记录',
  success_but_gateway_unpaid: '本地已成功，网关仍未支付',
  success_but_gateway_missing: '本地已成功，网关查无此单',
  success_but_gateway_closed: '本地已成功，网关已关闭',
  success_but_gateway_failed: '本地已成功，网关支付失败',
  paid_after_close: '本地已关闭，买家仍完成了支付：请决定补单或退款',
  refund_abnormal: '退款异常：款项已退回商户，需要人工处理',
  refund_state_conflict: '本地退款已成功，网关状态不一致',
  refund_success_but_gateway_missing: '本地退款已成功，网关查无此退款',
  refund_succeeded_after_close: '本地退款已关闭，网关退款却成功了',
  sync_keeps_failing: '连续同步失败，已降低同步频率',
}

export class SyncEngine {
  readonly owner: string
  private readonly leaseMs: number
  private readonly refundGraceMs: number
  readonly errorThreshold: number
  private readonly now: () => number
  private attempts = 0
  private readonly healthWritten = new Map<number, number>()

  /**
   * The merchant's last good call, latency and clock skew, from ordinary syncs too; written at most
   * every ten seconds per merchant, so that a batch does not rewrite the profile row on every call.
   */
  private noteHealth(
    merchantId: number,
    outcome: Outcome,
    errorMsg: string | null,
    f: Finding,
    now: number,
  ): void {
    if (outcome === 'skipped' || f.latencyMs === undefined) return
    const last = this.healthWritten.get(merchantId) ?? 0
    if (outcome !== 'error' && now - last < 10_000) return
    this.healthWritten.set(merchantId, now)
    recordMerchantHealth(
      this.db,
      merchantId,
      {
        ok: outcome !== 'error',
        error: outcome === 'error' ? errorMsg : null,
        latencyMs: f.latencyMs,
        clockSkewMs: f.latencyMs === null ? null : clockSkewMs(now, f.serverTime ?? null, f.latencyMs),
      },
      now,
    )
  }

  constructor(
    private readonly db: Db,
    private readonly adapters: AdapterSource,
    options: EngineOptions = {},
  ) {
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`
    this.leaseMs = options.leaseMs ?? 180_000
    this.refundGraceMs = options.refundGraceMs ?? DEFAULT_REFUND_GRACE_MS
    this.errorThreshold = options.errorThreshold ?? 20
    this.now = options.now ?? Date.now
  }

  sync(type: TradeType, id: number, ctx: SyncContext): Promise<SyncResult> {
    return type === 'pay' ? this.syncPay(id, ctx) : this.syncRefund(id, ctx)
  }

  syncPay(orderId: number, context: SyncContext): Promise<SyncResult> {
    const ctx = { ...context, waited: { ms: 0 } }
    return this.withLease(
      'pay',
      orderId,
      ctx,
      () => getPayOrder(this.db, orderId),
      (order) => this.findPay(order as PayOrderRow, ctx),
    )
  }

  syncRefund(refundId: number, context: SyncContext): Promise<SyncResult> {
    const ctx = { ...context, waited: { ms: 0 } }
    return this.withLease(
      'refund',
      refundId,
      ctx,
      () => getRefundOrder(this.db, refundId),
      (refund) => this.findRefund(refund as RefundOrderRow, ctx),
    )
  }

  /**
   * Takes the lease, then reads the trade once: the decision is made on what is current under the
   * lease. The lease is given back in the transaction that writes the attempt.
   */
  private async withLease(
    type: TradeType,
    id: number,
    ctx: SyncContext,
    read: () => PayOrderRow | RefundOrderRow | undefined,
    work: (
      trade: PayOrderRow | RefundOrderRow,
    ) => Promise<{ finding: Finding; trade: PayOrderRow | RefundOrderRow }>,
  ): Promise<SyncResult> {
    const started = performance.now()
    const key = tradeKey(type, id)
    // Each attempt holds the lease in its own name, so two attempts of one process exclude each other too.
    const holder = `${this.owner}#${++this.attempts}`
    if (!this.takeLease(key, holder)) {
      const trade = read()
      if (!trade) throw new TradeNotFoundError(type, id)
      // Someone else is syncing this trade right now: record it, change nothing.
      return this.write(type, trade, ctx, started, {
        gatewayStatus: null,
        rawStatus: null,
        outcome: 'skipped',
        syncInfo: null,
        actionInfo: null,
        errorCode: BUSY_CODE,
        errorMsg: BUSY_MESSAGE,
      })
    }
    let written = false
    try {
      const trade = read()
      if (!trade) throw new TradeNotFoundError(type, id)
      let result: { finding: Finding; trade: PayOrderRow | RefundOrderRow }
      try {
        result = await work(trade)
      } catch (err) {
        // Nothing was asked: no attempt to record; the lease goes back below.
        if (err instanceof CallAbandonedError) throw err
        result = {
          trade,
          finding: {
            gatewayStatus: 'sync_error',
            rawStatus: null,
            outcome: 'error',
            syncInfo: null,
            actionInfo: null,
            errorCode: (err as { code?: string }).code ?? 'internal',
            errorMsg: (err as Error).message,
          },
        }
      }
      const r = this.write(type, result.trade, ctx, started, result.finding, { key, holder })
      written = true
      return r
    } finally {
      if (!written) releaseLease(this.db, key, holder)
    }
  }

  /** Takes the trade's lease; one left by a process of this machine that has died is broken at once. */
  private takeLease(key: string, holder: string): boolean {
    if (acquireLease(this.db, key, holder, this.leaseMs, this.now())) return true
    const current = leaseOwner(this.db, key)
    if (current && ownerIsDeadHere(current.split('#')[0]!)) {
      releaseLease(this.db, key, current)
      return acquireLease(this.db, key, holder, this.leaseMs, this.now())
    }
    return false
  }

  private async adapterOf(merchantId: number): Promise<GatewayAdapter> {
    try {
      return await this.adapters(merchantId)
    } catch (err) {
      throw Object.assign(new Error(`merchant profile cannot be used: ${(err as Error).message}`), {
        code: 'merchant_config',
      })
    }
  }

  private payRef(o: PayOrderRow) {
    return {
      orderNo: o.order_no,
      bizOrderNo: o.biz_order_no,
      gatewayTradeNo: o.gateway_trade_no,
      amount: o.amount,
      kind: o.kind,
      createdAt: o.created_at,
      paidAt: o.paid_at,
    }
  }

  private async findPay(
    order: PayOrderRow,
    ctx: SyncContext,
  ): Promise<{ finding: Finding; trade: PayOrderRow }> {
    const adapter = await this.adapterOf(order.merchant_id)
    // One context for every call of this sync: `stop` is asked before the first request only.
    const call: CallContext = { gate: ctx.gate, slots: ctx.slots, stop: ctx.stop, waited: ctx.waited }
    let answer = await adapter.queryPay(this.payRef(order), call)
    let decision = decidePay(this.payLocal(order), answer, this.now())
    let actionInfo: string | null = null

    if (decision.action === 'close_gateway') {
      const close = await adapter.closePay(this.payRef(order), call)
      actionInfo = close.rawText
      if (close.result === 'error')
        return { trade: order, finding: this.closeFailed(answer, decision, close) }
      if (close.result === 'not_closable') {
        // The gateway will not close it: paid meanwhile (ORDER_PAID, ACQ.TRADE_STATUS_ERROR). Ask again
        // and apply the row for what it says now, without a second close.
        answer = await adapter.queryPay(this.payRef(order), call)
        decision = decidePay(this.payLocal(order), answer, this.now())
        if (decision.action === 'close_gateway') {
          return {
            trade: order,
            finding: this.closeFailed(answer, decision, {
              ...close,
              errorCode: close.errorCode ?? 'not_closable',
              errorMsg: `the gateway refused to close an order it still reports as ${answer.rawStatus ?? 'open'}`,
            }),
          }
        }
      } else {
        // A local order already closed or cancelled keeps its status; a progress one closes now.
        const to = order.status === 'progress' ? 'close' : order.status
        return {
          trade: order,
          finding: this.payRepair(order, answer, decision, 'pay_close_gateway', to, actionInfo),
        }
      }
    }

    if (decision.action === 'payscore_sync') {
      if (!adapter.syncPayscorePaid) {
        return {
          trade: order,
          finding: this.payError(
            answer,
            decision,
            'unsupported',
            'this channel cannot sync payscore orders',
            null,
          ),
        }
      }
      const paid: PayscoreSyncAnswer = await adapter.syncPayscorePaid(
        this.payRef(order),
        order.paid_at ?? this.now(),
        call,
      )
      actionInfo = paid.rawText
      if (paid.result === 'error')
        return {
          trade: order,
          finding: this.payError(answer, decision, paid.errorCode, paid.errorMsg, actionInfo),
        }
      if (paid.result === 'retry_later') {
        return {
          trade: order,
          finding: {
            ...this.base(answer, decision),
            outcome: 'waiting',
            actionInfo,
            errorCode: paid.errorCode,
            errorMsg: paid.errorMsg,
          },
        }
      }
      return {
        trade: order,
        finding: this.payRepair(order, answer, decision, 'payscore_sync_gateway', 'success', actionInfo),
      }
    }

    switch (decision.action) {
      case 'error':
        return {
          trade: order,
          finding: this.payError(answer, decision, answer.errorCode, answer.errorMsg, actionInfo),
        }
      case 'none':
        return {
          trade: order,
          finding: { ...this.base(answer, decision), outcome: decision.outcome, actionInfo },
        }
      case 'anomaly':
        return {
          trade: order,
          finding: {
            ...this.base(answer, decision),
            outcome: 'anomaly',
            actionInfo,
            anomaly: {
              kind: decision.anomaly,
              detail: ANOMALY_TEXT[decision.anomaly],
              gatewayAmount: answer.amount,
              gatewayTime: answer.paidAt,
            },
          },
        }
      case 'repair': {
        const finding = this.payRepair(order, answer, decision, decision.way, decision.to, actionInfo)
        if (decision.then) {
          finding.anomaly = {
            kind: decision.then,
            detail: ANOMALY_TEXT[decision.then],
            gatewayAmount: answer.amount,
            gatewayTime: answer.paidAt,
          }
        }
        return { trade: order, finding }
      }
      default:
        throw new Error(`unhandled decision ${(decision as PayDecision).action}`)
    }
  }

  private payLocal(o: PayOrderRow) {
    return {
      status: o.status,
      refundStatus: o.refund_status,
      amount: o.amount,
      expiredAt: o.expired_at,
      kind: o.kind,
    }
  }

  private base(answer: PayAnswer | RefundAnswer, decision: { recorded: GatewayStatus }): Finding {
    return {
      gatewayStatus: decision.recorded,
      rawStatus: answer.rawStatus,
      outcome: 'consistent',
      syncInfo: answer.rawText,
      actionInfo: null,
      errorCode: null,
      errorMsg: null,
      gatewayTradeNo: 'gatewayTradeNo' in answer ? answer.gatewayTradeNo : null,
      gatewayRefundNo: 'gatewayRefundNo' in answer ? answer.gatewayRefundNo : null,
      // An answer given without asking (the profile lacks what the call needs) had no round trip: its
      // 0 would show on the merchant's row as a latency.
      latencyMs: answer.attempts === 0 ? null : answer.latencyMs,
      serverTime: answer.serverTime,
    }
  }

  private payError(
    answer: PayAnswer,
    decision: PayDecision,
    code: string | null,
    msg: string | null,
    actionInfo: string | null,
  ): Finding {
    return {
      ...this.base(answer, decision),
      gatewayTradeNo: null,
      outcome: 'error',
      actionInfo,
      errorCode: code ?? 'sync_error',
      errorMsg: msg ?? 'the gateway answer could not be used',
    }
  }

  private closeFailed(answer: PayAnswer, decision: PayDecision, close: CloseAnswer): Finding {
    return this.payError(
      answer,
      decision,
      close.errorCode,
      `close at the gateway failed: ${close.errorMsg ?? ''}`.trim(),
      close.rawText,
    )
  }

  private payRepair(
    order: PayOrderRow,
    answer: PayAnswer,
    decision: PayDecision,
    way: 'pay_success' | 'pay_close_local' | 'pay_fail' | 'pay_close_gateway' | 'payscore_sync_gateway',
    to: PayOrderRow['status'],
    actionInfo: string | null,
  ): Finding {
    const finding: Finding = {
      ...this.base(answer, decision),
      outcome: 'repaired',
      actionInfo,
      statusAfter: to,
    }
    finding.repair = (by) => {
      const now = this.now()
      const patch =
        to === 'success'
          ? {
              status: to,
              paidAt: order.paid_at ?? answer.paidAt ?? now,
              gatewayTradeNo: answer.gatewayTradeNo,
            }
          : to === 'close'
            ? { status: to, closedAt: order.closed_at ?? now }
            : { status: to }
      if (!casPayOrder(this.db, order.id, { status: order.status, version: order.version }, patch, now))
        return null
      const repairNo = newRepairNo(now)
      insertRepairRecord(this.db, {
        repairNo,
        tradeType: 'pay',
        tradeId: order.id,
        tradeNo: order.order_no,
        source: by.source,
        way,
        channel: order.channel,
        merchantId: order.merchant_id,
        beforeStatus: order.status,
        afterStatus: to,
        remark: null,
        operator: by.operator,
        syncRecordId: null,
        createdAt: now,
      })
      return repairNo
    }
    return finding
  }

  private async findRefund(
    refund: RefundOrderRow,
    ctx: SyncContext,
  ): Promise<{ finding: Finding; trade: RefundOrderRow }> {
    const adapter = await this.adapterOf(refund.merchant_id)
    const pay = getPayOrder(this.db, refund.pay_order_id)!
    const answer = await adapter.queryRefund(
      {
        refundNo: refund.refund_no,
        bizRefundNo: refund.biz_refund_no,
        gatewayRefundNo: refund.gateway_refund_no,
        orderNo: pay.order_no,
        gatewayTradeNo: pay.gateway_trade_no,
        amount: refund.amount,
        createdAt: refund.created_at,
      },
      { gate: ctx.gate, slots: ctx.slots, stop: ctx.stop, waited: ctx.waited },
    )
    const decision = decideRefund(
      { status: refund.status, amount: refund.amount, createdAt: refund.created_at },
      { status: answer.status, amount: answer.amount },
      this.now(),
      this.refundGraceMs,
    )
    const base = this.base(answer, decision)
    switch (decision.action) {
      case 'error':
        return {
          trade: refund,
          finding: {
            ...base,
            gatewayRefundNo: null,
            outcome: 'error',
            errorCode: answer.errorCode ?? 'sync_error',
            errorMsg: answer.errorMsg ?? 'the gateway answer could not be used',
          },
        }
      case 'none':
        return { trade: refund, finding: { ...base, outcome: decision.outcome } }
      case 'anomaly':
        return {
          trade: refund,
          finding: {
            ...base,
            outcome: 'anomaly',
            anomaly: {
              kind: decision.anomaly,
              detail: ANOMALY_TEXT[decision.anomaly],
              gatewayAmount: answer.amount,
              gatewayTime: answer.finishedAt,
            },
          },
        }
      case 'repair': {
        const finding: Finding = { ...base, outcome: 'repaired', statusAfter: decision.to }

        finding.repair = (by) => this.applyRefundRepair(refund, decision.way, decision.to, answer, by)
        return { trade: refund, finding }
      }
    }
  }

  private applyRefundRepair(
    refund: RefundOrderRow,
    way: 'refund_success' | 'refund_close',
    to: RefundOrderRow['status'],
    answer: RefundAnswer,
    by: { source: SyncSource; operator: string | null },
  ): string | null {
    const now = this.now()
    const patch =
      to === 'success'
        ? { status: to, finishedAt: answer.finishedAt ?? now, gatewayRefundNo: answer.gatewayRefundNo }
        : { status: to, finishedAt: now }
    if (!casRefundOrder(this.db, refund.id, { status: refund.status, version: refund.version }, patch, now))
      return null
    const before = getPayOrder(this.db, refund.pay_order_id)!
    // The pay order's refundable amount and refund status follow from its refunds: restoring twice is impossible.
    recomputeRefundState(this.db, refund.pay_order_id, now)
    const after = getPayOrder(this.db, refund.pay_order_id)!
    const repairNo = newRepairNo(now)
    const common = {
      repairNo,
      source: by.source,
      way,
      channel: refund.channel,
      merchantId: refund.merchant_id,
      remark: null,
      operator: by.operator,
      syncRecordId: null,
      createdAt: now,
    }
    insertRepairRecord(this.db, {
      ...common,
      tradeType: 'refund',
      tradeId: refund.id,
      tradeNo: refund.refund_no,
      beforeStatus: refund.status,
      afterStatus: to,
    })
    insertRepairRecord(this.db, {
      ...common,
      tradeType: 'pay',
      tradeId: before.id,
      tradeNo: before.order_no,
      beforeStatus: before.refund_status,
      afterStatus: after.refund_status,
      remark: refundableChange(before.refundable_amount, after.refundable_amount) || null,
    })
    return repairNo
  }

  /** Writes the attempt: repair, anomaly, record, trade bookkeeping and batch item, in one transaction. */
  private write(
    type: TradeType,
    trade: PayOrderRow | RefundOrderRow,
    ctx: SyncContext,
    started: number,
    f: Finding,
    lease?: { key: string; holder: string },
  ): SyncResult {
    const now = this.now()
    const isPay = type === 'pay'
    const pay = trade as PayOrderRow
    const refund = trade as RefundOrderRow
    const tradeNo = isPay ? pay.order_no : refund.refund_no
    return this.db
      .transaction((): SyncResult => {
        let outcome = f.outcome
        let errorCode = f.errorCode
        let errorMsg = f.errorMsg
        let repairNo: string | null = null
        if (f.repair) {
          repairNo = f.repair({ source: ctx.source, operator: ctx.operator ?? null })
          if (repairNo === null) {
            // Compare-and-set found the trade changed by someone else: nothing applied, said so.
            outcome = 'skipped'
            errorCode = 'conflict'
            errorMsg = '订单已被其他操作修改，本次修复未执行'
          }
        }
        if (outcome !== 'skipped' && outcome !== 'error') {
          if (isPay) fillGatewayTradeNo(this.db, trade.id, f.gatewayTradeNo)
          else fillRefundOrder(this.db, trade.id, f.gatewayRefundNo ?? null, now)
        }

        const errors =
          outcome === 'error'
            ? trade.sync_error_count + 1
            : outcome === 'skipped'
              ? trade.sync_error_count
              : 0
        // What the trade's status is now, without reading it again: the repair's target if it applied.
        const statusNow = repairNo && f.statusAfter ? f.statusAfter : trade.status
        let anomaly = f.anomaly && outcome !== 'skipped' ? f.anomaly : undefined
        // A repair that also opened an anomaly (paid, then refunded with no local refund) leaves a
        // person something to decide: the attempt counts as an anomaly, in a batch's problem rows too,
        // and still names its repair.
        if (anomaly && outcome === 'repaired') outcome = 'anomaly'

        if (!anomaly && outcome === 'error' && errors === this.errorThreshold) {
          anomaly = {
            kind: 'sync_keeps_failing',
            detail: `${ANOMALY_TEXT.sync_keeps_failing}（${errors} 次）: ${errorMsg ?? ''}`,
            gatewayAmount: null,
            gatewayTime: null,
          }
        }
        let anomalyId: number | null = null
        if (anomaly) {
          anomalyId = openAnomaly(this.db, {
            tradeType: type,
            tradeId: trade.id,
            tradeNo,
            channel: trade.channel,
            merchantId: trade.merchant_id,
            kind: anomaly.kind,
            detail: anomaly.detail,
            localStatus: statusNow,
            gatewayStatus: f.rawStatus ?? f.gatewayStatus,
            localAmount: trade.amount,
            gatewayAmount: anomaly.gatewayAmount,
            gatewayTime: anomaly.gatewayTime,
            syncRecordId: null,
            at: now,
          })
        }

        const recordId = insertSyncRecord(this.db, {
          tradeType: type,
          tradeId: trade.id,
          tradeNo,
          bizTradeNo: isPay ? pay.biz_order_no : refund.biz_refund_no,
          gatewayTradeNo: isPay
            ? (pay.gateway_trade_no ?? f.gatewayTradeNo ?? null)
            : (refund.gateway_refund_no ?? f.gatewayRefundNo ?? null),
          channel: trade.channel,
          merchantId: trade.merchant_id,
          gatewayStatus: f.gatewayStatus,
          gatewayRawStatus: f.rawStatus,
          outcome,
          repairNo,
          anomalyId,
          errorCode,
          errorMsg,
          clientIp: ctx.clientIp ?? null,
          operator: ctx.operator ?? null,
          source: ctx.source,
          batchId: ctx.batchId ?? null,
          durationMs: Math.round(performance.now() - started - (ctx.waited?.ms ?? 0)),
          createdAt: now,
          syncInfo: f.syncInfo,
          actionInfo: f.actionInfo,
        })
        if (repairNo) linkRepairsToRecord(this.db, repairNo, recordId)
        if (anomalyId) setAnomalyRecord(this.db, anomalyId, recordId)

        if (lease) releaseLease(this.db, lease.key, lease.holder)
        this.noteHealth(trade.merchant_id, outcome, errorMsg, f, now)
        if (outcome !== 'skipped') {
          const next =
            statusNow === 'progress' ? nextSyncAt(trade.created_at, now, errors, this.errorThreshold) : null
          const mark = {
            at: now,
            outcome,
            gatewayStatus: f.gatewayStatus,
            errorCount: errors,
            nextSyncAt: next,
          }
          if (isPay) markPayOrderSynced(this.db, trade.id, mark)
          else markRefundOrderSynced(this.db, trade.id, mark)
          if (ctx.batchItemId) {
            completeBatchItem(this.db, ctx.batchItemId, {
              outcome,
              gatewayStatus: f.gatewayStatus,
              syncRecordId: recordId,
              error: errorMsg,
            })
          }
        }
        return {
          tradeType: type,
          tradeId: trade.id,
          recordId,
          outcome,
          gatewayStatus: f.gatewayStatus,
          repairNo,
          anomalyId,
          errorCode,
          errorMsg,
        }
      })
      .immediate()
  }
}
