import crypto from 'node:crypto'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Wechatpay } from 'wechatpay-axios-plugin'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'

// wechatpay-axios-plugin, unchanged, pointed at the simulator: request signing and its own response
// verification both have to agree with ours.

interface Profile {
  mchid: string
  serialNo: string
  privateKey: string
  platformPublicKeys: Record<string, string>
  subMchid?: string
  payscoreServiceId?: string
}

let sim: Simulator
// The plugin's chain is built from property names at run time; its typings cannot follow every path.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Chain = any
const client = (p: Profile): Chain =>
  new Wechatpay({
    mchid: p.mchid,
    serial: p.serialNo,
    privateKey: p.privateKey,
    certs: p.platformPublicKeys,
    baseURL: `${sim.url}/`,
  })

beforeAll(async () => {
  sim = await startSimulator({
    scenario: {
      merchants: [
        { name: 'direct', channel: 'wechat' },
        { name: 'sp', channel: 'wechat', mode: 'partner' },
      ],
      orders: [],
      refunds: [],
    },
  })
  upsertOrders(sim.state, [
    { merchant: 'direct', orderNo: '1217752501201407033233368018', amount: 1, state: 'SUCCESS' },
    { merchant: 'direct', orderNo: 'WAITING-1', amount: 1, state: 'NOTPAY' },
    { merchant: 'sp', orderNo: 'PS-1', amount: 300, state: 'DOING/MCH_COMPLETE', kind: 'payscore' },
  ])
  upsertRefunds(sim.state, [
    {
      merchant: 'direct',
      orderNo: '1217752501201407033233368018',
      refundNo: 'R-1',
      amount: 1,
      state: 'SUCCESS',
    },
  ])
})
afterAll(async () => {
  await sim.close()
})

const profile = (name: string) => sim.profiles().find((p) => p.name === name) as unknown as Profile

describe('wechatpay-axios-plugin against the simulator', () => {
  it('queries an order by out_trade_no, the answer verified by the plugin', async () => {
    const p = profile('direct')
    const res = await client(p).v3.pay.transactions.outTradeNo._out_trade_no_.get({
      params: { mchid: p.mchid },
      out_trade_no: '1217752501201407033233368018',
    })
    expect(res.status).toBe(200)
    expect(res.data).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 1 } })
    expect(sim.state.stats.rejectedSignatures).toBe(0)
  })

  it('closes an unpaid order: 204, verified over an empty body', async () => {
    const p = profile('direct')
    const res = await client(p).v3.pay.transactions.outTradeNo._out_trade_no_.close.post(
      { mchid: p.mchid },
      { out_trade_no: 'WAITING-1' },
    )
    expect(res.status).toBe(204)
    expect(sim.state.getOrder('direct', 'WAITING-1')!.state).toBe('CLOSED')
  })

  it('queries a refund', async () => {
    const res = await client(profile('direct')).v3.refund.domestic.refunds._out_refund_no_.get({
      out_refund_no: 'R-1',
    })
    expect(res.data).toMatchObject({ status: 'SUCCESS', out_refund_no: 'R-1' })
  })

  it('runs the call of docs/protocols.md section 14 (payscore partner order sync) and gets 204', async () => {
    const p = profile('sp')
    const wxpay = client(p)
    const ok = await wxpay.v3.payscore.partner.serviceorder._out_order_no_.sync
      .post(
        {
          service_id: p.payscoreServiceId,
          sub_mchid: p.subMchid,
          type: 'Order_Paid',
          detail: { seq: 1, paid_time: '2026-11-20T09:12:10+08:00', paid_amount: 300 },
        },
        { out_order_no: 'PS-1' },
      )
      .then(({ status }: { status: number }) => status === 204)
    expect(ok).toBe(true)
    expect(sim.state.getOrder('sp', 'PS-1')!.state).toBe('DONE')
    expect(sim.state.stats.payscoreSyncs).toBe(1)
  })

  it('applies for a bill (verified by the plugin) and downloads it unverified, checking hash_value (A1.2)', async () => {
    const p = profile('direct')
    const day = new Date(Date.now() - 3 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10)
    upsertOrders(sim.state, [
      { merchant: 'direct', orderNo: 'BILL-1', amount: 29, state: 'SUCCESS', paidAt: `${day} 09:00:00` },
    ])
    const wxpay = client(p)
    const apply = await wxpay.v3.bill.tradebill.get({
      params: { bill_date: day, bill_type: 'ALL', tar_type: 'GZIP' },
    })
    expect(apply.data).toMatchObject({ hash_type: 'SHA1' })
    const link = new URL(apply.data.download_url as string)
    // The plugin signs the download as any request; its answer carries no signature to verify, so the
    // verifier is left out for it, as the official SDKs do.
    const file = await wxpay.v3.billdownload.file.get({
      params: { token: link.searchParams.get('token') },
      responseType: 'arraybuffer',
      transformResponse: [(data: unknown) => data],
    })
    const text = zlib.gunzipSync(Buffer.from(file.data as ArrayBuffer))
    expect(crypto.createHash('sha1').update(text).digest('hex')).toBe(apply.data.hash_value)
    expect(text.toString('utf8')).toContain('`BILL-1')
  })

  it('the plugin refuses a badly signed answer, as it must', async () => {
    const p = profile('direct')
    sim.state.faults = { ...sim.state.faults, faultRate: 1, faults: ['bad_signature'] }
    await expect(
      client(p).v3.pay.transactions.outTradeNo._out_trade_no_.get({
        params: { mchid: p.mchid },
        out_trade_no: '1217752501201407033233368018',
      }),
    ).rejects.toThrow()
    sim.state.faults = { ...sim.state.faults, faultRate: 0 }
  })
})
