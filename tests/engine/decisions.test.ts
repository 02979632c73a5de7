import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveAnomaly } from '../../src/main/engine/manual'
import { Scheduler } from '../../src/main/engine/scheduler'
import { fileDue } from '../../src/main/store/schedule-due'
import { getAnomaly, listAnomalies } from '../../src/main/store/anomalies'
import { getPayOrder } from '../../src/main/store/orders'
import { getSyncRecord, listSyncRecords } from '../../src/main/store/records'
import { anomalyDetail } from '../../src/main/services/lists'
import type { AnomalyAction } from '../../src/shared/domain'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { createWorld, type World } from '../helpers/world'

// docs/domain.md 6.6: a person's decision sticks. The report's M1: gateway order paid ¥15.00, the
// local order ¥150.00 and 支付中; after 已线下处理 (or 忽略) every later sync opened the same anomaly
// again, so 待处理 never shrank.

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

let w: World
let seq = 0
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})

const decide = (id: number, action: AnomalyAction) =>
  resolveAnomaly(w.ctx.db, { id, action, remark: '差额已线下核对', operator: 'fin' })
const anomaliesOf = (type: 'pay' | 'refund', tradeId: number) =>
  listAnomalies(w.ctx.db, { type, tradeId, limit: 50, offset: 0 }).items
const openOf = (type: 'pay' | 'refund', tradeId: number) =>
  anomaliesOf(type, tradeId).filter((a) => a.status === 'open')

/** The report's order: the gateway says paid ¥15.00, the local order holds ¥150.00 and waits. */
function mismatch(createdAt = Date.now() - 2 * DAY): { id: number; orderNo: string } {
  const orderNo = `DEC-${++seq}`
  const id = w.payOrder({ merchant: 'ali', orderNo, amount: 15000, createdAt, expiredAt: null })
  w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1500, state: 'TRADE_SUCCESS', paidAt: Date.now() })
  return { id, orderNo }
}

describe('a decided difference stays decided while the answer is the same', () => {
  for (const action of ['acknowledge', 'dismiss'] as const) {
    it(`${action}: the next syncs record the answer and open nothing`, async () => {
      const { id } = mismatch()
      const first = await w.ctx.engine.syncPay(id, { source: 'manual' })
      expect(first.outcome).toBe('anomaly')
      decide(first.anomalyId!, action)

      for (const source of ['manual', 'schedule', 'batch'] as const) {
        const again = await w.ctx.engine.syncPay(id, { source })
        // Recorded as a difference already decided, linked to the decision it repeats.
        expect(again).toMatchObject({ outcome: 'decided', anomalyId: first.anomalyId, errorCode: null })
        const record = getSyncRecord(w.ctx.db, again.recordId)!
        expect([record.outcome, record.anomaly_id, record.error_code]).toEqual([
          'decided',
          first.anomalyId,
          null,
        ])
        // Nothing failed: the trade's error count stays at zero.
        expect(getPayOrder(w.ctx.db, id)!.sync_error_count).toBe(0)
      }
      expect(openOf('pay', id)).toEqual([])
      expect(anomaliesOf('pay', id)).toHaveLength(1)
      const decided = getAnomaly(w.ctx.db, first.anomalyId!)!
      expect(decided.status).toBe(action === 'dismiss' ? 'dismissed' : 'resolved')
      // The decided anomaly counts what came after it; the answer it was decided on stays its record.
      expect(decided.seen_after_decision).toBe(3)
      expect(decided.sync_record_id).toBe(first.recordId)
    })
  }

  it('asks a decided trade again at the ladder’s back-off, not at its normal pace', async () => {
    const now = Date.now()
    // Created five minutes ago: the ladder asks every minute.
    const { id } = mismatch(now - 5 * MIN)
    const first = await w.ctx.engine.syncPay(id, { source: 'manual' })
    const normal = getPayOrder(w.ctx.db, id)!.next_sync_at! - getPayOrder(w.ctx.db, id)!.last_sync_at!
    expect(normal).toBe(MIN)
    decide(first.anomalyId!, 'acknowledge')
    await w.ctx.engine.syncPay(id, { source: 'schedule' })
    const o = getPayOrder(w.ctx.db, id)!
    expect(o.next_sync_at! - o.last_sync_at!).toBe(8 * MIN)
  })

  it('a decided old trade is asked daily', async () => {
    const { id } = mismatch(Date.now() - 3 * DAY)
    const first = await w.ctx.engine.syncPay(id, { source: 'manual' })
    decide(first.anomalyId!, 'dismiss')
    await w.ctx.engine.syncPay(id, { source: 'schedule' })
    const o = getPayOrder(w.ctx.db, id)!
    expect(o.next_sync_at! - o.last_sync_at!).toBe(DAY)
  })
})

