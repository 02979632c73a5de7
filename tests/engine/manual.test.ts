import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { actionsFor, resolveAnomaly } from '../../src/main/engine/manual'
import { getAnomaly, type AnomalyRow } from '../../src/main/store/anomalies'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { listRepairRecords } from '../../src/main/store/repairs'
import { createWorld, type World } from '../helpers/world'

// A person's decision on an anomaly books what the gateway says happened: its time, never the moment
// of the click, and never an amount that did not move.

let w: World
let seq = 0
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})

function anomalyOf(recordAnomalyId: number | null | undefined): AnomalyRow {
  expect(recordAnomalyId).toBeTruthy()
  return getAnomaly(w.ctx.db, recordAnomalyId!)!
}

const later = () => Date.now() + 3 * 3600_000

describe('deciding an anomaly', () => {
  it('paid after close: marked paid at the time the gateway says the buyer paid', async () => {
    const orderNo = `MAN-PAC-${++seq}`
    const paidAt = Date.now() - 42 * 60_000
    const id = w.payOrder({ merchant: 'ali', orderNo, amount: 8800, status: 'close' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 8800, state: 'TRADE_SUCCESS', paidAt })
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    const a = anomalyOf(r.anomalyId)
    expect(a.kind).toBe('paid_after_close')
    expect(Math.abs(a.gateway_time! - paidAt)).toBeLessThan(1000)
    expect(actionsFor(a, getPayOrder(w.ctx.db, id))).toContain('mark_paid')

    resolveAnomaly(
      w.ctx.db,
      { id: a.id, action: 'mark_paid', remark: '买家已付，补单', operator: 'fin' },
      later(),
    )
    const o = getPayOrder(w.ctx.db, id)!
    expect(o.status).toBe('success')
    expect(o.paid_at).toBe(a.gateway_time)
    expect(getAnomaly(w.ctx.db, a.id)!.status).toBe('resolved')
  })

  it('amount mismatch: cannot be marked paid, the order keeps its status and amount', async () => {
    const orderNo = `MAN-AMT-${++seq}`
    const id = w.payOrder({ merchant: 'ali', orderNo, amount: 15000, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1500, state: 'TRADE_SUCCESS' })
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    const a = anomalyOf(r.anomalyId)
    expect(a.kind).toBe('amount_mismatch')
    expect([a.local_amount, a.gateway_amount]).toEqual([15000, 1500])
    const offered = actionsFor(a, getPayOrder(w.ctx.db, id))
    expect(offered).not.toContain('mark_paid')
    expect(offered).toContain('acknowledge')

    expect(() =>
      resolveAnomaly(w.ctx.db, { id: a.id, action: 'mark_paid', remark: '强行补单', operator: 'fin' }),
    ).toThrow(/mark_paid/)
    const o = getPayOrder(w.ctx.db, id)!
    expect([o.status, o.amount, o.paid_at]).toEqual(['progress', 15000, null])
    expect(listRepairRecords(w.ctx.db, { type: 'pay', tradeId: id, limit: 10, offset: 0 }).total).toBe(0)

    resolveAnomaly(w.ctx.db, { id: a.id, action: 'acknowledge', remark: '差额线下退还买家', operator: 'fin' })
    expect(getAnomaly(w.ctx.db, a.id)!.status).toBe('resolved')
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
  })

  it('a refund the gateway finished after we closed it: marked refunded at the gateway time when it gave one', async () => {
    const orderNo = `MAN-RF-${++seq}`
    const payId = w.payOrder({ merchant: 'ali', orderNo, amount: 5000, status: 'success' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 5000, state: 'TRADE_SUCCESS' })
    const refundNo = `${orderNo}-R`
    const refundId = w.refund({ merchant: 'ali', payOrderId: payId, refundNo, amount: 2000, status: 'close' })
    w.gatewayRefund({ merchant: 'ali', orderNo, refundNo, amount: 2000, state: 'REFUND_SUCCESS' })
    const r = await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    const a = anomalyOf(r.anomalyId)
    expect(a.kind).toBe('refund_succeeded_after_close')
    const decidedAt = later()
    resolveAnomaly(
      w.ctx.db,
      { id: a.id, action: 'mark_refunded', remark: '网关已退，补记', operator: 'fin' },
      decidedAt,
    )
    const refund = getRefundOrder(w.ctx.db, refundId)!
    expect(refund.status).toBe('success')
    expect(refund.finished_at).toBe(a.gateway_time ?? decidedAt)
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(3000)
  })
})

describe('deciding amount_unknown: the gateway said paid without an amount (docs/domain.md 4, note 1)', () => {
  let dx: World
  beforeAll(async () => {
    dx = await createWorld({ merchants: [{ name: 'dax', channel: 'daxpay' }] })
  })
  afterAll(async () => {
    await dx.close()
  })

  it('nothing was repaired; a person who checked the amount at the gateway may mark it paid, or close it', async () => {
    const paidAt = Date.now() - 5 * 60_000
    const id = dx.payOrder({ merchant: 'dax', orderNo: 'MAN-UNK-1', amount: 3300 })
    dx.gatewayOrder({ merchant: 'dax', orderNo: 'MAN-UNK-1', amount: 3300, state: 'success', paidAt })
    dx.sim.state.faults = { ...dx.sim.state.faults, faultRate: 1, faults: ['no_amount'] }
    const r = await dx.ctx.engine.syncPay(id, { source: 'manual' })
    dx.sim.state.faults = { ...dx.sim.state.faults, faultRate: 0, faults: [] }
    expect(r).toMatchObject({ outcome: 'anomaly', repairNo: null })
    const a = getAnomaly(dx.ctx.db, r.anomalyId!)!
    expect([a.kind, a.local_amount, a.gateway_amount]).toEqual(['amount_unknown', 3300, null])
    expect(a.detail).toContain('没有给出金额')
    expect(getPayOrder(dx.ctx.db, id)!.status).toBe('progress')
    expect(actionsFor(a, getPayOrder(dx.ctx.db, id))).toEqual([
      'mark_paid',
      'close_order',
      'acknowledge',
      'dismiss',
    ])
    resolveAnomaly(
      dx.ctx.db,
      { id: a.id, action: 'mark_paid', remark: '已在 DaxPay 后台核对实付 33.00', operator: 'fin' },
      later(),
    )
    const o = getPayOrder(dx.ctx.db, id)!
    expect(o.status).toBe('success')
    expect(Math.abs(o.paid_at! - paidAt)).toBeLessThan(1000)
  })
})
