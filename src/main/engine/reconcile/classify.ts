import type { PayStatus, RefundStatus } from '../../../shared/domain'
import type { DiffKind, MatchState, StatementLineKind } from '../../../shared/statements'

// What one line and its local trade come to (docs/reconcile.md A6 rule 5 and A7): a match, or the
// kind of difference, with Roncoo's 长款/短款 label. Only amounts and statuses are compared; never a
// title, never a time (A2 defect 1). Pure: the matcher feeds it what the joins found.

/** The file's words for a payment that went through, and for a refund that did (A7). */
const PAID = new Set(['SUCCESS', '交易', '01'])
const REFUNDED = new Set(['SUCCESS', '退款', '04'])
/** WeChat's 退款状态 snapshot of a refund still under way when the bill was made. */
const REFUND_PROCESSING = 'PROCESSING'

export interface LineFacts {
  kind: StatementLineKind
  amount: number
  gatewayStatus: string
}

export type Verdict =
  | { state: Extract<MatchState, 'matched'>; note: string | null }
  | { state: 'discrepancy'; kind: DiffKind; label: string | null }

export function classifyPay(
  line: LineFacts,
  local: { status: PayStatus; amount: number },
  tolerance: number,
): Verdict {
  const amountsDiffer = Math.abs(local.amount - line.amount) > tolerance
  if (line.kind === 'revoke') {
    // 付款码撤销 / 消费撤销: consistent with a local order that is closed or cancelled.
    if (local.status === 'close' || local.status === 'cancel') return { state: 'matched', note: null }
    if (amountsDiffer && local.status === 'success') return amountMismatch(local.amount, line.amount)
    return {
      state: 'discrepancy',
      kind: 'status_mismatch',
      label: local.status === 'success' ? '本地长款，状态不符' : null,
    }
  }
  if (!PAID.has(line.gatewayStatus))
    return {
      state: 'discrepancy',
      kind: 'status_mismatch',
      label: local.status === 'success' ? '本地长款，状态不符' : null,
    }
  // A local order not (yet) successful: the sync decides, and refuses a repair over a different
  // amount itself (docs/domain.md section 4, note 1).
  if (local.status !== 'success')
    return { state: 'discrepancy', kind: 'local_not_success', label: '本地短款，状态不符' }
  if (amountsDiffer) return amountMismatch(local.amount, line.amount)
  return { state: 'matched', note: null }
}

export function classifyRefund(
  line: LineFacts,
  local: { status: RefundStatus; amount: number },
  tolerance: number,
): Verdict {
  const amountsDiffer = Math.abs(local.amount - line.amount) > tolerance
  if (line.gatewayStatus === REFUND_PROCESSING) {
    // The bill is a snapshot ("出账后退款状态不会更新"): a refund under way then may be done now.
    if (local.status === 'progress') return { state: 'matched', note: '退款处理中' }
    if (local.status === 'success')
      return amountsDiffer ? amountMismatch(local.amount, line.amount) : { state: 'matched', note: null }
    return { state: 'discrepancy', kind: 'status_mismatch', label: null }
  }
  if (!REFUNDED.has(line.gatewayStatus))
    return {
      state: 'discrepancy',
      kind: 'status_mismatch',
      label: local.status === 'success' ? '本地长款，状态不符' : null,
    }
  if (local.status !== 'success')
    return { state: 'discrepancy', kind: 'local_not_success', label: '本地短款，状态不符' }
  if (amountsDiffer) return amountMismatch(local.amount, line.amount)
  return { state: 'matched', note: null }
}

/** A refund line's own word says it did not go through (FAIL, CHANGE): no refund is missing here. */
export function refundLineFailed(gatewayStatus: string): boolean {
  return gatewayStatus !== REFUND_PROCESSING && !REFUNDED.has(gatewayStatus)
}

function amountMismatch(local: number, statement: number): Verdict {
  return {
    state: 'discrepancy',
    kind: 'amount_mismatch',
    label: local > statement ? '本地长款，金额不符' : '本地短款，金额不符',
  }
}

/** Whether a line's order number is this system's (A6 rule 1); an empty scope takes every line. */
export function inScope(orderNo: string, prefixes: readonly string[]): boolean {
  return prefixes.length === 0 || prefixes.some((p) => orderNo.startsWith(p))
}

/** The profile's `statementScope`: `all`, empty, or comma-separated order-number prefixes. */
export function scopePrefixes(setting: string | undefined): string[] {
  if (!setting) return []
  const parts = setting
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
  return parts.length === 1 && parts[0]!.toLowerCase() === 'all' ? [] : parts
}
