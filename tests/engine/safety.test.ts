import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SyncEngine, BUSY_CODE, BUSY_MESSAGE } from '../../src/main/engine/sync'
import { openStore } from '../../src/main/store/connection'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { getSyncRecord, listSyncRecords } from '../../src/main/store/records'
import { listRepairRecords } from '../../src/main/store/repairs'
import { listAnomalies } from '../../src/main/store/anomalies'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { writeSettings } from '../../src/main/store/settings'
import { ServiceContext } from '../../src/main/services/context'
import type { FaultName } from '../../src/main/gateways/simulator/state'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// docs/domain.md section 6 (safety rules) and section 9 (what DaxPay gets wrong, which must not happen here).

let w: World
let n = 0
const no = (p: string) => `${p}-${++n}-${Date.now()}`
const faults = (list: FaultName[], rate = 1, extra: Partial<World['sim']['state']['faults']> = {}) => {
  w.sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: rate, faults: list, ...extra }
}
const leases = () => (w.ctx.db.prepare('SELECT count(*) AS n FROM trade_leases').get() as { n: number }).n
const repairsOf = (id: number) =>
  listRepairRecords(w.ctx.db, { type: 'pay', tradeId: id, limit: 50, offset: 0 }).items

beforeAll(async () => {
  w = await createWorld()
})
afterAll(async () => {
  await w.close()
})
beforeEach(() => faults([], 0))

describe('errors never change a trade (6.4, 6.5)', () => {
  const cases: FaultName[] = ['system_error', 'rate_limit', 'timeout', 'reset', 'bad_signature', 'malformed']
  for (const fault of cases) {
    it(`${fault}: the expired order stays progress, nothing is closed, the attempt is recorded with the error`, async () => {
      const orderNo = no(fault)
      const id = w.payOrder({
        merchant: 'ali',
        orderNo,
        status: 'progress',
        expiredAt: Date.now() - 60_000,
        gatewayTradeNo: 'GW-KNOWN-1',
      })
      w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'WAIT_BUYER_PAY' })
      faults([fault])
      const closes = w.sim.state.stats.closes
      const before = getPayOrder(w.ctx.db, id)!
      const r = await w.ctx.engine.syncPay(id, { source: 'schedule' })
      const after = getPayOrder(w.ctx.db, id)!
      expect(r.outcome).toBe('error')
      expect(after.status).toBe('progress')
      expect(after.version).toBe(before.version)
      expect(after.gateway_trade_no).toBe('GW-KNOWN-1')
      expect(after.sync_error_count).toBe(before.sync_error_count + 1)
      expect(w.sim.state.stats.closes).toBe(closes)
      const rec = getSyncRecord(w.ctx.db, r.recordId)!
      expect(rec.gateway_status).toBe('sync_error')
      expect(rec.error_code).toBeTruthy()
      expect(rec.error_msg).toBeTruthy()
      expect(repairsOf(id)).toHaveLength(0)
      expect(leases()).toBe(0)
    }, 15_000)
  }

  it('a malformed or badly signed answer keeps the text as received in the record', async () => {
    const orderNo = no('raw')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    faults(['bad_signature'])
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    const rec = getSyncRecord(w.ctx.db, r.recordId)!
    expect(rec.error_code).toBe('bad_signature')
    expect(rec.sync_info).toContain('"trade_status":"TRADE_SUCCESS"')
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
  })

  it('after N errors in a row the engine opens sync_keeps_failing once and the schedule backs off to daily', async () => {
    const dir = w.dir
    const ctx = new ServiceContext({ dbFile: `${dir}/threshold.db`, retry: FAST_RETRY })
    writeSettings(ctx.db, { errorThreshold: 3 })
    await ctx.close()
    const ctx2 = new ServiceContext({ dbFile: `${dir}/threshold.db`, retry: FAST_RETRY })
    try {
      const { addMerchant } = await import('../../src/main/services/merchants')
      const m = await addMerchant(ctx2, w.sim.profiles()[0])
      const { insertPayOrder } = await import('../../src/main/store/orders')
      const id = insertPayOrder(ctx2.db, {
        orderNo: no('fail'),
        bizOrderNo: 'b',
        gatewayTradeNo: null,
        merchantId: m.id,
        channel: 'alipay',
        kind: 'pay',
        title: '',
        amount: 1,
        status: 'progress',
        createdAt: Date.now(),
        expiredAt: null,
        paidAt: null,
        importId: null,
      })
      faults(['system_error'])
      for (let i = 0; i < 5; i++) await ctx2.engine.syncPay(id, { source: 'schedule' })
      const anomalies = listAnomalies(ctx2.db, { tradeId: id, type: 'pay', limit: 10, offset: 0 }).items
      expect(anomalies.map((a) => a.kind)).toEqual(['sync_keeps_failing'])
      const order = getPayOrder(ctx2.db, id)!
      expect(order.status).toBe('progress')
      expect(order.sync_error_count).toBe(5)
      expect(order.next_sync_at! - order.last_sync_at!).toBe(86_400_000)
    } finally {
      await ctx2.close()
    }
  })
})

