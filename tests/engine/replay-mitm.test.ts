import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SyncEngine } from '../../src/main/engine/sync'
import { createAdapter } from '../../src/main/gateways/registry'
import type { GatewayAdapter } from '../../src/main/gateways/types'
import { getPayOrder } from '../../src/main/store/orders'
import { getSyncRecord } from '../../src/main/store/records'
import { listRepairRecords } from '../../src/main/store/repairs'
import { profileSchema } from '../../src/shared/profiles'
import { startMitm, type Mitm, type Seen } from '../helpers/mitm'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// Finding M1 of the security review (issue 13), reproduced as the review did: a man-in-the-middle on
// loopback between the app's adapters and the gateway, which keeps genuine signed answers and sends
// them again as the answers about other orders. The review turned an unpaid DaxPay 3.x order into
// success and closed a paid WeChat order that way. Each attack must now end as an error (or as what
// the gateway really says) and change nothing it should not: docs/domain.md 6.4 and section 4 notes
// 1 and 2.

const BY = { source: 'manual' as const, operator: 'tester' }
const names =
  (...nos: string[]) =>
  (req: Seen) =>
    nos.some((no) => req.body.includes(no) || req.path.includes(no))

let w: World
let mitm: Mitm
/** The app's adapters, one per merchant (as the app keeps them), talking through the intermediary. */
let adapters: Map<number, GatewayAdapter>
/** Another process on the same merchant (a cron run): its answers the app's adapters never saw. */
let other: (merchant: string) => GatewayAdapter
let engine: SyncEngine

beforeAll(async () => {
  w = await createWorld({
    merchants: [
      { name: 'dax3', channel: 'daxpay', ids: { version: '3', signType: 'hmac_sha256' } },
      { name: 'wx', channel: 'wechat' },
    ],
  })
  mitm = await startMitm(w.sim.url)
  const profile = (name: string) => {
    const p = w.sim.profiles().find((x) => x.name === name)!
    return profileSchema.parse({ ...p, endpoint: String(p.endpoint).replace(w.sim.url, mitm.url) })
  }
  adapters = new Map(
    ['dax3', 'wx'].map((m) => [w.merchantId(m), createAdapter(profile(m), FAST_RETRY)] as const),
  )
  other = (m) => createAdapter(profile(m), FAST_RETRY)
  engine = new SyncEngine(w.ctx.db, (id) => Promise.resolve(adapters.get(id)!), { owner: 'mitm-test' })
})

afterAll(async () => {
  await mitm.close()
  await w.close()
})

function record(id: number) {
  return getSyncRecord(w.ctx.db, id)!
}

