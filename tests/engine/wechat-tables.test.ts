import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PayStatus, RefundStatus } from '../../src/shared/domain'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { getSyncRecord } from '../../src/main/store/records'
import { listRepairRecords } from '../../src/main/store/repairs'
import { listAnomalies } from '../../src/main/store/anomalies'
import { createWorld, type World } from '../helpers/world'

// Both decision tables against the simulated WeChat Pay gateway, in direct and partner mode: every
// column WeChat can produce (including pay_fail, refund_closed and refund_abnormal, which Alipay cannot),
// and the payscore repair of domain.md section 4.

const GATEWAY: Record<string, string | null> = {
  pay_success: 'SUCCESS',
  pay_progress: 'NOTPAY',
  pay_not_found: null,
  pay_closed: 'CLOSED',
  pay_fail: 'PAYERROR',
  pay_refund: 'REFUND',
  sync_error: 'SUCCESS',
}

// [local row, gateway column, outcome, local status after, repair way?, anomaly?]
type Row = [string, string, string, PayStatus, string?, string?]
const PAY: Row[] = [
  ['progress', 'pay_success', 'repaired', 'success', 'pay_success'],
  ['progress', 'pay_progress', 'waiting', 'progress'],
  ['progress', 'pay_not_found', 'waiting', 'progress'],
  ['progress', 'pay_closed', 'repaired', 'close', 'pay_close_local'],
  ['progress', 'pay_fail', 'repaired', 'fail', 'pay_fail'],
  ['progress', 'pay_refund', 'anomaly', 'success', 'pay_success', 'refund_unrecorded'],
  ['progress', 'sync_error', 'error', 'progress'],
  ['expired', 'pay_progress', 'repaired', 'close', 'pay_close_gateway'],
  ['expired', 'pay_not_found', 'repaired', 'close', 'pay_close_gateway'],
  ['expired', 'pay_fail', 'repaired', 'fail', 'pay_fail'],
  ['success', 'pay_success', 'consistent', 'success'],
  ['success', 'pay_progress', 'anomaly', 'success', undefined, 'success_but_gateway_unpaid'],
  ['success', 'pay_not_found', 'anomaly', 'success', undefined, 'success_but_gateway_missing'],
  ['success', 'pay_closed', 'anomaly', 'success', undefined, 'success_but_gateway_closed'],
  ['success', 'pay_fail', 'anomaly', 'success', undefined, 'success_but_gateway_failed'],
  ['success', 'pay_refund', 'consistent', 'success'],
  ['close', 'pay_success', 'anomaly', 'close', undefined, 'paid_after_close'],
  ['close', 'pay_progress', 'repaired', 'close', 'pay_close_gateway'],
  ['close', 'pay_fail', 'consistent', 'close'],
  ['close', 'pay_refund', 'anomaly', 'close', undefined, 'paid_after_close'],
  ['fail', 'pay_success', 'repaired', 'success', 'pay_success'],
  ['fail', 'pay_fail', 'consistent', 'fail'],
  ['fail', 'pay_refund', 'anomaly', 'success', 'pay_success', 'refund_unrecorded'],
  ['fail', 'sync_error', 'error', 'fail'],
]

