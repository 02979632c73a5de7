import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { getSyncRecord } from '../../src/main/store/records'
import { createWorld, type World } from '../helpers/world'

// A repair's write (engine/sync/write.ts): the trade's bookkeeping goes in the repair's own
// compare-and-set, one update of the row, and the repair rows are written after the sync record,
// naming it from the start. What the row and the repair list say must not change for it.

let w: World
let n = 0
const no = (p: string) => `RW-${p}-${++n}-${Date.now()}`

/** Updates of each trade table on the engine's connection, counted by temporary triggers. */
const updates = () =>
  Object.fromEntries(
    (
      w.ctx.db.prepare('SELECT t, count(*) AS n FROM temp.row_updates GROUP BY t').all() as Array<{
        t: string
        n: number
      }>
    ).map((r) => [r.t, r.n]),
  )
const repairRows = (repairNo: string) =>
  w.ctx.db
    .prepare('SELECT trade_type, sync_record_id FROM repair_records WHERE repair_no = ? ORDER BY id')
    .all(repairNo) as Array<{ trade_type: string; sync_record_id: number | null }>

beforeAll(async () => {
  w = await createWorld()
  w.ctx.db.exec(`CREATE TEMP TABLE row_updates (t TEXT NOT NULL);
    CREATE TEMP TRIGGER count_pay AFTER UPDATE ON main.pay_orders BEGIN INSERT INTO row_updates VALUES ('pay'); END;
    CREATE TEMP TRIGGER count_refund AFTER UPDATE ON main.refund_orders BEGIN INSERT INTO row_updates VALUES ('refund'); END;`)
})
afterAll(async () => {
  await w.close()
})
beforeEach(() => {
  w.ctx.db.exec('DELETE FROM temp.row_updates')
})

describe("a repair's write", () => {
  it('repaired to success: one update of the order, which carries the sync bookkeeping', async () => {
    const orderNo = no('paid')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    // Two failed syncs before: a repair starts the count again.
    w.ctx.db.prepare('UPDATE pay_orders SET sync_error_count = 2 WHERE id = ?').run(id)
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    w.ctx.db.exec('DELETE FROM temp.row_updates')
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(r.outcome).toBe('repaired')
    expect(updates()).toEqual({ pay: 1 })
    const o = getPayOrder(w.ctx.db, id)!
    const rec = getSyncRecord(w.ctx.db, r.recordId)!
    expect(o).toMatchObject({
      status: 'success',
      last_sync_at: rec.created_at,
      last_sync_outcome: 'repaired',
      last_gateway_status: 'pay_success',
      sync_error_count: 0,
      next_sync_at: null,
    })
    // The gateway's number, which the order did not have, filled in that same update.
    expect(o.gateway_trade_no).toBeTruthy()
    expect(rec.gateway_trade_no).toBe(o.gateway_trade_no)
    expect(repairRows(r.repairNo!)).toEqual([{ trade_type: 'pay', sync_record_id: r.recordId }])
  })

  it('a repair that opens an anomaly too: the order says anomaly, still in one update', async () => {
    const orderNo = no('refunded')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    // Closed with a payment time: paid, then refunded in full, with no refund here.
    w.gatewayOrder({
      merchant: 'ali',
      orderNo,
      amount: 1000,
      state: 'TRADE_CLOSED',
      paidAt: Date.now() - 5000,
    })
    const r = await w.ctx.engine.syncPay(id, { source: 'schedule' })
    expect(r.outcome).toBe('anomaly')
    expect(r.repairNo).toBeTruthy()
    expect(updates()).toEqual({ pay: 1 })
    expect(getPayOrder(w.ctx.db, id)).toMatchObject({
      status: 'success',
      last_sync_outcome: 'anomaly',
      last_gateway_status: 'pay_refund',
      sync_error_count: 0,
      next_sync_at: null,
    })
    expect(repairRows(r.repairNo!)).toEqual([{ trade_type: 'pay', sync_record_id: r.recordId }])
  })

  it('a refund closed: one update of the refund; both repair rows name the record', async () => {
    const orderNo = no('pay')
    const payId = w.payOrder({ merchant: 'ali', orderNo, status: 'success' })
    const refundNo = no('refund')
    const refundId = w.refund({ merchant: 'ali', payOrderId: payId, refundNo, amount: 100 })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    w.gatewayRefund({ merchant: 'ali', orderNo, refundNo, amount: 100, state: 'REFUND_FAIL' })
    w.ctx.db.exec('DELETE FROM temp.row_updates')
    const r = await w.ctx.engine.syncRefund(refundId, { source: 'schedule' })
    expect(r.outcome).toBe('repaired')
    // The refund once; its pay order once, for the refundable amount its refunds add up to.
    expect(updates()).toEqual({ refund: 1, pay: 1 })
    const rec = getSyncRecord(w.ctx.db, r.recordId)!
    expect(getRefundOrder(w.ctx.db, refundId)).toMatchObject({
      status: 'close',
      last_sync_at: rec.created_at,
      last_sync_outcome: 'repaired',
      last_gateway_status: 'refund_closed',
      sync_error_count: 0,
      next_sync_at: null,
    })
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(1000)
    expect(repairRows(r.repairNo!)).toEqual([
      { trade_type: 'refund', sync_record_id: r.recordId },
      { trade_type: 'pay', sync_record_id: r.recordId },
    ])
  })

  it('nothing to repair: the bookkeeping is its own update, as before', async () => {
    const orderNo = no('same')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'WAIT_BUYER_PAY' })
    w.ctx.db.exec('DELETE FROM temp.row_updates')
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(r.outcome).toBe('waiting')
    expect(updates()).toEqual({ pay: 1 })
    const o = getPayOrder(w.ctx.db, id)!
    expect(o).toMatchObject({ status: 'progress', last_sync_outcome: 'waiting', sync_error_count: 0 })
    expect(o.next_sync_at).toBeGreaterThan(Date.now())
  })
})
