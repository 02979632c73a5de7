import type { Actor, AnomalyAction, ManualRepairWay } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { formatBeijing } from '../../shared/time'
import { closeAnomaly, getAnomaly, type AnomalyRow } from '../store/anomalies'
import { audit } from '../store/audit'
import type { Db } from '../store/connection'
import { casPayOrder, getPayOrder, recomputeRefundState, type PayOrderRow } from '../store/orders'
import { casRefundOrder, type RefundOrderRow } from '../store/refunds'
import { insertRepairRecord } from '../store/repairs'
import { resetTradeErrors } from '../store/trade-schedule'
import { newRepairNo, refundableChange } from './sync'
import { readTrade, type Trade } from './trade'

// A person's decision on an anomaly (docs/domain.md 6.6): applied through the same compare-and-set path as
// automatic repairs, with the operator and a required remark, and audited. Anomalies are never closed
// anywhere else.

/**
 * The gateway moved a different amount than the trade holds. Marking it paid or refunded would book
 * money that never moved (docs/domain.md 4: a repair to success with another amount is not applied), so a
 * person may only close, acknowledge or dismiss it, and settles the difference outside.
 */
function amountsDiffer(a: AnomalyRow): boolean {
  return a.gateway_amount !== null && a.local_amount !== null && a.gateway_amount !== a.local_amount
}

/** The actions that make sense for an anomaly, given the trade's current status. */
export function actionsFor(a: AnomalyRow, trade: PayOrderRow | RefundOrderRow | undefined): AnomalyAction[] {
  const actions: AnomalyAction[] = []
  if (trade && a.status === 'open') {
    if (a.trade_type === 'pay') {
      if (trade.status !== 'success' && !amountsDiffer(a)) actions.push('mark_paid')
      if (trade.status === 'progress' || trade.status === 'success' || trade.status === 'fail')
        actions.push('close_order')
    } else {
      if (trade.status !== 'success' && !amountsDiffer(a)) actions.push('mark_refunded')
      if (trade.status === 'progress' || trade.status === 'success') actions.push('close_refund')
    }
  }
  if (a.status === 'open') actions.push('acknowledge', 'dismiss')
  return actions
}

/** The decision's who, without its other fields: what the anomaly, its repairs and the audit row record. */
const actorOf = (input: Actor): Actor => ({
  operator: input.operator,
  systemUser: input.systemUser ?? null,
  transport: input.transport ?? null,
})

export function resolveAnomaly(
  db: Db,
  input: Actor & { id: number; action: AnomalyAction; remark: string },
  now = Date.now(),
): AnomalyRow {
  return db
    .transaction(() => {
      const a = getAnomaly(db, input.id)
      if (!a) throw AppError.say('not_found', 'anomaly.notFound', { id: input.id })
      // Two people, or two desktops, deciding at once: this transaction is immediate, so the second
      // reads the first's decision here and is told who made it and when (docs/domain.md 6.6).
      if (a.status !== 'open')
        throw AppError.say('conflict', 'anomaly.closed', {
          id: input.id,
          status: a.status,
          operator: a.operator ?? '?',
          at: a.resolved_at === null ? '?' : formatBeijing(a.resolved_at),
        })
      const trade = readTrade(db, a.trade_type, a.trade_id)
      const allowed = actionsFor(a, trade?.row)
      if (!allowed.includes(input.action)) {
        throw AppError.say('invalid_input', 'anomaly.action', {
          action: input.action,
          allowed: allowed.join(', '),
        })
      }
      let repairNo: string | null = null
      if (input.action !== 'acknowledge' && input.action !== 'dismiss') {
        repairNo = applyManual(db, a, trade!, input.action, input.remark, actorOf(input), now)
      }
      if (a.kind === 'sync_keeps_failing') {
        // The person has looked at it: the schedule may try at its normal pace again.
        resetTradeErrors(db, a.trade_type, a.trade_id, now)
      }
      const status = input.action === 'dismiss' ? 'dismissed' : 'resolved'
      closeAnomaly(db, a.id, {
        ...actorOf(input),
        status,
        action: input.action,
        remark: input.remark,
        repairNo,
        at: now,
      })
      audit(
        db,
        {
          ...actorOf(input),
          action: status === 'dismissed' ? 'anomaly_dismissed' : 'anomaly_resolved',
          target: `anomaly:${a.id}`,
          detail: { kind: a.kind, action: input.action, tradeNo: a.trade_no, repairNo, remark: input.remark },
        },
        now,
      )
      return getAnomaly(db, a.id)!
    })
    .immediate()
}

function applyManual(
  db: Db,
  a: AnomalyRow,
  trade: Trade,
  action: Exclude<AnomalyAction, 'acknowledge' | 'dismiss'>,
  remark: string,
  actor: Actor,
  now: number,
): string {
  const repairNo = newRepairNo(now)
  const record = (
    tradeType: 'pay' | 'refund',
    row: { id: number; no: string },
    way: ManualRepairWay,
    before: string,
    after: string,
    note = remark,
  ) =>
    insertRepairRecord(db, {
      repairNo,
      tradeType,
      tradeId: row.id,
      tradeNo: row.no,
      source: 'anomaly',
      way,
      channel: a.channel,
      merchantId: a.merchant_id,
      beforeStatus: before,
      afterStatus: after,
      remark: note,
      ...actor,
      syncRecordId: a.sync_record_id,
      createdAt: now,
    })
  const conflict = () => AppError.say('conflict', 'anomaly.changed', { no: a.trade_no })

  if (trade.type === 'pay') {
    const o = trade.row
    const to: PayOrderRow['status'] = action === 'mark_paid' ? 'success' : 'close'
    // Paid when the gateway says the buyer paid; the moment of the decision only when it gave no time.
    const patch =
      to === 'success'
        ? { status: to, paidAt: o.paid_at ?? a.gateway_time ?? now }
        : { status: to, closedAt: now }
    if (!casPayOrder(db, o.id, { status: o.status, version: o.version }, patch, now)) throw conflict()
    record(
      'pay',
      { id: o.id, no: o.order_no },
      to === 'success' ? 'manual_pay_success' : 'manual_pay_close',
      o.status,
      to,
    )
    audit(
      db,
      {
        ...actor,
        action: 'manual_repair',
        target: `pay:${o.id}`,
        detail: { repairNo, from: o.status, to, remark },
      },
      now,
    )
    return repairNo
  }
  const r = trade.row
  const to: RefundOrderRow['status'] = action === 'mark_refunded' ? 'success' : 'close'
  if (
    !casRefundOrder(
      db,
      r.id,
      { status: r.status, version: r.version },
      { status: to, finishedAt: (to === 'success' ? a.gateway_time : null) ?? now },
      now,
    )
  )
    throw conflict()
  const before = getPayOrder(db, r.pay_order_id)!
  recomputeRefundState(db, r.pay_order_id, now)
  const after = getPayOrder(db, r.pay_order_id)!
  record(
    'refund',
    { id: r.id, no: r.refund_no },
    to === 'success' ? 'manual_refund_success' : 'manual_refund_close',
    r.status,
    to,
  )
  record(
    'pay',
    { id: before.id, no: before.order_no },
    to === 'success' ? 'manual_refund_success' : 'manual_refund_close',
    before.refund_status,
    after.refund_status,
    [refundableChange(before.refundable_amount, after.refundable_amount), remark].filter(Boolean).join('；'),
  )
  audit(
    db,
    {
      ...actor,
      action: 'manual_repair',
      target: `refund:${r.id}`,
      detail: { repairNo, from: r.status, to, remark },
    },
    now,
  )
  return repairNo
}
