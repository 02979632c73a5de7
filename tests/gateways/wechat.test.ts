import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WechatAdapter } from '../../src/main/gateways/wechat/adapter'
import {
  aeadDecrypt,
  requestMessage,
  responseMessage,
  rsaSign,
  rsaVerify,
} from '../../src/main/gateways/wechat/sign'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import type { FaultName } from '../../src/main/gateways/simulator/state'
import { wechatProfileSchema, type WechatProfile } from '../../src/shared/profiles'
import { FAST_RETRY, VECTORS_DIR } from '../helpers/world'

const vectors = JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, 'vectors.json'), 'utf8'))
const key = (file: string) => fs.readFileSync(path.join(VECTORS_DIR, file), 'utf8')

describe('WeChat Pay known-answer vectors', () => {
  it('signs a request exactly as the SDK does (wechat_request_sign)', () => {
    const v = vectors.wechat_request_sign
    const message = requestMessage(v.method, v.urlPathAndQuery, v.timestamp, v.nonce, v.body)
    expect(message).toBe(v.expectedMessage)
    expect(rsaSign(message, key(v.privateKey))).toBe(v.expectedSignature)
  })

  it('verifies a response over timestamp, nonce and raw body, and a 204 over an empty body', () => {
    for (const name of ['wechat_response_verify', 'wechat_204_verify']) {
      const v = vectors[name]
      expect(rsaVerify(responseMessage(v.timestamp, v.nonce, v.rawBody), v.signature, key(v.publicKey))).toBe(
        true,
      )
      expect(
        rsaVerify(responseMessage(v.timestamp, v.nonce, v.rawBody + ' '), v.signature, key(v.publicKey)),
      ).toBe(false)
    }
  })

  it('decrypts AEAD_AES_256_GCM with the APIv3 key (wechat_aead_decrypt)', () => {
    const v = vectors.wechat_aead_decrypt
    expect(aeadDecrypt(v.ciphertext, v.apiV3Key, v.nonce, v.associatedData)).toBe(v.expectedPlaintext)
    expect(() => aeadDecrypt(v.ciphertext, v.apiV3Key.replace('0', '1'), v.nonce, v.associatedData)).toThrow()
  })
})

const now = Date.now()
let sim: Simulator
const profiles = new Map<string, WechatProfile>()
const adapter = (name: string) => new WechatAdapter(profiles.get(name)!, FAST_RETRY)
const ref = (
  orderNo: string,
  extra: Partial<{ kind: 'pay' | 'payscore'; gatewayTradeNo: string | null; amount: number }> = {},
) => ({
  orderNo,
  bizOrderNo: orderNo,
  gatewayTradeNo: null,
  amount: 100,
  kind: 'pay' as const,
  createdAt: now,
  paidAt: null,
  ...extra,
})
const fault = (list: FaultName[]) =>
  (sim.state.faults = { ...sim.state.faults, faultRate: list.length ? 1 : 0, faults: list })

