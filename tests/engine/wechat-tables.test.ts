import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { getSyncRecord } from '../../src/main/store/records'
import { listRepairRecords } from '../../src/main/store/repairs'
import { runDecisionCells, runPayCells, runRefundCells, type ChannelWords } from '../helpers/decision-table'
import { createWorld, type World } from '../helpers/world'

// Both decision tables (docs/domain.md sections 4 and 5) against the simulated WeChat Pay gateway, in
// direct and partner mode: every column WeChat can produce (including pay_fail, refund_closed and
// refund_abnormal, which Alipay cannot), and the payscore repair of section 4.

const words = (merchant: string): ChannelWords => ({
  merchant,
  pay: {
    pay_success: 'SUCCESS',
    pay_progress: 'NOTPAY',
    pay_not_found: null,
    pay_closed: 'CLOSED',
    pay_fail: 'PAYERROR',
    pay_refund: 'REFUND',
    sync_error: 'SUCCESS',
  },
  refund: {
    refund_success: 'SUCCESS',
    refund_progress: 'PROCESSING',
    refund_not_found: null,
    refund_closed: 'CLOSED',
    refund_abnormal: 'ABNORMAL',
    sync_error: 'SUCCESS',
  },
  close: 'call',
  unknownNotClosed: 'close_unconfirmed',
})

describe.each(['direct', 'partner'] as const)(
  'decision tables against the simulated WeChat Pay gateway (%s)',
  (mode) => {
    let w: World
    const m = `wx-${mode}`
    beforeAll(async () => {
      w = await createWorld({ merchants: [{ name: m, channel: 'wechat', mode }] })
    })
    afterAll(async () => {
      await w.close()
    })

    runPayCells(() => w, words(m), [
      {
        name: 'progress, not expired x pay_progress: the buyer is paying',
        row: 'progress, not expired',
        column: 'pay_progress',
        word: 'USERPAYING',
      },
      {
        name: 'progress, expired x pay_closed: revoked',
        row: 'progress, expired',
        column: 'pay_closed',
        word: 'REVOKED',
      },
      // docs/domain.md section 4, note 1: a paid answer without WeChat's amount is never repaired.
      {
        name: 'progress, not expired x pay_refund: REFUND without amount.total is not repaired',
        row: 'progress, not expired',
        column: 'pay_refund',
        fault: 'no_amount',
        rule: 'A:amount_unknown',
      },
      {
        name: 'fail x pay_success: a payscore order DONE without total_amount is not repaired',
        row: 'fail',
        column: 'pay_success',
        kind: 'payscore',
        word: 'DONE',
        fault: 'no_amount',
        rule: 'A:amount_unknown',
      },
      {
        name: 'progress, not expired x sync_error: SUCCESS without amount.total is malformed',
        row: 'progress, not expired',
        column: 'sync_error',
        word: 'SUCCESS',
        fault: 'no_amount',
        expect: { errorCode: 'malformed' },
      },
    ])
    runRefundCells(() => w, words(m))
    runDecisionCells(() => w, words(m))

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

describe("a refund's gateway number (refund_id), filled with the attempt's bookkeeping", () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld({ merchants: [{ name: 'wx-no', channel: 'wechat', mode: 'direct' }] })
  })
  afterAll(async () => {
    await w.close()
  })

  it('filled once by a consistent answer, with its updated_at; the next answer moves neither', async () => {
    const payId = w.payOrder({ merchant: 'wx-no', orderNo: 'RNO-PAY', amount: 800, status: 'success' })
    w.gatewayOrder({ merchant: 'wx-no', orderNo: 'RNO-PAY', amount: 800, state: 'SUCCESS' })
    const id = w.refund({
      merchant: 'wx-no',
      payOrderId: payId,
      refundNo: 'RNO-1',
      amount: 300,
      status: 'success',
      createdAt: Date.now() - 3_600_000,
    })
    w.gatewayRefund({
      merchant: 'wx-no',
      orderNo: 'RNO-PAY',
      refundNo: 'RNO-1',
      amount: 300,
      state: 'SUCCESS',
    })
    const before = getRefundOrder(w.ctx.db, id)!
    expect(before.gateway_refund_no).toBeNull()
    const first = await w.ctx.engine.syncRefund(id, { source: 'manual' })
    expect(first.outcome).toBe('consistent')
    const filled = getRefundOrder(w.ctx.db, id)!
    expect(filled.gateway_refund_no).toBeTruthy()
    expect(filled.updated_at).toBeGreaterThan(before.updated_at)
    expect(filled.last_sync_outcome).toBe('consistent')
    await new Promise((r) => setTimeout(r, 5))
    const again = await w.ctx.engine.syncRefund(id, { source: 'manual' })
    expect(again.outcome).toBe('consistent')
    expect(getRefundOrder(w.ctx.db, id)).toMatchObject({
      gateway_refund_no: filled.gateway_refund_no,
      updated_at: filled.updated_at,
    })
  })
})
