import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { listSyncRecords } from '../../src/main/store/records'
import { listRepairRecords } from '../../src/main/store/repairs'
import { listAnomalies } from '../../src/main/store/anomalies'
import { createBatchOf, runBatch } from '../../src/main/services/sync'
import { FAULTS } from '../../src/main/gateways/simulator/state'
import { createWorld, type World } from '../helpers/world'

// Faults from the simulator in every mix, on every channel: no trade changes on any of them, every
// attempt is recorded. Then the same trades without faults reach the same end as a clean run.

// Which faults each protocol can show at all, and which of those leave its answer unusable. A shifted
// HTTP Date header is no fault for Alipay and UnionPay, whose answers sign no time: those answers stay
// good, and their trades may be repaired as usual. Only DaxPay's refusals can come unstamped, and the
// simulator leaves the amount out of WeChat's and DaxPay's paid answers only: elsewhere those answers
// are whole. A paid answer without its amount changes no trade but is no error either: it is an
// anomaly for a person (docs/domain.md section 4), checked on its own below.
const ALL = [...FAULTS]
// The statement faults touch only the bill routes (docs/cli.md section 2): every sync answer stays whole.
const BILL = FAULTS.filter((f) => f.startsWith('bill_'))
const CHANNELS = [
  {
    name: 'f-ali',
    channel: 'alipay' as const,
    paid: 'TRADE_SUCCESS',
    wait: 'WAIT_BUYER_PAY',
    harmless: ['clock_skew', 'probe_signature', 'no_amount', 'unstamped', ...BILL],
  },
  {
    name: 'f-wx',
    channel: 'wechat' as const,
    paid: 'SUCCESS',
    wait: 'NOTPAY',
    harmless: ['no_amount', 'unstamped', ...BILL],
  },
  {
    name: 'f-wxsp',
    channel: 'wechat' as const,
    mode: 'partner' as const,
    paid: 'SUCCESS',
    wait: 'NOTPAY',
    harmless: ['no_amount', 'unstamped', ...BILL],
  },
  {
    name: 'f-up',
    channel: 'unionpay' as const,
    paid: '00',
    wait: '03',
    harmless: ['clock_skew', 'probe_signature', 'no_amount', 'unstamped', ...BILL],
  },
  {
    name: 'f-dax',
    channel: 'daxpay' as const,
    paid: 'success',
    wait: 'progress',
    harmless: ['probe_signature', 'no_amount', 'unstamped', ...BILL],
  },
]
void ALL

let w: World
beforeAll(async () => {
  w = await createWorld({
    merchants: CHANNELS.map((c) => ({ name: c.name, channel: c.channel, mode: c.mode })),
  })
})
afterAll(async () => {
  await w.close()
})