const REFUND_GATEWAY: Record<string, string | null> = {
  refund_success: 'SUCCESS',
  refund_progress: 'PROCESSING',
  refund_not_found: null,
  refund_closed: 'CLOSED',
  refund_abnormal: 'ABNORMAL',
}
type RRow = [RefundStatus, string, string, RefundStatus, string?, string?]
const REFUND: RRow[] = [
  ['progress', 'refund_success', 'repaired', 'success', 'refund_success'],
  ['progress', 'refund_progress', 'waiting', 'progress'],
  ['progress', 'refund_not_found', 'repaired', 'close', 'refund_close'],
  ['progress', 'refund_closed', 'repaired', 'close', 'refund_close'],
  ['progress', 'refund_abnormal', 'anomaly', 'progress', undefined, 'refund_abnormal'],
  ['success', 'refund_closed', 'anomaly', 'success', undefined, 'refund_state_conflict'],
  ['success', 'refund_abnormal', 'anomaly', 'success', undefined, 'refund_abnormal'],
  ['fail', 'refund_success', 'repaired', 'success', 'refund_success'],
  ['fail', 'refund_closed', 'consistent', 'fail'],
  ['fail', 'refund_abnormal', 'anomaly', 'fail', undefined, 'refund_abnormal'],
  ['close', 'refund_success', 'anomaly', 'close', undefined, 'refund_succeeded_after_close'],
  ['close', 'refund_closed', 'consistent', 'close'],
  ['close', 'refund_abnormal', 'anomaly', 'close', undefined, 'refund_abnormal'],
]

describe.each(['direct', 'partner'] as const)(
  'decision tables against the simulated WeChat Pay gateway (%s)',
  (mode) => {
    let w: World
    let n = 0
    const m = `wx-${mode}`
    beforeAll(async () => {
      w = await createWorld({ merchants: [{ name: m, channel: 'wechat', mode }] })
    })
    afterAll(async () => {
      await w.close()
    })

    it.each(PAY)('pay: local %s x gateway %s -> %s', async (row, column, outcome, after, way, anomaly) => {
      const orderNo = `WXT${++n}${Date.now()}`
      const now = Date.now()
      const id = w.payOrder({
        merchant: m,
        orderNo,
        amount: 100,
        status: row === 'expired' ? 'progress' : (row as PayStatus),
        expiredAt: row === 'expired' ? now - 60_000 : now + 3600_000,
      })
      const state = GATEWAY[column]
      if (state) w.gatewayOrder({ merchant: m, orderNo, amount: 100, state })
      w.sim.state.faults = {
        ...w.sim.state.faults,
        faultRate: column === 'sync_error' ? 1 : 0,
        faults: ['system_error'],
      }
      const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
      w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0 }
      expect(r.outcome).toBe(outcome)
      expect(getPayOrder(w.ctx.db, id)!.status).toBe(after)
      expect(
        listRepairRecords(w.ctx.db, { type: 'pay', tradeId: id, limit: 5, offset: 0 }).items.map(
          (x) => x.way,
        ),
      ).toEqual(way ? [way] : [])
      expect(
        listAnomalies(w.ctx.db, { type: 'pay', tradeId: id, limit: 5, offset: 0 }).items.map((x) => x.kind),
      ).toEqual(anomaly ? [anomaly] : [])
      expect(getSyncRecord(w.ctx.db, r.recordId)!.sync_info).toBeTruthy()
    })

    it.each(REFUND)(
      'refund: local %s x gateway %s -> %s',
      async (row, column, outcome, after, way, anomaly) => {
        const orderNo = `WXR${++n}${Date.now()}`
        const refundNo = `WXRF${n}${Date.now()}`
        const payId = w.payOrder({ merchant: m, orderNo, amount: 100, status: 'success' })
        const refundId = w.refund({
          merchant: m,
          payOrderId: payId,
          refundNo,
          amount: 40,
          status: row,
          createdAt: Date.now() - 3600_000,
        })
        w.gatewayOrder({ merchant: m, orderNo, amount: 100, state: 'REFUND' })
        const state = REFUND_GATEWAY[column]
        if (state) w.gatewayRefund({ merchant: m, orderNo, refundNo, amount: 40, state })
        const r = await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
        expect(r.outcome).toBe(outcome)
        expect(getRefundOrder(w.ctx.db, refundId)!.status).toBe(after)
        if (way)
          expect(
            listRepairRecords(w.ctx.db, { no: r.repairNo!, limit: 5, offset: 0 }).items.map((x) => x.way),
          ).toEqual([way, way])
        expect(
          listAnomalies(w.ctx.db, { type: 'refund', tradeId: refundId, limit: 5, offset: 0 }).items.map(
            (x) => x.kind,
          ),
        ).toEqual(anomaly ? [anomaly] : [])
      },
    )

    it('an order paid while we close it (ORDER_PAID) is queried again and repaired to success', async () => {
      const orderNo = `WXPM${Date.now()}`
      const id = w.payOrder({ merchant: m, orderNo, amount: 100, expiredAt: Date.now() - 120_000 })
      w.sim.state.putOrder({
        merchant: m,
        orderNo,
        amount: 100,
        state: 'NOTPAY',
        paidAt: null,
        gatewayTradeNo: '4200000000202611200000000001',
        kind: 'pay',
        createdAt: Date.now(),
        then: { afterQueries: 1, state: 'SUCCESS' },
      })
      const r = await w.ctx.engine.syncPay(id, { source: 'timeout' })
      expect(r.outcome).toBe('repaired')
      expect(getPayOrder(w.ctx.db, id)).toMatchObject({
        status: 'success',
        gateway_trade_no: '4200000000202611200000000001',
      })
      expect(getSyncRecord(w.ctx.db, r.recordId)!.action_info).toContain('ORDER_PAID')
    })
  },
)