beforeAll(async () => {
  sim = await startSimulator({
    scenario: {
      merchants: [
        { name: 'wx', channel: 'wechat' },
        { name: 'wxp', channel: 'wechat', mode: 'partner' },
        { name: 'wxcert', channel: 'wechat', ids: { keyMode: 'certificate' } },
        { name: 'wxmig', channel: 'wechat', ids: { keyMode: 'migrating' } },
        { name: 'wxglobal', channel: 'wechat', mode: 'partner', ids: { region: 'global' } },
      ],
      orders: [],
      refunds: [],
    },
  })
  for (const p of sim.profiles()) profiles.set(String(p.name), wechatProfileSchema.parse(p))
  for (const m of ['wx', 'wxp', 'wxcert', 'wxmig', 'wxglobal']) {
    upsertOrders(sim.state, [
      { merchant: m, orderNo: 'W-PAID', amount: 100, state: 'SUCCESS' },
      { merchant: m, orderNo: 'W-WAIT', amount: 100, state: 'NOTPAY' },
      { merchant: m, orderNo: 'W-USER', amount: 100, state: 'USERPAYING' },
      { merchant: m, orderNo: 'W-CLOSED', amount: 100, state: 'CLOSED' },
      { merchant: m, orderNo: 'W-REVOKED', amount: 100, state: 'REVOKED' },
      { merchant: m, orderNo: 'W-ERR', amount: 100, state: 'PAYERROR' },
      { merchant: m, orderNo: 'W-REF', amount: 100, state: 'REFUND' },
      { merchant: m, orderNo: 'PS-DOING', amount: 300, state: 'DOING/MCH_COMPLETE', kind: 'payscore' },
      {
        merchant: m,
        orderNo: 'PS-DEDUCT',
        amount: 300,
        state: 'DOING/MCH_COMPLETE/DEDUCTING',
        kind: 'payscore',
      },
      { merchant: m, orderNo: 'PS-CREATED', amount: 300, state: 'CREATED', kind: 'payscore' },
      { merchant: m, orderNo: 'PS-DONE', amount: 300, state: 'DONE', kind: 'payscore' },
    ])
    upsertRefunds(sim.state, [
      { merchant: m, orderNo: 'W-REF', refundNo: 'WR-OK', amount: 50, state: 'SUCCESS' },
      { merchant: m, orderNo: 'W-REF', refundNo: 'WR-ING', amount: 50, state: 'PROCESSING' },
      { merchant: m, orderNo: 'W-REF', refundNo: 'WR-CLOSED', amount: 50, state: 'CLOSED' },
      { merchant: m, orderNo: 'W-REF', refundNo: 'WR-ABN', amount: 50, state: 'ABNORMAL' },
    ])
  }
})
afterAll(async () => {
  await sim.close()
})

