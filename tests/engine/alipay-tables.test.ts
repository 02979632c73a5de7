import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { runDecisionCells, runPayCells, runRefundCells, type ChannelWords } from '../helpers/decision-table'
import { createWorld, type World } from '../helpers/world'

// Both decision tables (docs/domain.md sections 4 and 5) against the simulated Alipay gateway: every
// cell Alipay can produce, through the real engine and store.

const ALIPAY: ChannelWords = {
  merchant: 'ali',
  pay: {
    pay_success: 'TRADE_SUCCESS',
    pay_progress: 'WAIT_BUYER_PAY',
    pay_not_found: null,
    pay_closed: 'TRADE_CLOSED',
    // TRADE_CLOSED with a payment time (send_pay_date): paid, then refunded in full.
    pay_refund: 'TRADE_CLOSED',
    sync_error: 'TRADE_SUCCESS',
  },
  refund: {
    refund_success: 'REFUND_SUCCESS',
    refund_progress: 'REFUND_PROCESSING',
    refund_not_found: null,
    refund_closed: 'REFUND_FAIL',
    sync_error: 'REFUND_SUCCESS',
  },
  close: 'call',
}

describe('decision tables against the simulated Alipay gateway', () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld()
  })
  afterAll(async () => {
    await w.close()
  })

  runPayCells(() => w, ALIPAY, [
    {
      name: 'progress, not expired x pay_not_found: created, never scanned',
      row: 'progress, not expired',
      column: 'pay_not_found',
      word: 'NOT_CREATED',
    },
  ])
  runRefundCells(() => w, ALIPAY)
  runDecisionCells(() => w, ALIPAY)

  it('a refund closed twice (sync after sync) returns its amount exactly once', async () => {
    const now = Date.now()
    const payId = w.payOrder({ merchant: 'ali', orderNo: `TWICE-${now}`, amount: 1000, status: 'success' })
    const refundId = w.refund({
      merchant: 'ali',
      payOrderId: payId,
      refundNo: `TWICE-R-${now}`,
      amount: 300,
      createdAt: now - 3600_000,
    })
    w.gatewayOrder({ merchant: 'ali', orderNo: `TWICE-${now}`, amount: 1000, state: 'TRADE_SUCCESS' })
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(700)
    await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    await w.ctx.engine.syncRefund(refundId, { source: 'manual' })
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(1000)
    expect(getRefundOrder(w.ctx.db, refundId)!.status).toBe('close')
  })
})