describe('payscore: a local success the gateway still waits on is synced to the gateway (payscore_sync_gateway)', () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld({ merchants: [{ name: 'ps', channel: 'wechat', mode: 'partner' }] })
  })
  afterAll(async () => {
    await w.close()
  })

  it('posts Order_Paid, records the repair, and the next sync is consistent', async () => {
    const id = w.payOrder({
      merchant: 'ps',
      orderNo: 'PSO-1',
      amount: 300,
      status: 'success',
      kind: 'payscore',
      paidAt: Date.UTC(2026, 10, 20, 1, 0, 0),
    })
    w.gatewayOrder({
      merchant: 'ps',
      orderNo: 'PSO-1',
      amount: 300,
      state: 'DOING/MCH_COMPLETE',
      kind: 'payscore',
    })
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(r.outcome).toBe('repaired')
    expect(
      listRepairRecords(w.ctx.db, { type: 'pay', tradeId: id, limit: 5, offset: 0 }).items.map((x) => x.way),
    ).toEqual(['payscore_sync_gateway'])
    expect(w.sim.state.getOrder('ps', 'PSO-1')!.state).toBe('DONE')
    expect(w.sim.state.getOrder('ps', 'PSO-1')!.paidAt).toBe(Date.UTC(2026, 10, 20, 1, 0, 0))
    expect((await w.ctx.engine.syncPay(id, { source: 'manual' })).outcome).toBe('consistent')
  })

  it('"单据正在扣款中" is tried again later: waiting, nothing changes', async () => {
    const id = w.payOrder({
      merchant: 'ps',
      orderNo: 'PSO-2',
      amount: 300,
      status: 'success',
      kind: 'payscore',
    })
    w.gatewayOrder({
      merchant: 'ps',
      orderNo: 'PSO-2',
      amount: 300,
      state: 'DOING/MCH_COMPLETE/DEDUCTING',
      kind: 'payscore',
    })
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(r.outcome).toBe('waiting')
    expect(listRepairRecords(w.ctx.db, { type: 'pay', tradeId: id, limit: 5, offset: 0 }).total).toBe(0)
  })

  it('an expired payscore order still only created is cancelled at the gateway, then closed here', async () => {
    const id = w.payOrder({
      merchant: 'ps',
      orderNo: 'PSO-3',
      amount: 300,
      status: 'progress',
      kind: 'payscore',
      expiredAt: Date.now() - 120_000,
    })
    w.gatewayOrder({ merchant: 'ps', orderNo: 'PSO-3', amount: 300, state: 'CREATED', kind: 'payscore' })
    const r = await w.ctx.engine.syncPay(id, { source: 'timeout' })
    expect(r.outcome).toBe('repaired')
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('close')
    expect(w.sim.state.getOrder('ps', 'PSO-3')!.state).toBe('REVOKED')
  })
})