describe.each(['wx', 'wxp'])('WeChat Pay v3 adapter against the simulator (%s)', (m) => {
  it.each([
    ['W-PAID', 'pay_success'],
    ['W-WAIT', 'pay_progress'],
    ['W-USER', 'pay_progress'],
    ['W-CLOSED', 'pay_closed'],
    ['W-REVOKED', 'pay_closed'],
    ['W-ERR', 'pay_fail'],
    ['W-REF', 'pay_refund'],
    ['W-NONE', 'pay_not_found'],
  ])('query %s -> %s', async (no, status) => {
    fault([])
    const a = await adapter(m).queryPay(ref(no))
    expect(a.status).toBe(status)
    expect(a.rawText).toBeTruthy()
    if (status === 'pay_success') {
      expect(a.amount).toBe(100)
      expect(a.gatewayTradeNo).toMatch(/^\d{28}$/)
      expect(a.paidAt).toBeGreaterThan(0)
      // Once the transaction_id is known, the query goes by it.
      const byId = await adapter(m).queryPay(ref(no, { gatewayTradeNo: a.gatewayTradeNo }))
      expect(byId.status).toBe('pay_success')
    }
  })

  it('close: 204 closes once a query names the order CLOSED, repeats are accepted, ORDER_PAID means paid meanwhile', async () => {
    fault([])
    upsertOrders(sim.state, [{ merchant: m, orderNo: 'W-TOCLOSE', amount: 1, state: 'NOTPAY' }])
    const queries = () => sim.state.stats.requests[m === 'wx' ? 'wechat.query' : 'wechat.partner.query'] ?? 0
    const before = queries()
    const closed = await adapter(m).closePay(ref('W-TOCLOSE'))
    expect(closed).toMatchObject({ result: 'closed', rawText: '', attempts: 2 })
    // The confirming query is kept with the close's own (empty) answer.
    expect(closed.followUps).toHaveLength(1)
    expect(closed.followUps![0]).toContain('"trade_state":"CLOSED"')
    expect(queries()).toBe(before + 1)
    expect(sim.state.getOrder(m, 'W-TOCLOSE')!.state).toBe('CLOSED')
    expect((await adapter(m).closePay(ref('W-TOCLOSE'))).result).toBe('closed')
    expect((await adapter(m).closePay(ref('W-PAID'))).result).toBe('not_closable')
  })

  it('close: an order WeChat Pay does not know cannot be confirmed closed (its 404 names no order)', async () => {
    fault([])
    const a = await adapter(m).closePay(ref('W-NOBODY'))
    expect(a).toMatchObject({ result: 'error', errorCode: 'close_unconfirmed' })
    expect(a.errorMsg).toContain('ORDER_NOT_EXIST')
  })

  it('close: a 204 on a failed payment is confirmed as not closable: the engine asks again', async () => {
    fault([])
    const a = await adapter(m).closePay(ref('W-ERR'))
    expect(a).toMatchObject({ result: 'not_closable', errorCode: 'PAYERROR' })
  })

  it.each([
    ['WR-OK', 'refund_success'],
    ['WR-ING', 'refund_progress'],
    ['WR-CLOSED', 'refund_closed'],
    ['WR-ABN', 'refund_abnormal'],
    ['WR-NONE', 'refund_not_found'],
  ])('refund query %s -> %s', async (no, status) => {
    fault([])
    const a = await adapter(m).queryRefund({
      refundNo: no,
      bizRefundNo: no,
      gatewayRefundNo: null,
      orderNo: 'W-REF',
      gatewayTradeNo: null,
      amount: 50,
      createdAt: now,
    })
    expect(a.status).toBe(status)
    if (status === 'refund_success') expect(a.amount).toBe(50)
  })

  it.each([
    ['system_error', /HTTP_500|SYSTEM_ERROR/],
    ['rate_limit', /FREQUENCY_LIMITED/],
    ['bad_signature', /bad_signature/],
    ['probe_signature', /probe_signature/],
    ['malformed', /malformed/],
    ['clock_skew', /clock_skew/],
    ['reset', /reset/],
  ] as const)('%s is a sync_error, never a state', async (f, code) => {
    fault([f])
    const a = await adapter(m).queryPay(ref('W-PAID'))
    fault([])
    expect(a.status).toBe('sync_error')
    expect(a.errorCode).toMatch(code)
  })
})

describe('WeChat Pay keys', () => {
  it('clock skew is measured and shown', async () => {
    fault(['clock_skew'])
    const ad = adapter('wx')
    const t = await ad.testConnection()
    fault([])
    expect(t.ok).toBe(false)
    expect(t.clockSkewMs).toBeGreaterThanOrEqual(399_000)
    expect(t.message).toMatch(/clock/)
    const ok = await adapter('wx').testConnection()
    expect(ok).toMatchObject({ ok: true, signatureValid: true })
    expect(Math.abs(ok.clockSkewMs!)).toBeLessThan(2_000)
  })

  it('platform-certificate mode downloads, decrypts and caches the certificates, then verifies with them', async () => {
    fault([])
    const ad = adapter('wxcert')
    const before = sim.state.stats.requests['wechat.certificates'] ?? 0
    expect((await ad.queryPay(ref('W-PAID'))).status).toBe('pay_success')
    expect((await ad.queryPay(ref('W-WAIT'))).status).toBe('pay_progress')
    expect(sim.state.stats.requests['wechat.certificates']).toBe(before + 1)
  })

  it('a profile in the middle of the certificate-to-public-key migration verifies both kinds of answer', async () => {
    fault([])
    const profile = profiles.get('wxmig')!
    expect(Object.keys(profile.platformPublicKeys).some((k) => k.startsWith('PUB_KEY_ID_'))).toBe(true)
    expect(Object.keys(profile.platformPublicKeys)).toHaveLength(2)
    const downloads = () => sim.state.stats.requests['wechat.certificates'] ?? 0
    // Answers alternate between the public key and the platform certificate: with both configured,
    // all verify and nothing needs downloading.
    const before = downloads()
    const ad = new WechatAdapter(profile, FAST_RETRY)
    for (let i = 0; i < 4; i++) expect((await ad.queryPay(ref('W-PAID'))).status).toBe('pay_success')
    expect(downloads()).toBe(before)
    // With the public key alone, the certificate-signed half needs the certificate: it is fetched once.
    const onlyPublic = {
      ...profile,
      platformPublicKeys: Object.fromEntries(
        Object.entries(profile.platformPublicKeys).filter(([k]) => k.startsWith('PUB_KEY_ID_')),
      ),
    }
    const ad2 = new WechatAdapter(onlyPublic, FAST_RETRY)
    for (let i = 0; i < 4; i++) expect((await ad2.queryPay(ref('W-PAID'))).status).toBe('pay_success')
    expect(downloads()).toBe(before + 1)
  })

  it('a request signed with a wrong key gets 401 SIGN_ERROR and changes nothing', async () => {
    fault([])
    const wrong = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString()
    const before = sim.state.stats.rejectedSignatures
    const a = await new WechatAdapter({ ...profiles.get('wx')!, privateKey: wrong }, FAST_RETRY).closePay(
      ref('W-WAIT'),
    )
    expect(a.result).toBe('error')
    expect(a.errorCode).toBe('SIGN_ERROR')
    expect(sim.state.stats.rejectedSignatures).toBe(before + 1)
    expect(sim.state.getOrder('wx', 'W-WAIT')!.state).toBe('NOTPAY')
  })
})

