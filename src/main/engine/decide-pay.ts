import type {
  AnomalyKind,
  AutoRepairWay,
  PayGatewayStatus,
  PayKind,
  PayRefundStatus,
  PayStatus,
} from '../../shared/domain'

// The pay decision table of docs/domain.md section 4, cell for cell, as a pure function: local order and
// normalised gateway answer in, what to do out. Nothing here touches the store or the network.

export interface PayLocal {
  status: PayStatus
  refundStatus: PayRefundStatus
  amount: number
  expiredAt: number | null
  kind: PayKind
}

export interface PayGatewayView {
  status: Exclude<PayGatewayStatus, 'pay_timeout'>
  amount: number | null
  payscore?: { state: string; stateDescription: string | null }
}

export type PayDecision = { recorded: PayGatewayStatus } & (
  | { action: 'none'; outcome: 'consistent' | 'waiting' }
  | {
      action: 'repair'
      way: Extract<AutoRepairWay, 'pay_success' | 'pay_close_local' | 'pay_fail'>
      to: PayStatus
      then?: AnomalyKind
    }
  /** pay_close_gateway: close at the gateway first; the local order closes only after that. */
  | { action: 'close_gateway' }
  | { action: 'payscore_sync' }
  | { action: 'anomaly'; anomaly: AnomalyKind }
  | { action: 'error' }
)

function toSuccess(local: PayLocal, gw: PayGatewayView, then?: AnomalyKind): PayDecision {
  // A repair to success must carry the gateway's amount, and it must be ours (section 4, note 1).
  // Without one, nothing says what was paid: a person looks (an adapter that can read the amount
  // with a second query bound to the order, as DaxPay's, does so before it answers).
  if (gw.amount === null) return { recorded: gw.status, action: 'anomaly', anomaly: 'amount_unknown' }
  if (gw.amount !== local.amount) {
    return { recorded: gw.status, action: 'anomaly', anomaly: 'amount_mismatch' }
  }
  return {
    recorded: gw.status,
    action: 'repair',
    way: 'pay_success',
    to: 'success',
    ...(then ? { then } : {}),
  }
}

export function decidePay(local: PayLocal, gw: PayGatewayView, now: number): PayDecision {
  const g = gw.status
  if (g === 'sync_error') return { recorded: 'sync_error', action: 'error' }
  const expired = local.expiredAt !== null && now > local.expiredAt

  switch (local.status) {
    case 'progress':
      switch (g) {
        case 'pay_success':
          return toSuccess(local, gw)
        case 'pay_refund':
          return toSuccess(local, gw, 'refund_unrecorded')
        case 'pay_closed':
          return { recorded: g, action: 'repair', way: 'pay_close_local', to: 'close' }
        case 'pay_fail':
          return { recorded: g, action: 'repair', way: 'pay_fail', to: 'fail' }
        case 'pay_progress':
        case 'pay_not_found':
          // Not paid and past its expiry: close it where the buyer could still pay, then here.
          return expired
            ? { recorded: 'pay_timeout', action: 'close_gateway' }
            : { recorded: g, action: 'none', outcome: 'waiting' }
      }
      break
    case 'success':
      switch (g) {
        case 'pay_success':
          return gw.amount !== null && gw.amount !== local.amount
            ? { recorded: g, action: 'anomaly', anomaly: 'amount_mismatch' }
            : { recorded: g, action: 'none', outcome: 'consistent' }
        case 'pay_progress':
          if (
            local.kind === 'payscore' &&
            gw.payscore?.state === 'DOING' &&
            gw.payscore.stateDescription === 'MCH_COMPLETE'
          ) {
            return { recorded: g, action: 'payscore_sync' }
          }
          return { recorded: g, action: 'anomaly', anomaly: 'success_but_gateway_unpaid' }
        case 'pay_not_found':
          return { recorded: g, action: 'anomaly', anomaly: 'success_but_gateway_missing' }
        case 'pay_closed':
          return local.refundStatus === 'refunded'
            ? { recorded: g, action: 'none', outcome: 'consistent' }
            : { recorded: g, action: 'anomaly', anomaly: 'success_but_gateway_closed' }
        case 'pay_fail':
          return { recorded: g, action: 'anomaly', anomaly: 'success_but_gateway_failed' }
        case 'pay_refund':
          // Refunds are settled by refund sync.
          return { recorded: g, action: 'none', outcome: 'consistent' }
      }
      break
    case 'close':
    case 'cancel':
      switch (g) {
        case 'pay_success':
        case 'pay_refund':
          // The buyer paid an order we closed: a person decides between keeping the money and refunding.
          return { recorded: g, action: 'anomaly', anomaly: 'paid_after_close' }
        case 'pay_progress':
          return { recorded: g, action: 'close_gateway' }
        case 'pay_not_found':
        case 'pay_closed':
        case 'pay_fail':
          return { recorded: g, action: 'none', outcome: 'consistent' }
      }
      break
    case 'fail':
      switch (g) {
        case 'pay_success':
          return toSuccess(local, gw)
        case 'pay_refund':
          return toSuccess(local, gw, 'refund_unrecorded')
        case 'pay_progress':
        case 'pay_not_found':
        case 'pay_closed':
        case 'pay_fail':
          return { recorded: g, action: 'none', outcome: 'consistent' }
      }
      break
  }
  throw new Error(`no decision for local ${local.status} and gateway ${g}`)
}