describe('one worker per trade (6.3)', () => {
  it('a second sync of the same trade gets 10007 and changes nothing; one repair only', async () => {
    const orderNo = no('lease')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    // The first sync holds the lease while the gateway holds its answer; the second comes meanwhile.
    const hold = w.sim.state.hold(orderNo)
    const first = w.ctx.engine.syncPay(id, { source: 'manual' })
    await hold.reached
    const skipped = await w.ctx.engine.syncPay(id, { source: 'manual' })
    hold.release()
    expect((await first).outcome).toBe('repaired')
    expect(skipped.outcome).toBe('skipped')
    expect(skipped.errorCode).toBe(BUSY_CODE)
    expect(skipped.errorMsg).toBe(BUSY_MESSAGE)
    expect(getSyncRecord(w.ctx.db, skipped.recordId)!.outcome).toBe('skipped')
    expect(repairsOf(id)).toHaveLength(1)
    expect(leases()).toBe(0)
  })

  it('the lease holds across connections (another process): the second owner is refused while it lives', async () => {
    const orderNo = no('xproc')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    const otherDb = openStore(w.dbFile)
    const other = new SyncEngine(otherDb, (mid) => w.ctx.adapterFor(mid), { owner: 'other-process' })
    try {
      const hold = w.sim.state.hold(orderNo)
      const first = w.ctx.engine.syncPay(id, { source: 'manual' })
      await hold.reached
      const second = await other.syncPay(id, { source: 'schedule' })
      hold.release()
      expect((await first).outcome).toBe('repaired')
      expect(second.outcome).toBe('skipped')
      expect(repairsOf(id)).toHaveLength(1)
    } finally {
      otherDb.close()
    }
  })

  it('a lease left by a dead worker expires and the trade can be synced again', async () => {
    const orderNo = no('dead')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    w.ctx.db
      .prepare('INSERT INTO trade_leases VALUES (?, ?, ?)')
      .run(`pay:${id}`, 'dead-process', Date.now() - 1)
    const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(r.outcome).toBe('repaired')
    expect(leases()).toBe(0)
  })
})

describe('compare-and-set (6.2)', () => {
  it('an order changed by someone else between the query and the repair is not repaired; the attempt says so', async () => {
    const orderNo = no('cas')
    const id = w.payOrder({ merchant: 'ali', orderNo })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    const hold = w.sim.state.hold(orderNo)
    const pending = w.ctx.engine.syncPay(id, { source: 'manual' })
    await hold.reached
    // A person (another program) closes the order while the gateway is being asked.
    w.ctx.db.prepare("UPDATE pay_orders SET status = 'close', version = version + 1 WHERE id = ?").run(id)
    hold.release()
    const r = await pending
    expect(r.outcome).toBe('skipped')
    expect(r.errorCode).toBe('conflict')
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('close')
    expect(repairsOf(id)).toHaveLength(0)
    expect(getSyncRecord(w.ctx.db, r.recordId)!.repair_no).toBeNull()
  })
})

describe('closing at the gateway', () => {
  it('an order the buyer pays while we close it is repaired to success, not closed', async () => {
    const orderNo = no('paid-meanwhile')
    const id = w.payOrder({ merchant: 'ali', orderNo, expiredAt: Date.now() - 60_000 })
    w.sim.state.putOrder({
      merchant: 'ali',
      orderNo,
      amount: 1000,
      state: 'WAIT_BUYER_PAY',
      paidAt: null,
      gatewayTradeNo: 'GW-PAID-1',
      kind: 'pay',
      createdAt: Date.now(),
      then: { afterQueries: 1, state: 'TRADE_SUCCESS' },
    })
    const closes = w.sim.state.stats.closes
    const r = await w.ctx.engine.syncPay(id, { source: 'timeout' })
    expect(r.outcome).toBe('repaired')
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('success')
    expect(repairsOf(id).map((x) => x.way)).toEqual(['pay_success'])
    expect(w.sim.state.stats.closes).toBe(closes)
    const rec = getSyncRecord(w.ctx.db, r.recordId)!
    expect(rec.action_info).toContain('ACQ.TRADE_STATUS_ERROR')
  })
})

