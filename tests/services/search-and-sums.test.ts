import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { SearchIndexer } from '../../src/main/services/search-indexer'
import { createBatchOf, runBatch } from '../../src/main/services/sync'
import { createWorld, type World } from '../helpers/world'

// Issue 14 item 12: one search box finds a trade by any part of any of its numbers, across the lists;
// item 7: a batch's results sum what was paid, repaired and left as an anomaly.

let w: World
beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})

describe('the one search box', () => {
  it('finds pay orders and refunds by a part of any number, a whole number first', async () => {
    const a = w.payOrder({ merchant: 'ali', orderNo: 'SHOP-20261203-0007', amount: 1250, status: 'success' })
    const b = w.payOrder({ merchant: 'ali', orderNo: 'XSHOP-20261203-0007', amount: 990 })
    const r = w.refund({ merchant: 'ali', payOrderId: a, refundNo: 'RF-SHOP-0007', amount: 250 })
    const found = await dispatch(w.ctx, 'search.trades', { no: 'shop-20261203-00' })
    expect(found.items.map((h) => [h.type, h.id])).toEqual([
      ['pay', b],
      ['pay', a],
    ])
    // A whole number pasted comes first, however old; a refund names its pay order.
    const whole = await dispatch(w.ctx, 'search.trades', { no: 'shop-20261203-0007' })
    expect(whole.items.map((h) => h.id)).toEqual([a, b])
    expect(whole.items[0]).toMatchObject({ type: 'pay', no: 'SHOP-20261203-0007', amount: 1250 })
    const refund = await dispatch(w.ctx, 'search.trades', { no: 'p-0007' })
    expect(refund.items).toEqual([
      expect.objectContaining({ type: 'refund', id: r, orderNo: 'SHOP-20261203-0007', amount: 250 }),
    ])
    expect(refund.more).toBe(false)
    const few = await dispatch(w.ctx, 'search.trades', { no: 'shop', limit: 1 })
    expect(few.items).toHaveLength(1)
    expect(few.more).toBe(true)
  })

  it('the background index catches up with what was imported, and search finds it through the index', async () => {
    for (let i = 0; i < 30; i++) w.payOrder({ merchant: 'ali', orderNo: `IDX-${String(i).padStart(4, '0')}` })
    const marks = () =>
      w.ctx.db.prepare("SELECT upto FROM trade_search_marks WHERE trade_type = 'pay'").get() as {
        upto: number
      }
    const top = (w.ctx.db.prepare('SELECT max(id) AS m FROM pay_orders').get() as { m: number }).m
    expect(marks().upto).toBeLessThan(top)
    const indexer = new SearchIndexer(w.ctx.db)
    indexer.start(0)
    await expect.poll(() => marks().upto, { timeout: 5_000 }).toBe(top)
    indexer.stop()
    const found = await dispatch(w.ctx, 'search.trades', { no: 'idx-002', limit: 50 })
    expect(found.items.map((h) => h.no).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `IDX-002${i}`))
  })
})

describe('totals of the lists and of a batch', () => {
  it('a batch sums the paid, repaired and anomalous amounts of its items', async () => {
    const paid = w.payOrder({ merchant: 'ali', orderNo: 'SUM-PAID', amount: 10_000 })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'SUM-PAID', amount: 10_000, state: 'TRADE_SUCCESS' })
    const same = w.payOrder({ merchant: 'ali', orderNo: 'SUM-SAME', amount: 2_000, status: 'success' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'SUM-SAME', amount: 2_000, state: 'TRADE_SUCCESS' })
    const wrong = w.payOrder({ merchant: 'ali', orderNo: 'SUM-WRONG', amount: 15_000 })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'SUM-WRONG', amount: 1_500, state: 'TRADE_SUCCESS' })
    const waiting = w.payOrder({ merchant: 'ali', orderNo: 'SUM-WAIT', amount: 300 })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'SUM-WAIT', amount: 300, state: 'WAIT_BUYER_PAY' })
    const id = createBatchOf(
      w.ctx,
      [paid, same, wrong, waiting].map((i) => ({ type: 'pay' as const, id: i })),
      { concurrency: 2, qps: 50 },
    )
    await runBatch(w.ctx, id)
    const view = await dispatch(w.ctx, 'batches.get', { id })
    expect(view.amounts).toEqual({
      total: 27_300,
      paid: 10_000 + 2_000 + 15_000,
      refunded: 0,
      repaired: 10_000,
      anomaly: 15_000,
    })
    const problems = await dispatch(w.ctx, 'batches.items', { id, problemsOnly: true })
    expect(problems).toMatchObject({ total: 1, amount: 15_000 })
    expect(problems.items[0]).toMatchObject({ tradeNo: 'SUM-WRONG', amount: 15_000 })
    // The sync records name their trade's amount, and the list sums them.
    const records = await dispatch(w.ctx, 'records.list', { no: 'SUM-WRONG' })
    expect(records.items[0]!.amount).toBe(15_000)
    expect(records.amount).toBe(15_000 * records.total)
  })
})
