import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { createWorld, type World } from '../helpers/world'

let w: World
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})

describe('overview', () => {
  it("counts today's syncs into today's bar of the daily chart", async () => {
    const id = w.payOrder({ merchant: 'ali', orderNo: 'OV-1' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'OV-1', amount: 1000, state: 'TRADE_SUCCESS' })
    await w.ctx.engine.syncPay(id, { source: 'manual' })
    await w.ctx.engine.syncPay(id, { source: 'manual' })
    const o = await dispatch(w.ctx, 'overview.get', {})
    expect(o.today.syncs).toBe(2)
    expect(o.today.repairs).toBe(1)
    expect(o.daily).toHaveLength(14)
    expect(o.daily[13]).toMatchObject({ repaired: 1, consistent: 1 })
    expect(o.byChannel).toEqual([
      {
        channel: 'alipay',
        syncs: 2,
        repaired: 1,
        anomalies: 0,
        errors: 0,
        waiting: 0,
        consistent: 1,
        decided: 0,
      },
    ])
  })

  it('keeps the trades the gateway has not settled apart from the consistent ones, by channel', async () => {
    const id = w.payOrder({ merchant: 'ali', orderNo: 'OV-2' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'OV-2', amount: 1000, state: 'WAIT_BUYER_PAY' })
    await w.ctx.engine.syncPay(id, { source: 'manual' })
    const o = await dispatch(w.ctx, 'overview.get', {})
    expect(o.byChannel[0]).toMatchObject({ channel: 'alipay', syncs: 3, waiting: 1, consistent: 1 })
  })
})