describe('fault storms change nothing', () => {
  const mixes: string[][] = [
    ...FAULTS.map((f) => [f]),
    [...FAULTS],
    ['system_error', 'timeout', 'reset'],
    ['bad_signature', 'probe_signature', 'malformed', 'clock_skew'],
    ['rate_limit', 'malformed', 'reset'],
  ]
  mixes.forEach((mix, m) => {
    it(`mix ${m}: ${mix.join(', ')}`, async () => {
      const ids: Array<{
        type: 'pay' | 'refund'
        id: number
        guarded: boolean
        channel: string
        paidAtGateway: boolean
      }> = []
      for (const c of CHANNELS) {
        // Only a channel that meets nothing but real faults in this mix must come out unchanged.
        const guarded = mix.every((f) => !c.harmless.includes(f))
        for (let i = 0; i < 4; i++) {
          const orderNo = `FS${m}x${c.name.replace(/\W/g, '')}${i}${Date.now() % 100000}`
          // DaxPay closes its own expired orders on its side; an order it still has open is not ours to close.
          const expired = i % 2 === 0 && c.channel !== 'daxpay'

          const id = w.payOrder({
            merchant: c.name,
            orderNo,
            amount: 100,
            expiredAt: expired ? Date.now() - 3600_000 : Date.now() + 3600_000,
          })
          w.gatewayOrder({ merchant: c.name, orderNo, amount: 100, state: i < 2 ? c.paid : c.wait })
          ids.push({ type: 'pay', id, guarded, channel: c.channel, paidAtGateway: i < 2 })
        }
        if (c.channel === 'alipay' || c.channel === 'wechat') {
          const orderNo = `FSR${m}${c.name.replace(/\W/g, '')}${Date.now() % 100000}`
          const payId = w.payOrder({ merchant: c.name, orderNo, amount: 100, status: 'success' })
          w.gatewayOrder({ merchant: c.name, orderNo, amount: 100, state: c.paid })
          const refundId = w.refund({
            merchant: c.name,
            payOrderId: payId,
            refundNo: `${orderNo}R`,
            amount: 50,
            createdAt: Date.now() - 3600_000,
          })
          w.gatewayRefund({
            merchant: c.name,
            orderNo,
            refundNo: `${orderNo}R`,
            amount: 50,
            state: c.channel === 'alipay' ? 'REFUND_SUCCESS' : 'SUCCESS',
          })
          ids.push({ type: 'refund', id: refundId, guarded, channel: c.channel, paidAtGateway: false })
        }
      }
      const before = ids.map((r) =>
        r.type === 'pay' ? getPayOrder(w.ctx.db, r.id)! : getRefundOrder(w.ctx.db, r.id)!,
      )
      w.sim.state.faults = {
        latencyMs: 0,
        jitterMs: 0,
        qps: 0,
        faultRate: 1,
        faults: mix as (typeof FAULTS)[number][],
      }
      const closes = w.sim.state.stats.closes
      const batch = createBatchOf(
        w.ctx,
        ids.map(({ type, id }) => ({ type, id })),
        { concurrency: 4, qps: 500 },
      )
      const final = await runBatch(w.ctx, batch)
      w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0 }
      if (ids.every((r) => r.guarded)) {
        expect(final.counts.repaired + final.counts.anomaly).toBe(0)
        expect(w.sim.state.stats.closes).toBe(closes)
      }
      ids.forEach((r, i) => {
        const records = listSyncRecords(w.ctx.db, { type: r.type, tradeId: r.id, limit: 10, offset: 0 })
        expect(records.total, 'every attempt is recorded').toBe(1)
        if (!r.guarded) return
        const now = r.type === 'pay' ? getPayOrder(w.ctx.db, r.id)! : getRefundOrder(w.ctx.db, r.id)!
        expect(now.status, `${r.type} ${r.id}`).toBe(before[i]!.status)
        expect(now.version).toBe(before[i]!.version)
        expect(records.items[0]!.outcome).toBe('error')
        expect(listRepairRecords(w.ctx.db, { type: r.type, tradeId: r.id, limit: 10, offset: 0 }).total).toBe(
          0,
        )
      })
      // Paid answers without their amount change no order. WeChat always sends amount.total, so its
      // answer is malformed (an error); DaxPay's order may truly have none: an amount_unknown anomaly.
      if (mix.length === 1 && mix[0] === 'no_amount') {
        for (const r of ids.filter(
          (x) => x.paidAtGateway && (x.channel === 'wechat' || x.channel === 'daxpay'),
        )) {
          const where = `${r.channel} pay ${r.id}`
          expect(getPayOrder(w.ctx.db, r.id)!.status, where).toBe('progress')
          const found = listAnomalies(w.ctx.db, { type: 'pay', tradeId: r.id, limit: 10, offset: 0 })
          const record = listSyncRecords(w.ctx.db, { type: 'pay', tradeId: r.id, limit: 1, offset: 0 })
            .items[0]!
          if (r.channel === 'wechat') {
            expect(record.outcome, where).toBe('error')
            expect(found.total, where).toBe(0)
          } else {
            expect(
              found.items.map((a) => a.kind),
              where,
            ).toEqual(['amount_unknown'])
          }
          expect(
            listRepairRecords(w.ctx.db, { type: 'pay', tradeId: r.id, limit: 10, offset: 0 }).total,
          ).toBe(0)
        }
      }
      // Without the faults the same batch repairs what a clean run repairs.
      const clean = await runBatch(
        w.ctx,
        createBatchOf(
          w.ctx,
          ids.map(({ type, id }) => ({ type, id })),
          { concurrency: 4, qps: 500 },
        ),
      )
      expect(clean.counts.error).toBe(0)
    }, 120_000)
  })
})