describe('what DaxPay gets wrong must not happen here (section 9)', () => {
  it('an order is not closed on a gateway system error', async () => {
    const orderNo = no('d1')
    const id = w.payOrder({ merchant: 'ali', orderNo, expiredAt: Date.now() - 3600_000 })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'WAIT_BUYER_PAY' })
    faults(['system_error'])
    await w.ctx.engine.syncPay(id, { source: 'timeout' })
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
  })

  it('a paid order is not closed on a later not-found answer', async () => {
    const orderNo = no('d2')
    const id = w.payOrder({ merchant: 'ali', orderNo, status: 'success', expiredAt: Date.now() - 3600_000 })
    const r = await w.ctx.engine.syncPay(id, { source: 'schedule' })
    expect(r.outcome).toBe('anomaly')
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('success')
  })

  it('orders are not marked failed because a query failed or a lock was busy', async () => {
    const orderNo = no('d3')
    const id = w.payOrder({ merchant: 'ali', orderNo, expiredAt: Date.now() - 60_000 })
    faults(['reset'])
    await w.ctx.engine.syncPay(id, { source: 'timeout' })
    w.ctx.db
      .prepare('INSERT INTO trade_leases VALUES (?, ?, ?)')
      .run(`pay:${id}`, 'someone-else', Date.now() + 60_000)
    const busy = await w.ctx.engine.syncPay(id, { source: 'timeout' })
    expect(busy.outcome).toBe('skipped')
    w.ctx.db.prepare('DELETE FROM trade_leases').run()
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
  })

  it('a failed refund is repaired (closed), not treated as a query error forever', async () => {
    const orderNo = no('d4')
    const payId = w.payOrder({ merchant: 'ali', orderNo, status: 'success' })
    const refundNo = no('d4r')
    const refundId = w.refund({ merchant: 'ali', payOrderId: payId, refundNo, amount: 100 })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    w.gatewayRefund({ merchant: 'ali', orderNo, refundNo, amount: 100, state: 'REFUND_FAIL' })
    const r = await w.ctx.engine.syncRefund(refundId, { source: 'schedule' })
    expect(r.outcome).toBe('repaired')
    expect(getRefundOrder(w.ctx.db, refundId)!.status).toBe('close')
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(1000)
  })

  it('a refundable balance is not restored twice when a closed refund is synced again', async () => {
    const orderNo = no('d5')
    const payId = w.payOrder({ merchant: 'ali', orderNo, status: 'success' })
    const refundId = w.refund({
      merchant: 'ali',
      payOrderId: payId,
      refundNo: no('d5r'),
      amount: 100,
      status: 'close',
    })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    for (let i = 0; i < 3; i++) await w.ctx.engine.syncRefund(refundId, { source: 'schedule' })
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(1000)
  })

  it('a known gateway trade number is never overwritten with null', async () => {
    const orderNo = no('d6')
    const id = w.payOrder({ merchant: 'ali', orderNo, gatewayTradeNo: '2026112022001400000000000001' })
    await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(getPayOrder(w.ctx.db, id)!.gateway_trade_no).toBe('2026112022001400000000000001')
  })

  it('a gateway trade number the order did not have is filled in', async () => {
    const orderNo = no('d6b')
    const id = w.payOrder({ merchant: 'ali', orderNo, status: 'success' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(getPayOrder(w.ctx.db, id)!.gateway_trade_no).toMatch(/^\d{28}$/)
  })

  it('the lease is released after every attempt, also when the attempt fails inside', async () => {
    const id = w.payOrder({ merchant: 'ali', orderNo: no('d7') })
    w.ctx.db.prepare('UPDATE merchants SET enabled = 0').run()
    w.ctx.forgetAdapter(w.merchantId('ali'))
    try {
      const r = await w.ctx.engine.syncPay(id, { source: 'manual' })
      expect(r.outcome).toBe('error')
      expect(r.errorCode).toBe('merchant_config')
    } finally {
      w.ctx.db.prepare('UPDATE merchants SET enabled = 1').run()
    }
    expect(leases()).toBe(0)
  })

  it('the schedules are switched on by default', () => {
    expect(DEFAULT_SETTINGS.schedulesEnabled).toBe(true)
    expect(w.ctx.settings().schedulesEnabled).toBe(true)
  })
})

describe('every attempt is recorded (6.1)', () => {
  it('one record per attempt, whatever the outcome', async () => {
    const id = w.payOrder({ merchant: 'ali', orderNo: no('count') })
    const before = listSyncRecords(w.ctx.db, { tradeId: id, limit: 100, offset: 0 }).total
    faults(['system_error'], 0.5)
    for (let i = 0; i < 6; i++) await w.ctx.engine.syncPay(id, { source: 'manual' })
    expect(listSyncRecords(w.ctx.db, { tradeId: id, limit: 100, offset: 0 }).total).toBe(before + 6)
  })
})
