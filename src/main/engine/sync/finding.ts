import type { AnomalyKind, GatewayStatus, Outcome } from '../../../shared/domain'
import type { PayAnswer, RefundAnswer } from '../../gateways/types'
import { StorageFaultError } from '../../store/faults'
import { AttemptError } from './errors'
import type { RepairPlan } from './repair'
import { BUSY_CODE, BUSY_MESSAGE } from './types'

// What one attempt found out, before it is written, and the sentences its anomalies open with.

export interface FindingAnomaly {
  kind: AnomalyKind
  detail: string
  gatewayAmount: number | null
  gatewayTime: number | null
}

/** Everything one attempt found out, before it is written. */
export interface Finding {
  gatewayStatus: GatewayStatus | null
  rawStatus: string | null
  outcome: Outcome
  syncInfo: string | null
  actionInfo: string | null
  errorCode: string | null
  errorMsg: string | null
  anomaly?: FindingAnomaly
  /** Applied in the final transaction, guarded by compare-and-set (repair.ts). */
  repair?: RepairPlan
  gatewayTradeNo?: string | null
  gatewayRefundNo?: string | null
  /** The trade's status once the repair is applied. */
  statusAfter?: string
  /** How the call went, for the merchant's health on the overview; null when nothing was sent. */
  latencyMs?: number | null
  serverTime?: number | null
  /** The gateway's time of the trade in its answer (paid, refund finished), kept on the record. */
  gatewayTime?: number | null
}

export const ANOMALY_TEXT: Record<AnomalyKind, string> = {
  amount_mismatch: '网关金额与本地金额不一致：不能补单为成功，请线下处理差额并备注',
  amount_unknown: '网关说已支付，却没有给出金额：不能自动补单为成功，请在网关核对实付金额后再决定',
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
  gateway_action_unknown: '已向网关发出关单或支付分同步，结果未知：已重新同步确认，请核对网关上的状态',
  statement_unknown_trade: '对账单中有这笔交易，本地没有：请导入该订单后重新对账，或确认非本系统订单后忽略',
  statement_trade_no_conflict: '对账单的通道交易号与本地记录的不同：请核对是否为同一笔交易',
}

export function anomalyOf(
  kind: AnomalyKind,
  gatewayAmount: number | null,
  gatewayTime: number | null,
): FindingAnomaly {
  return { kind, detail: ANOMALY_TEXT[kind], gatewayAmount, gatewayTime }
}

/** The skeleton of a finding from a normalised answer and the table's decision on it: consistent so far. */
export function findingOf(answer: PayAnswer | RefundAnswer, decision: { recorded: GatewayStatus }): Finding {
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
    gatewayTime: 'paidAt' in answer ? answer.paidAt : answer.finishedAt,
  }
}

/**
 * An answer that cannot be used: recorded as an error, and nothing else. Errors never change a trade,
 * not even by filling in a gateway number (docs/domain.md section 6, rule 5).
 */
export function errorFinding(of: Finding, code: string | null, msg: string | null): Finding {
  return {
    ...of,
    gatewayTradeNo: null,
    gatewayRefundNo: null,
    outcome: 'error',
    errorCode: code ?? 'sync_error',
    errorMsg: msg ?? 'the gateway answer could not be used',
  }
}

/** An attempt that failed on our side before it had an answer (a profile that cannot be used, a bug). */
export function failedFinding(err: unknown): Finding {
  return {
    gatewayStatus: 'sync_error',
    rawStatus: null,
    outcome: 'error',
    syncInfo: null,
    actionInfo: null,
    errorCode:
      err instanceof AttemptError ? err.code : err instanceof StorageFaultError ? 'storage' : 'internal',
    errorMsg: err instanceof Error ? err.message : String(err),
  }
}

/**
 * The storage refused to record the intent of a side effect (docs/domain.md section 6.8), so the
 * gateway was not asked to do it: like a lease taken by someone else, the trade is left as it was
 * and its batch item stays to do. Recorded as skipped, with the reason.
 */
export function notAskedFinding(err: StorageFaultError): Finding {
  return {
    gatewayStatus: null,
    rawStatus: null,
    outcome: 'skipped',
    syncInfo: null,
    actionInfo: null,
    errorCode: 'storage',
    errorMsg: `the gateway was not asked to change anything: ${err.message}`,
  }
}

/** Someone else is syncing the trade right now (docs/domain.md section 6, rule 3): said, nothing changed. */
export function busyFinding(): Finding {
  return {
    gatewayStatus: null,
    rawStatus: null,
    outcome: 'skipped',
    syncInfo: null,
    actionInfo: null,
    errorCode: BUSY_CODE,
    errorMsg: BUSY_MESSAGE,
  }
}
