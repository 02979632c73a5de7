import type { AnomalyKind, RefundGatewayStatus, RefundStatus } from '../../shared/domain'

// The refund decision table of docs/domain.md section 5, as a pure function.

export interface RefundLocal {
  status: RefundStatus
  amount: number
  createdAt: number
}

export interface RefundGatewayView {
  status: RefundGatewayStatus
  amount: number | null
}

export type RefundDecision = { recorded: RefundGatewayStatus } & (
  | { action: 'none'; outcome: 'consistent' | 'waiting' }
  | { action: 'repair'; way: 'refund_success' | 'refund_close'; to: RefundStatus }
  | { action: 'anomaly'; anomaly: AnomalyKind }
  | { action: 'error' }
)

export const DEFAULT_REFUND_GRACE_MS = 10 * 60_000

export function decideRefund(
  local: RefundLocal,
  gw: RefundGatewayView,
  now: number,
  graceMs = DEFAULT_REFUND_GRACE_MS,
): RefundDecision {
  const g = gw.status
  if (g === 'sync_error') return { recorded: g, action: 'error' }
  // An answer that names another amount is not this refund's success (docs/domain.md section 3).
  const amountDiffers = gw.amount !== null && gw.amount !== local.amount
  if (g === 'refund_abnormal') return { recorded: g, action: 'anomaly', anomaly: 'refund_abnormal' }

  switch (local.status) {
    case 'progress':
      switch (g) {
        case 'refund_success':
          return amountDiffers
            ? { recorded: g, action: 'anomaly', anomaly: 'amount_mismatch' }
            : { recorded: g, action: 'repair', way: 'refund_success', to: 'success' }
        case 'refund_progress':
          return { recorded: g, action: 'none', outcome: 'waiting' }
        case 'refund_not_found':
          // Gateways show a refund a little after it is made: not found is only final after the grace period.
          return now - local.createdAt <= graceMs
            ? { recorded: g, action: 'none', outcome: 'waiting' }
            : { recorded: g, action: 'repair', way: 'refund_close', to: 'close' }
        case 'refund_closed':
          return { recorded: g, action: 'repair', way: 'refund_close', to: 'close' }
      }
      break
    case 'success':
      switch (g) {
        case 'refund_success':
          return amountDiffers
            ? { recorded: g, action: 'anomaly', anomaly: 'amount_mismatch' }
            : { recorded: g, action: 'none', outcome: 'consistent' }
        case 'refund_progress':
        case 'refund_closed':
          return { recorded: g, action: 'anomaly', anomaly: 'refund_state_conflict' }
        case 'refund_not_found':
          return { recorded: g, action: 'anomaly', anomaly: 'refund_success_but_gateway_missing' }
      }
      break
    case 'fail':
      switch (g) {
        case 'refund_success':
          return amountDiffers
            ? { recorded: g, action: 'anomaly', anomaly: 'amount_mismatch' }
            : { recorded: g, action: 'repair', way: 'refund_success', to: 'success' }
        case 'refund_progress':
        case 'refund_not_found':
        case 'refund_closed':
          return { recorded: g, action: 'none', outcome: 'consistent' }
      }
      break
    case 'close':
      switch (g) {
        case 'refund_success':
          return { recorded: g, action: 'anomaly', anomaly: 'refund_succeeded_after_close' }
        case 'refund_progress':
        case 'refund_not_found':
        case 'refund_closed':
          return { recorded: g, action: 'none', outcome: 'consistent' }
      }
      break
  }
  throw new Error(`no decision for local refund ${local.status} and gateway ${g}`)
}