describe('DaxPay 3.x: a paid answer of one order sent as the answer about an unpaid one', () => {
  it('an answer the app already received is refused as replayed; the order stays unpaid', async () => {
    const now = Date.now()
    const paid = w.payOrder({ merchant: 'dax3', orderNo: 'D3001', amount: 500 })
    const unpaid = w.payOrder({ merchant: 'dax3', orderNo: 'D3002', amount: 500 })
    w.gatewayOrder({ merchant: 'dax3', orderNo: 'D3001', amount: 500, state: 'success', paidAt: now - 1000 })
    w.gatewayOrder({ merchant: 'dax3', orderNo: 'D3002', amount: 500, state: 'progress' })
    expect((await engine.syncPay(paid, BY)).outcome).toBe('repaired')
    const saved = mitm.last((r) => r.path === '/unipay/sync/pay' && names('D3001')(r))

    mitm.rule((r) => (r.path === '/unipay/sync/pay' && names('D3002')(r) ? saved : null))
    const r = await engine.syncPay(unpaid, BY)
    mitm.rule(null)
    expect(r).toMatchObject({ outcome: 'error', errorCode: 'replayed', repairNo: null })
    expect(getPayOrder(w.ctx.db, unpaid)!.status).toBe('progress')
    expect(record(r.recordId).sync_info).toBe(saved.body.toString('utf8'))
  })

  it('a paid answer the app never saw (another process asked) is no repair: DaxPay’s own order is asked', async () => {
    const now = Date.now()
    const unpaid = w.payOrder({ merchant: 'dax3', orderNo: 'D3012', amount: 500 })
    w.gatewayOrder({ merchant: 'dax3', orderNo: 'D3011', amount: 500, state: 'success', paidAt: now - 1000 })
    w.gatewayOrder({ merchant: 'dax3', orderNo: 'D3012', amount: 500, state: 'progress' })
    const ref = {
      orderNo: 'D3011',
      bizOrderNo: 'D3011',
      gatewayTradeNo: null,
      amount: 500,
      kind: 'pay' as const,
      createdAt: now,
      paidAt: null,
    }
    const isSync = (r: Seen) => r.path === '/unipay/sync/pay' && names('D3011')(r)
    const isOrder = (r: Seen) => r.path === '/unipay/query/payOrder' && names('D3011')(r)

    // Another process (a cron run on the same merchant) syncs D3011: the intermediary keeps the
    // answers, which the app's adapter has never seen. Only the sync is forged for D3012: DaxPay's
    // own order of D3012 says it is not paid.
    expect((await other('dax3').queryPay(ref)).status).toBe('pay_success')
    const sync = mitm.last(isSync)
    mitm.rule((r) => (r.path === '/unipay/sync/pay' && names('D3012')(r) ? sync : null))
    const a = await engine.syncPay(unpaid, BY)
    expect(a).toMatchObject({ outcome: 'error', errorCode: 'inconsistent', repairNo: null })
    expect(record(a.recordId).action_info).toContain('"status":"progress"')

    // The order query forged as well, with D3011's: it names another order.
    expect((await other('dax3').queryPay(ref)).status).toBe('pay_success')
    const sync2 = mitm.last(isSync)
    const order = mitm.last(isOrder)
    mitm.rule((r) =>
      !names('D3012')(r)
        ? null
        : r.path === '/unipay/sync/pay'
          ? sync2
          : r.path === '/unipay/query/payOrder'
            ? order
            : null,
    )
    const b = await engine.syncPay(unpaid, BY)
    mitm.rule(null)
    expect(b).toMatchObject({ outcome: 'error', errorCode: 'mismatch', repairNo: null })
    expect(getPayOrder(w.ctx.db, unpaid)!.status).toBe('progress')
    expect(listRepairRecords(w.ctx.db, { type: 'pay', tradeId: unpaid, limit: 5, offset: 0 }).total).toBe(0)
  })

  it('a close answered with another order’s genuine "closed" is no close: the sync after it says open', async () => {
    const now = Date.now()
    const expired = w.payOrder({ merchant: 'dax3', orderNo: 'D3021', amount: 500, expiredAt: now - 60_000 })
    w.gatewayOrder({ merchant: 'dax3', orderNo: 'D3021', amount: 500, state: 'progress' })
    w.gatewayOrder({ merchant: 'dax3', orderNo: 'D3022', amount: 500, state: 'progress' })
    // Another process closes D3022; the intermediary keeps DaxPay's "0 success" to the close.
    await other('dax3').closePay({
      orderNo: 'D3022',
      bizOrderNo: 'D3022',
      gatewayTradeNo: null,
      amount: 500,
      kind: 'pay',
      createdAt: now,
      paidAt: null,
    })
    const closed = mitm.last((r) => r.path === '/unipay/close' && names('D3022')(r))
    expect(closed.body.toString('utf8')).toContain('"code":0')
    // D3021's close is never sent on: DaxPay still has it open.
    mitm.rule((r) => (r.path === '/unipay/close' && names('D3021')(r) ? closed : null))
    const r = await engine.syncPay(expired, BY)
    mitm.rule(null)
    expect(r).toMatchObject({ outcome: 'error', errorCode: 'still_open', repairNo: null })
    expect(getPayOrder(w.ctx.db, expired)!.status).toBe('progress')
    expect(w.sim.state.getOrder('dax3', 'D3021')!.state).toBe('progress')
  })

  it('a signed "not found" without its time (as DaxPay 3.0.0 signs it) closes nothing', async () => {
    const expired = w.payOrder({
      merchant: 'dax3',
      orderNo: 'D3031',
      amount: 500,
      expiredAt: Date.now() - 60_000,
    })
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 1, faults: ['unstamped'] }
    const r = await engine.syncPay(expired, BY)
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0, faults: [] }
    expect(r).toMatchObject({ outcome: 'error', errorCode: 'stale_answer' })
    expect(getPayOrder(w.ctx.db, expired)!.status).toBe('progress')
  })
})

