import type { Actor, AnomalyAction, ManualRepairWay } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { formatBeijing } from '../../shared/time'
import { anomalyById, anomalyForDecision, closeAnomalyOn, type AnomalyRow } from '../store/anomalies'
import { auditOn } from '../store/audit'
import type { Db } from '../store/connection'
import type { PayOrderRow } from '../store/orders'
import { payOrderById } from '../store/orders/lookups'
import { casPayOrderOn, recomputeRefundStateOn } from '../store/orders/sync-writes'
import { casRefundOrderOn, type RefundOrderRow } from '../store/refunds'
import { insertRepairRecordOn } from '../store/repairs'
import { both, type Exec, type Q } from '../store/sql/exec'
import { sqliteExec } from '../store/sql/sqlite-exec'
import { resetTradeErrorsOn } from '../store/trade-schedule'
import { newRepairNo, refundableChange } from './sync'
import { tradeOn, type Trade } from './trade'

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

/** The refusal of a decision on an anomaly someone decided first, naming who and when. */
function decidedBefore(a: AnomalyRow): AppError {
  return AppError.say('conflict', 'anomaly.closed', {
    id: a.id,
    status: a.status,
    operator: a.operator ?? '?',
    at: a.resolved_at === null ? '?' : formatBeijing(a.resolved_at),
  })
}

/** The decision's who, without its other fields: what the anomaly, its repairs and the audit row record. */
const actorOf = (input: Actor): Actor => ({
  operator: input.operator,
  systemUser: input.systemUser ?? null,
  transport: input.transport ?? null,
})

/**
 * The decision inside the caller's transaction, on either store (docs/team-mode.md B3.1): SQLite's is
 * immediate, so a second decision waits for the first; on PostgreSQL the anomaly's row is locked first
 * (anomalyForDecision), to the same effect.
 */
export const resolveAnomalyOn = both(function* (
  x: Exec,
  input: Actor & { id: number; action: AnomalyAction; remark: string },
  now: number,
): Q<AnomalyRow> {
  const a = yield* anomalyForDecision(x, input.id)
  if (!a) throw AppError.say('not_found', 'anomaly.notFound', { id: input.id })
  // Two people, or two desktops, deciding at once: the second reads the first's decision here and is
  // told who made it and when (docs/domain.md 6.6).
  if (a.status !== 'open') throw decidedBefore(a)
  const trade = yield* tradeOn(x, a.trade_type, a.trade_id)
  const allowed = actionsFor(a, trade?.row)
  if (!allowed.includes(input.action)) {
    throw AppError.say('invalid_input', 'anomaly.action', {
      action: input.action,
      allowed: allowed.join(', '),
    })
  }
  let repairNo: string | null = null
  if (input.action !== 'acknowledge' && input.action !== 'dismiss') {
    repairNo = yield* applyManual(x, a, trade!, input.action, input.remark, actorOf(input), now)
  }
  if (a.kind === 'sync_keeps_failing') {
    // The person has looked at it: the schedule may try at its normal pace again.
    yield* resetTradeErrorsOn(x, a.trade_type, a.trade_id, now)
  }
  const status = input.action === 'dismiss' ? 'dismissed' : 'resolved'
  const closed = yield* closeAnomalyOn(x, a.id, {
    ...actorOf(input),
    status,
    action: input.action,
    remark: input.remark,
    repairNo,
    at: now,
  })
  // Only a decision that did not hold the anomaly could meet this: said, and rolled back whole.
  if (!closed) throw decidedBefore((yield* anomalyById(x, a.id))!)
  yield* auditOn(
    x,
    {
      ...actorOf(input),
      action: status === 'dismissed' ? 'anomaly_dismissed' : 'anomaly_resolved',
      target: `anomaly:${a.id}`,
      detail: { kind: a.kind, action: input.action, tradeNo: a.trade_no, repairNo, remark: input.remark },
    },
    now,
  )
  return (yield* anomalyById(x, a.id))!
})

export function resolveAnomaly(
  db: Db,
  input: Actor & { id: number; action: AnomalyAction; remark: string },
  now = Date.now(),
): AnomalyRow {
  const x = sqliteExec(db)
  return db.transaction(() => resolveAnomalyOn.sync(x, input, now)).immediate()
}

function* applyManual(
  x: Exec,
  a: AnomalyRow,
  trade: Trade,
  action: Exclude<AnomalyAction, 'acknowledge' | 'dismiss'>,
  remark: string,
  actor: Actor,
  now: number,
): Q<string> {
  const repairNo = newRepairNo(now)
  const record = (
    tradeType: 'pay' | 'refund',
    row: { id: number; no: string },
    way: ManualRepairWay,
    before: string,
    after: string,
    note = remark,
  ) =>
    insertRepairRecordOn(x, {
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
    if (!(yield* casPayOrderOn(x, o.id, { status: o.status, version: o.version }, patch, now)))
      throw conflict()
    yield* record(
      'pay',
      { id: o.id, no: o.order_no },
      to === 'success' ? 'manual_pay_success' : 'manual_pay_close',
      o.status,
      to,
    )
    yield* auditOn(
      x,
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
  const changed = yield* casRefundOrderOn(
    x,
    r.id,
    { status: r.status, version: r.version },
    { status: to, finishedAt: (to === 'success' ? a.gateway_time : null) ?? now },
    now,
  )
  if (!changed) throw conflict()
  const before = (yield* payOrderById(x, r.pay_order_id))!
  yield* recomputeRefundStateOn(x, r.pay_order_id, now)
  const after = (yield* payOrderById(x, r.pay_order_id))!
  yield* record(
    'refund',
    { id: r.id, no: r.refund_no },
    to === 'success' ? 'manual_refund_success' : 'manual_refund_close',
    r.status,
    to,
  )
  yield* record(
    'pay',
    { id: before.id, no: before.order_no },
    to === 'success' ? 'manual_refund_success' : 'manual_refund_close',
    before.refund_status,
    after.refund_status,
    [refundableChange(before.refundable_amount, after.refundable_amount), remark].filter(Boolean).join('；'),
  )
  yield* auditOn(
    x,
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
