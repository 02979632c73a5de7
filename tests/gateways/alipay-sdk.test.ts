// The official Alipay Node SDK, unchanged, pointed at the simulator with its response-signature check
// switched on. The SDK formats `timestamp` in the machine's local time, as a Chinese merchant's
// machine would be set: this file runs in Asia/Shanghai (vitest gives each file its own process).
process.env.TZ = 'Asia/Shanghai'

import { AlipaySdk } from 'alipay-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'

describe('official alipay-sdk against the simulator', () => {
  let sim: Simulator
  let sdk: AlipaySdk
  beforeAll(async () => {
    sim = await startSimulator({
      scenario: { merchants: [{ name: 'sdk', channel: 'alipay' }], orders: [], refunds: [] },
    })
    const p = sim.profiles()[0] as {
      endpoint: string
      appId: string
      appPrivateKey: string
      alipayPublicKey: string
    }
    sdk = new AlipaySdk({
      appId: p.appId,
      privateKey: p.appPrivateKey,
      alipayPublicKey: p.alipayPublicKey,
      gateway: p.endpoint,
      keyType: 'PKCS8',
    })
    upsertOrders(sim.state, [
      { merchant: 'sdk', orderNo: 'SDK-1', amount: 8888, state: 'TRADE_SUCCESS' },
      { merchant: 'sdk', orderNo: 'SDK-2', amount: 100, state: 'WAIT_BUYER_PAY' },
    ])
    upsertRefunds(sim.state, [
      { merchant: 'sdk', orderNo: 'SDK-1', refundNo: 'SDK-R1', amount: 888, state: 'REFUND_SUCCESS' },
    ])
  })
  afterAll(async () => {
    await sim.close()
  })

  it('alipay.trade.query verifies and reads the paid order', async () => {
    const r = await sdk.exec(
      'alipay.trade.query',
      { bizContent: { out_trade_no: 'SDK-1' } },
      { validateSign: true },
    )
    expect(r.code).toBe('10000')
    expect(r.tradeStatus).toBe('TRADE_SUCCESS')
    expect(r.totalAmount).toBe('88.88')
    expect(sim.state.stats.rejectedSignatures).toBe(0)
  })

  it('an unknown order answers 40004 ACQ.TRADE_NOT_EXIST, signed', async () => {
    const r = await sdk.exec(
      'alipay.trade.query',
      { bizContent: { out_trade_no: 'SDK-NONE' } },
      { validateSign: true },
    )
    expect(r.code).toBe('40004')
    expect(r.subCode).toBe('ACQ.TRADE_NOT_EXIST')
  })

  it('alipay.trade.close closes a waiting order, and refund query finds the refund', async () => {
    const c = await sdk.exec(
      'alipay.trade.close',
      { bizContent: { out_trade_no: 'SDK-2' } },
      { validateSign: true },
    )
    expect(c.code).toBe('10000')
    expect(sim.state.getOrder('sdk', 'SDK-2')!.state).toBe('TRADE_CLOSED')
    const q = await sdk.exec(
      'alipay.trade.fastpay.refund.query',
      { bizContent: { out_trade_no: 'SDK-1', out_request_no: 'SDK-R1' } },
      { validateSign: true },
    )
    expect(q.refundStatus).toBe('REFUND_SUCCESS')
    expect(q.refundAmount).toBe('8.88')
  })

  it('a request signed with another key is refused with 40002 isv.invalid-signature', async () => {
    const p = sim.profiles()[0] as { endpoint: string; appId: string; alipayPublicKey: string }
    const { generateKeyPairSync } = await import('node:crypto')
    const wrong = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const bad = new AlipaySdk({
      appId: p.appId,
      privateKey: wrong,
      alipayPublicKey: p.alipayPublicKey,
      gateway: p.endpoint,
      keyType: 'PKCS8',
    })
    const r = await bad.exec(
      'alipay.trade.query',
      { bizContent: { out_trade_no: 'SDK-1' } },
      { validateSign: true },
    )
    expect(r.code).toBe('40002')
    expect(r.subCode).toBe('isv.invalid-signature')
    expect(sim.state.stats.rejectedSignatures).toBe(1)
  })

  it('the bill application verifies, and its link serves the zip (docs/reconcile.md A1.1, A14)', async () => {
    const day = new Date(Date.now() - 3 * 86_400_000 + 8 * 3600_000).toISOString().slice(0, 10)
    upsertOrders(sim.state, [
      {
        merchant: 'sdk',
        orderNo: 'SDK-BILL',
        amount: 100,
        state: 'TRADE_SUCCESS',
        paidAt: `${day} 12:00:00`,
      },
    ])
    const r = await sdk.exec(
      'alipay.data.dataservice.bill.downloadurl.query',
      { bizContent: { bill_type: 'trade', bill_date: day } },
      { validateSign: true },
    )
    expect(r.code).toBe('10000')
    const link = new URL(r.billDownloadUrl as string)
    expect(link.searchParams.get('bizDates')).toBe(day.replaceAll('-', ''))
    const zip = Buffer.from(await (await fetch(link)).arrayBuffer())
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004')
    // A day without trades: the live gateway's isp.bill_not_exist, signed.
    const none = await sdk.exec(
      'alipay.data.dataservice.bill.downloadurl.query',
      { bizContent: { bill_type: 'trade', bill_date: '2016-01-01' } },
      { validateSign: true },
    )
    expect(none.subCode).toBe('isp.bill_not_exist')
  })

  it('the SDK rejects an answer signed with the wrong key (bad_signature fault)', async () => {
    sim.state.faults = { ...sim.state.faults, faultRate: 1, faults: ['bad_signature'] }
    await expect(
      sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'SDK-1' } }, { validateSign: true }),
    ).rejects.toThrow()
    sim.state.faults = { ...sim.state.faults, faultRate: 0 }
  })
})