describe('WeChat Pay: a paid order, expired here, answered with other orders’ signed 404 and 204', () => {
  it('the 404 of the connection test sent again is refused as replayed; nothing is closed', async () => {
    const now = Date.now()
    const id = w.payOrder({ merchant: 'wx', orderNo: 'W2003', amount: 800, expiredAt: now - 60_000 })
    w.gatewayOrder({ merchant: 'wx', orderNo: 'W2003', amount: 800, state: 'SUCCESS', paidAt: now - 120_000 })
    const test = await adapters.get(w.merchantId('wx'))!.testConnection()
    expect(test.ok).toBe(true)
    const probe = mitm.last((r) => r.path.includes('PAYSYNCPING'))
    expect(probe.status).toBe(404)

    mitm.rule((r) => (names('W2003')(r) && r.method === 'GET' ? probe : null))
    const r = await engine.syncPay(id, BY)
    mitm.rule(null)
    expect(r).toMatchObject({ outcome: 'error', errorCode: 'replayed', repairNo: null })
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
    expect(w.sim.state.getOrder('wx', 'W2003')!.state).toBe('SUCCESS')
  })

  it('never-seen 404 and 204 (withheld from another process) lead to a close the query does not bear out', async () => {
    const now = Date.now()
    const id = w.payOrder({ merchant: 'wx', orderNo: 'W2013', amount: 800, expiredAt: now - 60_000 })
    w.gatewayOrder({ merchant: 'wx', orderNo: 'W2013', amount: 800, state: 'SUCCESS', paidAt: now - 120_000 })
    w.gatewayOrder({ merchant: 'wx', orderNo: 'W2014', amount: 800, state: 'NOTPAY' })
    // Another process's probe and its close of W2014, kept by the intermediary.
    mitm.rule((r) => (r.path.includes('PAYSYNCPING') || names('W2014')(r) ? 'withhold' : null))
    const cron = other('wx')
    await cron.testConnection()
    await cron.closePay({
      orderNo: 'W2014',
      bizOrderNo: 'W2014',
      gatewayTradeNo: null,
      amount: 800,
      kind: 'pay',
      createdAt: now,
      paidAt: null,
    })
    const notFound = mitm.last((r) => r.path.includes('PAYSYNCPING'))
    const noContent = mitm.last((r) => r.method === 'POST' && names('W2014')(r))
    expect([notFound.status, noContent.status]).toEqual([404, 204])

    // W2013's first query answered "not found", its close "204": only the query confirming the close
    // reaches WeChat, which names W2013 as SUCCESS.
    let queries = 0
    mitm.rule((r) => {
      if (!names('W2013')(r)) return null
      if (r.method === 'POST') return noContent
      return queries++ === 0 ? notFound : null
    })
    const r = await engine.syncPay(id, BY)
    mitm.rule(null)
    expect(r).toMatchObject({ outcome: 'repaired', gatewayStatus: 'pay_success' })
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('success')
    const rec = record(r.recordId)
    expect(rec.action_info).toContain('"trade_state":"SUCCESS"')
  })
})

describe('finding M4: an answer that does not end', () => {
  it('is cut at the cap and recorded as too_large, with nothing of it kept', async () => {
    const id = w.payOrder({ merchant: 'dax3', orderNo: 'D3041', amount: 500 })
    w.gatewayOrder({ merchant: 'dax3', orderNo: 'D3041', amount: 500, state: 'success' })
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 1, faults: ['oversized'] }
    const started = performance.now()
    // Straight to the simulator, which streams the answer for as long as it is read.
    const r = await w.ctx.engine.syncPay(id, BY)
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0, faults: [] }
    expect(r).toMatchObject({ outcome: 'error', errorCode: 'too_large' })
    // One request, not retried: the same gateway would send the same again.
    expect(performance.now() - started).toBeLessThan(5_000)
    const rec = record(r.recordId)
    expect(rec.sync_info).toBeNull()
    expect(rec.error_msg).toContain('262144')
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
  })
})