describe('a different answer opens a new anomaly that shows both', () => {
  it('another amount: a new anomaly following the decided one, both answers in its detail', async () => {
    const { id, orderNo } = mismatch()
    const first = await w.ctx.engine.syncPay(id, { source: 'manual' })
    decide(first.anomalyId!, 'acknowledge')
    await w.ctx.engine.syncPay(id, { source: 'schedule' })

    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 2500, state: 'TRADE_SUCCESS', paidAt: Date.now() })
    const changed = await w.ctx.engine.syncPay(id, { source: 'schedule' })
    expect(changed.outcome).toBe('anomaly')
    expect(changed.anomalyId).not.toBe(first.anomalyId)
    const open = openOf('pay', id)
    expect(open.map((a) => [a.id, a.kind, a.gatewayAmount, a.followsId])).toEqual([
      [changed.anomalyId, 'amount_mismatch', 2500, first.anomalyId],
    ])

    const detail = await anomalyDetail(w.ctx, changed.anomalyId!)
    expect(detail.anomaly.gatewayAmount).toBe(2500)
    expect(detail.anomaly.answerStatus).toBe('pay_success')
    expect(detail.previous).not.toBeNull()
    expect(detail.previous!.anomaly).toMatchObject({
      id: first.anomalyId,
      status: 'resolved',
      action: 'acknowledge',
      gatewayAmount: 1500,
      answerStatus: 'pay_success',
      seenAfterDecision: 1,
    })
    expect(detail.previous!.record?.id).toBe(first.recordId)
    // And the decided one names what followed it.
    expect((await anomalyDetail(w.ctx, first.anomalyId!)).followedBy).toBe(changed.anomalyId)

    // The new one counts later sightings of its own answer, and is decided in its turn.
    const more = await w.ctx.engine.syncPay(id, { source: 'schedule' })
    expect(more.anomalyId).toBe(changed.anomalyId)
    expect(getAnomaly(w.ctx.db, changed.anomalyId!)!.occurrences).toBe(2)
    decide(changed.anomalyId!, 'dismiss')
    const after = await w.ctx.engine.syncPay(id, { source: 'schedule' })
    expect(after).toMatchObject({ anomalyId: changed.anomalyId, outcome: 'decided' })
    expect(openOf('pay', id)).toEqual([])
  })

  it('another status of the same kind: a refund the gateway first had in progress, then closed', async () => {
    const orderNo = `DEC-R-${++seq}`
    const payId = w.payOrder({ merchant: 'ali', orderNo, amount: 1000, status: 'success' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS', paidAt: Date.now() })
    const refundNo = `${orderNo}R`
    const refundId = w.refund({
      merchant: 'ali',
      payOrderId: payId,
      refundNo,
      amount: 400,
      status: 'success',
    })
    w.gatewayRefund({ merchant: 'ali', orderNo, refundNo, amount: 400, state: 'REFUND_PROCESSING' })
    const first = await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    expect(getAnomaly(w.ctx.db, first.anomalyId!)!.kind).toBe('refund_state_conflict')
    decide(first.anomalyId!, 'acknowledge')
    expect((await w.ctx.engine.syncRefund(refundId, { source: 'schedule' })).outcome).toBe('decided')

    w.gatewayRefund({ merchant: 'ali', orderNo, refundNo, amount: 400, state: 'REFUND_FAIL' })
    const changed = await w.ctx.engine.syncRefund(refundId, { source: 'schedule' })
    expect(changed.outcome).toBe('anomaly')
    const open = openOf('refund', refundId)
    expect(open.map((a) => [a.kind, a.answerStatus, a.followsId])).toEqual([
      ['refund_state_conflict', 'refund_closed', first.anomalyId],
    ])
    const detail = await anomalyDetail(w.ctx, changed.anomalyId!)
    expect(detail.previous!.anomaly.answerStatus).toBe('refund_progress')
  })

  it('a changed local side is a different difference too', async () => {
    const { id } = mismatch()
    const first = await w.ctx.engine.syncPay(id, { source: 'manual' })
    decide(first.anomalyId!, 'acknowledge')
    // The order is corrected to another wrong amount (a re-import): the same gateway answer, but a
    // difference nobody has decided.
    w.ctx.db.prepare('UPDATE pay_orders SET amount = 2000 WHERE id = ?').run(id)
    const again = await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(again.outcome).toBe('anomaly')
    expect(openOf('pay', id).map((a) => [a.localAmount, a.followsId])).toEqual([[2000, first.anomalyId]])
  })
})