describe('WeChat Pay payscore', () => {
  it('queries payscore orders with state and description', async () => {
    fault([])
    const doing = await adapter('wxp').queryPay(ref('PS-DOING', { kind: 'payscore' }))
    expect(doing).toMatchObject({
      status: 'pay_progress',
      payscore: { state: 'DOING', stateDescription: 'MCH_COMPLETE' },
      amount: 300,
    })
    expect((await adapter('wxp').queryPay(ref('PS-DONE', { kind: 'payscore' }))).status).toBe('pay_success')
    expect((await adapter('wxp').queryPay(ref('PS-CREATED', { kind: 'payscore' }))).status).toBe(
      'pay_progress',
    )
    expect((await adapter('wxp').queryPay(ref('PS-NONE', { kind: 'payscore' }))).status).toBe('pay_not_found')
  })

  it('posts Order_Paid: domestic body paid_time yyyyMMddHHmmss, 204 done, ORDER_DONE done, deducting retried later', async () => {
    fault([])
    const paidAt = Date.UTC(2026, 10, 20, 1, 12, 10)
    const first = await adapter('wxp').syncPayscorePaid!(
      ref('PS-DOING', { kind: 'payscore', amount: 300 }),
      paidAt,
    )
    expect(first.result).toBe('done')
    expect(sim.state.getOrder('wxp', 'PS-DOING')!.state).toBe('DONE')
    expect(sim.state.getOrder('wxp', 'PS-DOING')!.paidAt).toBe(paidAt)
    const again = await adapter('wxp').syncPayscorePaid!(
      ref('PS-DOING', { kind: 'payscore', amount: 300 }),
      paidAt,
    )
    expect(again).toMatchObject({ result: 'done', rawStatus: '400 ORDER_DONE' })
    const busy = await adapter('wxp').syncPayscorePaid!(ref('PS-DEDUCT', { kind: 'payscore' }), paidAt)
    expect(busy.result).toBe('retry_later')
    expect(busy.errorMsg).toMatch(/扣款中/)
  })

  it('the global host body carries seq, paid_time in RFC 3339 and paid_amount', async () => {
    fault([])
    const r = await adapter('wxglobal').syncPayscorePaid!(
      ref('PS-DOING', { kind: 'payscore', amount: 300 }),
      Date.UTC(2026, 10, 20, 1, 12, 10),
    )
    expect(r.result).toBe('done')
  })
})