describe('while an anomaly of a kind is open, later syncs count into it', () => {
  it('one open anomaly per trade and kind, with a counter and the last time seen', async () => {
    const { id } = mismatch()
    const first = await w.ctx.engine.syncPay(id, { source: 'manual' })
    const before = getAnomaly(w.ctx.db, first.anomalyId!)!
    await w.ctx.engine.syncPay(id, { source: 'schedule' })
    const second = await w.ctx.engine.syncPay(id, { source: 'schedule' })
    expect(second.anomalyId).toBe(first.anomalyId)
    expect(second.outcome).toBe('anomaly')
    const a = getAnomaly(w.ctx.db, first.anomalyId!)!
    expect(a.occurrences).toBe(3)
    expect(a.last_seen_at).toBeGreaterThanOrEqual(before.last_seen_at)
    expect(a.sync_record_id).toBe(second.recordId)
    expect(anomaliesOf('pay', id)).toHaveLength(1)
  })
})

describe('the schedules leave a decided trade to its back-off', () => {
  it('an expired order whose difference was decided is not closed-and-asked every minute', async () => {
    const now = Date.now()
    const orderNo = `DEC-EXP-${++seq}`
    const id = w.payOrder({
      merchant: 'ali',
      orderNo,
      amount: 15000,
      createdAt: now - 2 * HOUR,
      expiredAt: now - HOUR,
    })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1500, state: 'TRADE_SUCCESS', paidAt: now })
    const scheduler = new Scheduler(fileDue(w.ctx.db), w.ctx.engine, () => DEFAULT_SETTINGS)
    const records = () => listSyncRecords(w.ctx.db, { type: 'pay', tradeId: id, limit: 50, offset: 0 }).total

    // The timeout close asks it once, and the anomaly opens: the close needs a person now.
    await scheduler.runOnce()
    expect(records()).toBe(1)
    const [opened] = openOf('pay', id)
    expect(opened!.kind).toBe('amount_mismatch')
    await scheduler.runOnce()
    expect(records()).toBe(1)

    decide(opened!.id, 'acknowledge')
    // Due again on its ladder (an hour for an order two hours old): asked, recorded, nothing opened.
    w.ctx.db.prepare('UPDATE pay_orders SET next_sync_at = ? WHERE id = ?').run(Date.now() - 1, id)
    await scheduler.runOnce()
    expect(records()).toBe(2)
    expect(openOf('pay', id)).toEqual([])
    // Then not again on the next ticks: the decision's back-off holds for the timeout close too.
    await scheduler.runOnce()
    await scheduler.runOnce()
    expect(records()).toBe(2)
    const o = getPayOrder(w.ctx.db, id)!
    expect(o.next_sync_at! - o.last_sync_at!).toBe(8 * HOUR)
  })
})
