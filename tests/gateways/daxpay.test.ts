import crypto from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DaxpayAdapter } from '../../src/main/gateways/daxpay/adapter'
import {
  answerSignature,
  Bean,
  linkString,
  signFields,
  signString,
  verifyFields,
} from '../../src/main/gateways/daxpay/sign'
import type { RetryPolicy } from '../../src/main/gateways/http'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import { daxpayHandler } from '../../src/main/gateways/simulator/daxpay/handler'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import type { FaultName } from '../../src/main/gateways/simulator/state'
import type { PayTradeRef, RefundTradeRef } from '../../src/main/gateways/types'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { listRepairRecords } from '../../src/main/store/repairs'
import { daxpayProfileSchema } from '../../src/shared/profiles'
import { formatBeijing } from '../../src/shared/time'
import { runDecisionCells, runPayCells, runRefundCells, type ChannelWords } from '../helpers/decision-table'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// DaxPay as the upstream gateway (docs/domain.md section 8), against the simulated DaxPay server on a
// loopback port: the signatures of docs/domain.md A.5, every normalised answer of
// both generations, and the decision tables with the real engine over a real store.

const hmac = (key: string, text: string) =>
  crypto.createHmac('sha256', key).update(text, 'utf8').digest('hex')
const md5 = (text: string) => crypto.createHash('md5').update(text, 'utf8').digest('hex')

describe('known answers', () => {
  // Seed document 003: a 2.x refund sync request signed with HMAC_SHA256 and the demo secret "123456".
  const request = { refundNo: 'DEVR24051020531763000004', clientIp: '127.0.0.1', reqTime: 1715575932 }
  const seedAnswer =
    '{"msg":"success","code":0,"data":{"status":"pay_not_found","code":0,"resTime":1715576198,' +
    '"sign":"913e925dcda0f68787b8ade8c0c34064a0b71cd008ba3377b42333c0da0c9df9"},"traceId":"sIV4zJVhZ4Uz"}'

  it('the request of seed 003 (docs/protocols.md 13) signs to its documented value by the 2.x rule', () => {
    expect(signString(request, '123456', '2')).toBe(
      'clientIp=127.0.0.1&refundNo=DEVR24051020531763000004&reqTime=1715575932&key=123456',
    )
    expect(signFields(request, '123456', 'hmac_sha256', '2')).toBe(
      'a375e5517062966dab81b84fec9586a4f88e38f1385f6350ce200a27d32190d7',
    )
    expect(
      verifyFields(
        request,
        'a375e5517062966dab81b84fec9586a4f88e38f1385f6350ce200a27d32190d7',
        '123456',
        'hmac_sha256',
        '2',
      ),
    ).toBe(true)
  })

  it('the 3.x rule (upper-cased) does not give the seed value: seed 003 is a 2.x document', () => {
    expect(signFields(request, '123456', 'hmac_sha256', '3')).not.toBe(
      'a375e5517062966dab81b84fec9586a4f88e38f1385f6350ce200a27d32190d7',
    )
  })

  it('the answer of seed 003 verifies: the signature sits inside data, over its fields but sign', () => {
    const body = JSON.parse(seedAnswer) as Record<string, unknown>
    const signed = answerSignature(body, '2')!
    expect(signString(signed.fields, '123456', '2')).toBe(
      'code=0&resTime=1715576198&status=pay_not_found&key=123456',
    )
    expect(verifyFields(signed.fields, signed.sign, '123456', 'hmac_sha256', '2')).toBe(true)
    const tampered = answerSignature(
      JSON.parse(seedAnswer.replace('pay_not_found', 'refund_success')) as Record<string, unknown>,
      '2',
    )!
    expect(verifyFields(tampered.fields, tampered.sign, '123456', 'hmac_sha256', '2')).toBe(false)
  })

  it('3.x upper-cases the whole string, secret included, and hashes it with the secret as given', () => {
    const fields = {
      mchNo: 'M1700000001',
      appId: 'A112544225541',
      bizOrderNo: 'P0001',
      clientIp: '127.0.0.1',
      nonceStr: 'd112892e382a7093',
      reqTime: '2024-10-24 12:00:00',
    }
    const text =
      'APPID=A112544225541&BIZORDERNO=P0001&CLIENTIP=127.0.0.1&MCHNO=M1700000001&NONCESTR=D112892E382A7093' +
      '&REQTIME=2024-10-24 12:00:00&KEY=SECRET-AB'
    expect(signString(fields, 'secret-ab', '3')).toBe(text)
    expect(signFields(fields, 'secret-ab', 'hmac_sha256', '3')).toBe(hmac('secret-ab', text))
    expect(signFields(fields, 'secret-ab', 'md5', '3')).toBe(md5(text))
    expect(signFields(fields, 'secret-ab', 'md5', '2')).toBe(
      md5(
        'appId=A112544225541&bizOrderNo=P0001&clientIp=127.0.0.1&mchNo=M1700000001&nonceStr=d112892e382a7093' +
          '&reqTime=2024-10-24 12:00:00&key=secret-ab',
      ),
    )
  })

  it('renders values as PaySignUtil does: maps sorted case-insensitively at the first level only', () => {
    expect(
      linkString({
        b: 1,
        A: 'x',
        Zeta: { b: 1, A: 'q"\\', c: null, deep: { z: 1, a: 2 } },
        list: [{ b: 1, a: 2 }, null],
        empty: [],
        gone: null,
        flag: false,
        sign: 'never signed',
      }),
    ).toBe('A=x&Zeta={A:q,b:1,deep:{z:1,a:2}}&b=1&flag=false&list=[{a:2,b:1}]')
  })

  it('keys that differ only in case collapse into the first spelling, as in a case-insensitive TreeMap', () => {
    expect(linkString({ Key: 'first', key: 'second', SIGN: 'dropped' })).toBe('Key=second')
  })

  it('a 3.x answer is signed with data in the body key order, not re-sorted', () => {
    const wrapper = (data: Record<string, unknown>) => ({
      code: 0,
      msg: 'success',
      data: new Bean(data),
      resTime: '2025-01-01 12:00:00',
      traceId: 'abc',
    })
    expect(signString(wrapper({ orderStatus: 'success', adjust: true }), 'k', '3')).toBe(
      'CODE=0&DATA={ORDERSTATUS:SUCCESS,ADJUST:TRUE}&MSG=SUCCESS&RESTIME=2025-01-01 12:00:00&TRACEID=ABC&KEY=K',
    )
    expect(signString(wrapper({ adjust: true, orderStatus: 'success' }), 'k', '3')).toBe(
      'CODE=0&DATA={ADJUST:TRUE,ORDERSTATUS:SUCCESS}&MSG=SUCCESS&RESTIME=2025-01-01 12:00:00&TRACEID=ABC&KEY=K',
    )
    const body = JSON.parse(
      '{"code":0,"msg":"success","data":{"orderStatus":"close","adjust":true},"sign":"","resTime":"2025-01-01 12:00:00","traceId":"abc"}',
    ) as Record<string, unknown>
    const signed = answerSignature(body, '3')!
    body.sign = signFields(signed.fields, 'k', 'md5', '3')
    const again = answerSignature(body, '3')!
    expect(again.sign).toBe(
      md5(
        'CODE=0&DATA={ORDERSTATUS:CLOSE,ADJUST:TRUE}&MSG=SUCCESS&RESTIME=2025-01-01 12:00:00&TRACEID=ABC&KEY=K',
      ),
    )
    expect(verifyFields(again.fields, again.sign, 'k', 'md5', '3')).toBe(true)
    expect(verifyFields({ ...again.fields, code: 1 }, again.sign, 'k', 'md5', '3')).toBe(false)
  })
})

// ---- adapter against the simulator ----

const QUICK: RetryPolicy = { timeoutMs: 500, retries: 1, backoffMs: 5, maxBackoffMs: 10 }
const MERCHANTS = [
  { name: 'dax3h', channel: 'daxpay' as const, ids: { version: '3', signType: 'hmac_sha256' } },
  { name: 'dax3m', channel: 'daxpay' as const, ids: { version: '3', signType: 'md5' } },
  { name: 'dax2h', channel: 'daxpay' as const, ids: { version: '2', signType: 'hmac_sha256' } },
  { name: 'dax2m', channel: 'daxpay' as const, ids: { version: '2', signType: 'md5' } },
]

let seq = 0
const no = (p: string) => `${p}${Date.now()}${++seq}`

function payRef(orderNo: string, gatewayTradeNo: string | null = null): PayTradeRef {
  return {
    orderNo,
    bizOrderNo: orderNo,
    gatewayTradeNo,
    amount: 1000,
    kind: 'pay',
    createdAt: Date.now() - 60_000,
    paidAt: null,
  }
}

function refundRef(orderNo: string, refundNo: string, gatewayRefundNo: string | null = null): RefundTradeRef {
  return {
    refundNo,
    bizRefundNo: refundNo,
    gatewayRefundNo,
    orderNo,
    gatewayTradeNo: null,
    amount: 400,
    createdAt: Date.now() - 60_000,
  }
}

describe('DaxPay adapter against the simulated DaxPay server', () => {
  let sim: Simulator
  const profile = (name: string, patch: Record<string, unknown> = {}) =>
    daxpayProfileSchema.parse({ ...sim.profiles().find((p) => p.name === name), ...patch })
  const adapter = (name: string, policy: RetryPolicy = FAST_RETRY, now?: () => number) =>
    new DaxpayAdapter(profile(name), policy, now)
  const order = (merchant: string, state: string, extra: Record<string, unknown> = {}) => {
    const orderNo = no('DP')
    upsertOrders(sim.state, [{ merchant, orderNo, amount: 1000, state, ...extra }])
    return orderNo
  }
  const refund = (merchant: string, state: string) => {
    const orderNo = order(merchant, 'success')
    const refundNo = no('DR')
    upsertRefunds(sim.state, [{ merchant, orderNo, refundNo, amount: 400, state }])
    return { orderNo, refundNo }
  }
  const faults = (list: FaultName[]) => {
    sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: list.length ? 1 : 0, faults: list }
  }

  beforeAll(async () => {
    sim = await startSimulator({
      handlers: [daxpayHandler],
      scenario: { merchants: MERCHANTS, orders: [], refunds: [] },
    })
  })
  afterAll(async () => {
    await sim.close()
  })
  beforeEach(() => faults([]))

  describe('signatures round-trip between adapter and simulator', () => {
    for (const m of MERCHANTS) {
      it(`${m.ids.version}.x ${m.ids.signType}: a signed request is accepted and the signed answer verified`, async () => {
        const a = await adapter(m.name).queryPay(payRef(order(m.name, 'success')))
        expect(a.status).toBe('pay_success')
        expect(a.errorCode).toBeNull()
        expect(a.rawText).toContain('"sign"')
        // The sync, then DaxPay's order for the amount: both signed and verified.
        expect(a.attempts).toBe(2)
        expect(a.followUps![0]).toContain('"sign"')
      })

      it(`${m.ids.version}.x ${m.ids.signType}: a tampered answer is refused`, async () => {
        const orderNo = order(m.name, 'success')
        faults(['bad_signature'])
        const a = await adapter(m.name).queryPay(payRef(orderNo))
        expect(a.status).toBe('sync_error')
        expect(a.errorCode).toBe('bad_signature')
        expect(a.rawText).toContain(m.ids.version === '3' ? '"orderStatus":"success"' : '"pay_success"')
      })

      it(`${m.ids.version}.x ${m.ids.signType}: a request signed with another secret is refused by DaxPay`, async () => {
        const before = sim.state.stats.rejectedSignatures
        const wrong = new DaxpayAdapter(profile(m.name, { signSecret: 'not-the-secret' }), FAST_RETRY)
        const a = await wrong.queryPay(payRef(order(m.name, 'success')))
        expect(a.status).toBe('sync_error')
        expect(a.errorCode).toBe('20052')
        expect(a.errorMsg).toBe('验签失败')
        expect(sim.state.stats.rejectedSignatures).toBeGreaterThan(before)
      })
    }

    it('an answer whose signed field was changed after signing does not verify', () => {
      const fields = { gatewayStatus: 'pay_progress', repair: false, code: 0, resTime: 1715576198 }
      const sign = signFields(fields, 's', 'md5', '2')
      expect(verifyFields(fields, sign, 's', 'md5', '2')).toBe(true)
      expect(verifyFields({ ...fields, gatewayStatus: 'pay_success' }, sign, 's', 'md5', '2')).toBe(false)
      expect(verifyFields(fields, sign.toUpperCase(), 's', 'md5', '2')).toBe(true)
      expect(verifyFields(fields, '', 's', 'md5', '2')).toBe(false)
    })
  })

  describe('3.x pay answers', () => {
    const cases: Array<[string | null, string, string | null]> = [
      ['success', 'pay_success', 'success'],
      ['progress', 'pay_progress', 'progress'],
      ['close', 'pay_closed', 'close'],
      ['cancel', 'pay_closed', 'cancel'],
      ['timeout', 'pay_closed', 'timeout'],
      ['fail', 'pay_fail', 'fail'],
      [null, 'pay_not_found', '20041 支付订单不存在'],
    ]
    for (const [state, status, raw] of cases) {
      it(`${state ?? 'no order'} -> ${status}`, async () => {
        const orderNo = state ? order('dax3h', state) : no('MISSING')
        const a = await adapter('dax3h').queryPay(payRef(orderNo))
        expect(a.status).toBe(status)
        expect(a.rawStatus).toBe(raw)
        expect(a.errorCode).toBeNull()
        if (status === 'pay_success') {
          // Read from DaxPay's own order (/unipay/query/payOrder), bound to ours.
          const gw = sim.state.getOrder('dax3h', orderNo)!
          expect(a).toMatchObject({ amount: 1000, gatewayTradeNo: gw.gatewayTradeNo, attempts: 2 })
          expect(a.paidAt).toBeGreaterThan(0)
          expect(a.followUps).toHaveLength(1)
          expect(a.followUps![0]).toContain('"amount":10.00')
        } else {
          expect([a.amount, a.gatewayTradeNo, a.followUps ?? []]).toEqual([null, null, []])
        }
      })
    }

    it('a wait order is refused by 3.x (20044, not started): an error, not a state', async () => {
      const a = await adapter('dax3h').queryPay(payRef(order('dax3h', 'wait')))
      expect(a.status).toBe('sync_error')
      expect(a.errorCode).toBe('20044')
    })

    it('DaxPay order number wins when we know it (orderNo), else our number goes as bizOrderNo', async () => {
      const orderNo = order('dax3h', 'success', { gatewayTradeNo: 'DAXPAY-ORDER-0001' })
      const a = await adapter('dax3h').queryPay(payRef(orderNo, 'DAXPAY-ORDER-0001'))
      expect(a).toMatchObject({ status: 'pay_success', gatewayTradeNo: 'DAXPAY-ORDER-0001', amount: 1000 })
      const b = await adapter('dax3h').queryPay(payRef(orderNo, 'DAXPAY-UNKNOWN'))
      expect(b.status).toBe('pay_not_found')
      // The order DaxPay's number finds must be ours: its bizOrderNo names it.
      const c = await adapter('dax3h').queryPay(payRef('NOT-THE-BIZ-NO', 'DAXPAY-ORDER-0001'))
      expect(c).toMatchObject({ status: 'sync_error', errorCode: 'mismatch', amount: null })
    })

    it('a busy lock at DaxPay (10507) is sync_error, retried by the http layer', async () => {
      const orderNo = order('dax3h', 'busy')
      const before = sim.state.stats.requests['daxpay.sync.pay'] ?? 0
      const a = await adapter('dax3h', QUICK).queryPay(payRef(orderNo))
      expect(a.status).toBe('sync_error')
      expect(a.errorCode).toBe('10507')
      expect(a.errorMsg).toBe('支付同步处理中，请勿重复操作')
      expect(a.attempts).toBe(QUICK.retries + 1)
      expect(sim.state.stats.requests['daxpay.sync.pay']).toBe(before + QUICK.retries + 1)
    })
  })

  describe('3.x refund answers', () => {
    const cases: Array<[string | null, string]> = [
      ['success', 'refund_success'],
      ['progress', 'refund_progress'],
      ['close', 'refund_closed'],
      ['fail', 'refund_closed'],
      [null, 'refund_not_found'],
    ]
    for (const [state, status] of cases) {
      it(`${state ?? 'no refund'} -> ${status}`, async () => {
        const r = state ? refund('dax3m', state) : { orderNo: no('DP'), refundNo: no('MISSING') }
        const a = await adapter('dax3m').queryRefund(refundRef(r.orderNo, r.refundNo))
        expect(a.status).toBe(status)
        expect(a.amount).toBeNull()
      })
    }

    it('a busy refund lock (10507) is sync_error', async () => {
      const r = refund('dax3m', 'busy')
      const a = await adapter('dax3m', QUICK).queryRefund(refundRef(r.orderNo, r.refundNo))
      expect(a.status).toBe('sync_error')
      expect(a.errorCode).toBe('10507')
      expect(a.errorMsg).toBe('退款同步处理中，请勿重复操作')
      expect(sim.state.stats.requests['daxpay.sync.refund']).toBeGreaterThan(0)
    })

    it('the DaxPay refund number wins when we know it', async () => {
      const r = refund('dax3m', 'success')
      const gw = sim.state.getRefund('dax3m', r.refundNo)!.gatewayRefundNo
      const a = await adapter('dax3m').queryRefund(refundRef(r.orderNo, 'NOT-OURS', gw))
      expect(a.status).toBe('refund_success')
    })
  })

  describe('2.x pay answers', () => {
    const cases: Array<[string | null, string, string]> = [
      ['success', 'pay_success', 'pay_success'],
      ['progress', 'pay_progress', 'pay_progress'],
      ['wait', 'pay_progress', 'pay_progress'],
      ['close', 'pay_closed', 'pay_closed'],
      ['cancel', 'pay_closed', 'pay_closed'],
      ['pay_refund', 'pay_refund', 'pay_refund'],
      ['pay_not_found', 'pay_not_found', 'pay_not_found'],
      ['pay_not_found_unknown', 'pay_not_found', 'pay_not_found_unknown'],
      [null, 'pay_not_found', '20041 支付订单不存在'],
    ]
    for (const [state, status, raw] of cases) {
      for (const m of ['dax2h', 'dax2m']) {
        it(`${m}: ${state ?? 'no order'} -> ${status}`, async () => {
          const orderNo = state ? order(m, state) : no('MISSING')
          const a = await adapter(m).queryPay(payRef(orderNo))
          expect(a.status).toBe(status)
          expect(a.rawStatus).toBe(raw)
          // A paid answer (success, refunded) carries DaxPay's amount and number from its order.
          const paid = status === 'pay_success' || status === 'pay_refund'
          expect(a.amount).toBe(paid ? 1000 : null)
          expect(a.gatewayTradeNo).toBe(paid ? sim.state.getOrder(m, orderNo)!.gatewayTradeNo : null)
        })
      }
    }

    it('pay_timeout is read as the waiting answer it came from; DaxPay closed the order meanwhile', async () => {
      const orderNo = order('dax2h', 'timeout')
      const closes = sim.state.stats.closes
      const a = await adapter('dax2h').queryPay(payRef(orderNo))
      expect(a.status).toBe('pay_progress')
      expect(a.rawStatus).toBe('pay_timeout')
      expect(sim.state.stats.closes).toBe(closes + 1)
      const b = await adapter('dax2h').queryPay(payRef(orderNo))
      expect(b.status).toBe('pay_closed')
    })

    it('pay_fail means DaxPay could not query the channel: an error, never a failed payment', async () => {
      const a = await adapter('dax2m').queryPay(payRef(order('dax2m', 'fail')))
      expect(a.status).toBe('sync_error')
      expect(a.errorCode).toBe('pay_fail')
    })

    it('the DaxPay payment id wins when we know it, and the order it finds must be ours', async () => {
      const orderNo = order('dax2m', 'success', { gatewayTradeNo: 'DAX2-PAYMENT-01' })
      const a = await adapter('dax2m').queryPay(payRef(orderNo, 'DAX2-PAYMENT-01'))
      expect(a).toMatchObject({ status: 'pay_success', gatewayTradeNo: 'DAX2-PAYMENT-01', amount: 1000 })
      const b = await adapter('dax2m').queryPay(payRef('NOT-OURS', 'DAX2-PAYMENT-01'))
      expect(b).toMatchObject({ status: 'sync_error', errorCode: 'mismatch' })
    })

    it('a busy lock at DaxPay (10007) is sync_error, retried by the http layer', async () => {
      const orderNo = order('dax2h', 'busy')
      const before = sim.state.stats.requests['daxpay.syncPay'] ?? 0
      const a = await adapter('dax2h', QUICK).queryPay(payRef(orderNo))
      expect(a.status).toBe('sync_error')
      expect(a.errorCode).toBe('10007')
      expect(a.errorMsg).toBe('支付同步处理中，请勿重复操作')
      expect(sim.state.stats.requests['daxpay.syncPay']).toBe(before + QUICK.retries + 1)
    })
  })

  describe('2.x refund answers', () => {
    const cases: Array<[string | null, string]> = [
      ['success', 'refund_success'],
      ['progress', 'refund_progress'],
      ['close', 'refund_closed'],
      ['fail', 'refund_closed'],
      ['pay_not_found', 'refund_not_found'],
      [null, 'refund_not_found'],
    ]
    for (const [state, status] of cases) {
      it(`${state ?? 'no refund'} -> ${status}`, async () => {
        const r = state ? refund('dax2h', state) : { orderNo: no('DP'), refundNo: no('MISSING') }
        const a = await adapter('dax2h').queryRefund(refundRef(r.orderNo, r.refundNo))
        expect(a.status).toBe(status)
        expect(sim.state.stats.requests['daxpay.syncRefund']).toBeGreaterThan(0)
      })
    }

    it('a busy refund lock (10007) is sync_error', async () => {
      const r = refund('dax2h', 'busy')
      const a = await adapter('dax2h', QUICK).queryRefund(refundRef(r.orderNo, r.refundNo))
      expect(a.status).toBe('sync_error')
      expect(a.errorCode).toBe('10007')
    })
  })

  describe('every fault is sync_error and never a state', () => {
    const expected: Record<string, string> = {
      system_error: '', // 10500 (3.x) or 10001 (2.x)
      rate_limit: 'HTTP_429',
      timeout: 'timeout',
      reset: 'reset',
      bad_signature: 'bad_signature',
      malformed: 'malformed',
      clock_skew: 'stale_answer',
      oversized: 'too_large',
    }
    for (const m of ['dax3h', 'dax2m']) {
      for (const [fault, code] of Object.entries(expected)) {
        it(`${m}: ${fault}`, async () => {
          const orderNo = order(m, 'success')
          const r = refund(m, 'success')
          faults([fault as FaultName])
          const a = await adapter(m, QUICK).queryPay(payRef(orderNo))
          const b = await adapter(m, QUICK).queryRefund(refundRef(r.orderNo, r.refundNo))
          for (const x of [a, b]) {
            expect(x.status).toBe('sync_error')
            expect(x.errorCode).toBe(code || (m === 'dax3h' ? '10500' : '10001'))
            expect(x.errorMsg).toBeTruthy()
          }
          if (fault === 'system_error' || fault === 'rate_limit') expect(a.attempts).toBe(QUICK.retries + 1)
        })
      }
    }
  })

  describe('reqTime window', () => {
    for (const [m, code] of [
      ['dax3h', '10506'],
      ['dax2h', '10006'],
    ] as const) {
      it(`${m}: a request from a clock ten minutes ahead or behind is refused with DaxPay's messages`, async () => {
        const orderNo = order(m, 'success')
        const ahead = await adapter(m, FAST_RETRY, () => Date.now() + 600_000).queryPay(payRef(orderNo))
        expect(ahead.status).toBe('sync_error')
        expect(ahead.errorCode).toBe(code)
        expect(ahead.errorMsg).toBe('请求时间晚于服务器接收到的时间，请检查')
        const behind = await adapter(m, FAST_RETRY, () => Date.now() - 600_000).queryPay(payRef(orderNo))
        expect(behind.errorCode).toBe(code)
        expect(behind.errorMsg).toBe('请求已过期，请重新发送！')
        const near = await adapter(m, FAST_RETRY, () => Date.now() - 60_000).queryPay(payRef(orderNo))
        expect(near.status).toBe('pay_success')
      })
    }
  })

  describe('closePay: /unipay/close, then a sync says what became of the order', () => {
    for (const m of ['dax3h', 'dax2m']) {
      it(`${m}: an open order is closed there and confirmed; missing is not_found; paid is not_closable`, async () => {
        const a = adapter(m)
        const closes = sim.state.stats.closes
        const open = order(m, 'progress')
        const closed = await a.closePay(payRef(open))
        expect(closed).toMatchObject({ result: 'closed', errorCode: null })
        expect(closed.rawStatus).toMatch(/^0( success)?, then (close|pay_closed)$/)
        expect(closed.followUps![0]).toContain(m === 'dax3h' ? '"orderStatus":"close"' : '"pay_closed"')
        expect(sim.state.getOrder(m, open)!.state).toBe('close')
        expect(sim.state.stats.closes).toBe(closes + 1)
        // Closed already: DaxPay refuses (20044), the sync confirms it closed.
        expect((await a.closePay(payRef(open))).result).toBe('closed')
        expect((await a.closePay(payRef(no('MISSING')))).result).toBe('not_found')
        const paid = await a.closePay(payRef(order(m, 'success')))
        expect(paid.result).toBe('not_closable')
        expect(sim.state.stats.closes).toBe(closes + 1)
      })

      it(`${m}: a refused or failed close is an error and closes nothing here`, async () => {
        faults(['system_error'])
        const failed = await adapter(m, QUICK).closePay(payRef(order(m, 'progress')))
        expect(failed.result).toBe('error')
        faults([])
        // A close lock held at DaxPay (20043) is tried again, then an error.
        const busy = await adapter(m, QUICK).closePay(payRef(order(m, 'busy')))
        expect(busy).toMatchObject({ result: 'error', errorCode: '20043', attempts: QUICK.retries + 1 })
      })
    }

    it('3.x signs the primitive useCancel even when it is false: a request without it in the signature is refused', async () => {
      const orderNo = order('dax3h', 'progress')
      const p = profile('dax3h')
      const fields: Record<string, unknown> = {
        mchNo: p.mchNo,
        appId: p.appId,
        bizOrderNo: orderNo,
        clientIp: '127.0.0.1',
        reqTime: formatBeijing(Date.now()),
      }
      const post = (body: Record<string, unknown>) =>
        fetch(`${sim.url}/unipay/close`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ code: number }>)
      const without = { ...fields, sign: signFields(fields, p.signSecret, p.signType, '3') }
      expect((await post(without)).code).toBe(20052)
      const withIt = {
        ...fields,
        sign: signFields({ ...fields, useCancel: false }, p.signSecret, p.signType, '3'),
      }
      expect((await post(withIt)).code).toBe(0)
      expect(sim.state.getOrder('dax3h', orderNo)!.state).toBe('close')
    })
  })

  describe('the order read before a repair to success (/unipay/query/payOrder)', () => {
    for (const m of ['dax3h', 'dax2h']) {
      it(`${m}: without an amount the paid answer keeps none, and nothing else is made up`, async () => {
        const orderNo = order(m, 'success')
        faults(['no_amount'])
        const a = await adapter(m).queryPay(payRef(orderNo))
        expect(a).toMatchObject({ status: 'pay_success', amount: null, errorCode: null })
        expect(a.gatewayTradeNo).toBe(sim.state.getOrder(m, orderNo)!.gatewayTradeNo)
      })

      it(`${m}: DaxPay's order must say paid too, or the answer is an error`, async () => {
        // The order was closed at DaxPay between the sync and the order query.
        const orderNo = order(m, 'success', { then: { afterQueries: 1, state: 'close' } })
        const a = await adapter(m).queryPay(payRef(orderNo))
        expect(a).toMatchObject({ status: 'sync_error', errorCode: 'inconsistent', amount: null })
        expect(a.followUps![0]).toContain('"status":"close"')
      })
    }
  })

  describe('every signed answer must carry a fresh resTime, refusals included', () => {
    for (const m of ['dax3h', 'dax2h']) {
      it(`${m}: a signed "not found" without resTime (as DaxPay 3.0.0 signs it) is an error`, async () => {
        faults(['unstamped'])
        const a = await adapter(m).queryPay(payRef(no('MISSING')))
        expect(a).toMatchObject({ status: 'sync_error', errorCode: 'stale_answer' })
        const r = await adapter(m).queryRefund(refundRef(no('DP'), no('MISSING')))
        expect(r).toMatchObject({ status: 'sync_error', errorCode: 'stale_answer' })
      })

      it(`${m}: a signed refusal older than five minutes is an error, a fresh one is not found`, async () => {
        const late = await adapter(m, FAST_RETRY, () => Date.now() + 301_000).queryPay(payRef(no('MISSING')))
        // Our clock runs ahead: DaxPay refuses the request itself (unsigned), or its answer is stale.
        expect(late.status).toBe('sync_error')
        faults(['clock_skew'])
        const stale = await adapter(m).queryPay(payRef(no('MISSING')))
        expect(stale).toMatchObject({ status: 'sync_error', errorCode: 'stale_answer' })
        faults([])
        expect((await adapter(m).queryPay(payRef(no('MISSING')))).status).toBe('pay_not_found')
      })
    }
  })

  describe('testConnection', () => {
    for (const m of ['dax3m', 'dax2h']) {
      it(`${m}: a signed probe verifies and reports latency and clock skew`, async () => {
        const t = await adapter(m).testConnection()
        expect(t.ok).toBe(true)
        expect(t.signatureValid).toBe(true)
        expect(t.message).toContain('20041')
        expect(Math.abs(t.clockSkewMs!)).toBeLessThan(5_000)
        expect(t.latencyMs).toBeGreaterThanOrEqual(0)
      })

      it(`${m}: a wrong secret and a bad answer signature are told apart`, async () => {
        const wrong = await new DaxpayAdapter(
          profile(m, { signSecret: 'wrong' }),
          FAST_RETRY,
        ).testConnection()
        expect(wrong.ok).toBe(false)
        expect(wrong.signatureValid).toBeNull()
        expect(wrong.message).toContain('20052')
        faults(['bad_signature'])
        const bad = await adapter(m).testConnection()
        expect(bad.ok).toBe(false)
        expect(bad.signatureValid).toBe(false)
      })
    }
  })

  it('a 3.x profile without mchNo and appId cannot make an adapter', () => {
    expect(() => new DaxpayAdapter(profile('dax3h', { mchNo: undefined }))).toThrow(/mchNo/)
  })
})

// ---- the decision tables with the engine ----

// DaxPay's sync answers carry no amount and no trade number: the adapter reads both from DaxPay's own
// order (/unipay/query/payOrder) before a repair to success, so every cell holds the amount and number
// checks. It closes an order through /unipay/close, which the simulator counts, and syncs to confirm.
const DAX3: ChannelWords = {
  merchant: 'dax3',
  pay: {
    pay_success: 'success',
    pay_progress: 'progress',
    pay_not_found: null,
    pay_closed: 'close',
    pay_fail: 'fail',
    sync_error: 'success',
  },
  refund: {
    refund_success: 'success',
    refund_progress: 'progress',
    refund_not_found: null,
    refund_closed: 'close',
    sync_error: 'success',
  },
  close: 'call',
  noRefundAmount: true,
}

// 2.x answers with its own normalised words; its `fail` is a failed query, not a failed payment.
const DAX2: ChannelWords = {
  merchant: 'dax2',
  pay: {
    pay_success: 'success',
    pay_progress: 'progress',
    pay_not_found: null,
    pay_closed: 'close',
    pay_refund: 'pay_refund',
    sync_error: 'success',
  },
  refund: {
    refund_success: 'success',
    refund_progress: 'progress',
    refund_not_found: null,
    refund_closed: 'fail',
    sync_error: 'success',
  },
  close: 'call',
  noRefundAmount: true,
}

describe('decision tables with the engine over DaxPay', () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld({
      merchants: [
        { name: 'dax3', channel: 'daxpay', ids: { version: '3', signType: 'hmac_sha256' } },
        { name: 'dax2', channel: 'daxpay', ids: { version: '2', signType: 'md5' } },
      ],
    })
  })
  afterAll(async () => {
    await w.close()
  })

  describe('3.x', () => {
    runPayCells(() => w, DAX3, [
      ...(['cancel', 'timeout'] as const).map((word) => ({
        name: `progress, not expired x pay_closed: ${word}`,
        row: 'progress, not expired' as const,
        column: 'pay_closed' as const,
        word,
      })),
      {
        name: 'cancel x pay_closed: cancel',
        row: 'cancel',
        column: 'pay_closed',
        word: 'cancel',
      },
      ...(['progress, not expired', 'progress, expired', 'success'] as const).map((row) => ({
        name: `${row} x sync_error: a busy lock at DaxPay (10507) changes nothing`,
        row,
        column: 'sync_error' as const,
        word: 'busy',
        fault: null,
        expect: { errorCode: '10507' },
      })),
      {
        name: 'progress, not expired x sync_error: an order no channel was chosen for (20044)',
        row: 'progress, not expired',
        column: 'sync_error',
        word: 'wait',
        fault: null,
        expect: { errorCode: '20044' },
      },
      ...(['progress, not expired', 'fail'] as const).map((row) => ({
        name: `${row} x pay_success: DaxPay's order without an amount is not repaired`,
        row,
        column: 'pay_success' as const,
        fault: 'no_amount' as const,
        rule: 'A:amount_unknown',
      })),
    ])
    runRefundCells(() => w, DAX3, [
      {
        name: 'progress, after grace x refund_closed: fail, closed and not a query error for ever',
        row: 'progress, after grace',
        column: 'refund_closed',
        word: 'fail',
      },
      {
        name: 'fail x refund_closed: fail',
        row: 'fail',
        column: 'refund_closed',
        word: 'fail',
      },
      {
        name: 'progress, in grace x sync_error: a busy lock at DaxPay (10507) changes nothing',
        row: 'progress, in grace',
        column: 'sync_error',
        word: 'busy',
        fault: null,
        expect: { errorCode: '10507' },
      },
    ])
    runDecisionCells(() => w, DAX3)
  })

  describe('2.x', () => {
    runPayCells(() => w, DAX2, [
      ...(['pay_not_found', 'pay_not_found_unknown'] as const).map((word) => ({
        name: `progress, not expired x pay_not_found: ${word} waits, not closed (unlike DaxPay 2.x)`,
        row: 'progress, not expired' as const,
        column: 'pay_not_found' as const,
        word,
      })),
      {
        name: 'progress, expired x pay_progress: pay_timeout, DaxPay closed it in the same sync',
        row: 'progress, expired',
        column: 'pay_progress',
        word: 'timeout',
        then: null,
        closes: 1,
      },
      {
        name: "progress, not expired x pay_success: DaxPay's order without an amount is not repaired",
        row: 'progress, not expired',
        column: 'pay_success',
        fault: 'no_amount',
        rule: 'A:amount_unknown',
      },
      {
        name: 'progress, not expired x pay_refund: a refunded order without an amount is not repaired',
        row: 'progress, not expired',
        column: 'pay_refund',
        fault: 'no_amount',
        rule: 'A:amount_unknown',
      },
      {
        name: 'progress, expired x sync_error: pay_fail is a failed query, the order is not failed',
        row: 'progress, expired',
        column: 'sync_error',
        word: 'fail',
        fault: null,
        expect: { errorCode: 'pay_fail' },
      },
      {
        name: 'progress, expired x sync_error: a busy lock at DaxPay (10007) changes nothing',
        row: 'progress, expired',
        column: 'sync_error',
        word: 'busy',
        fault: null,
        expect: { errorCode: '10007' },
      },
    ])
    runRefundCells(() => w, DAX2, [
      {
        name: 'progress, after grace x refund_not_found: pay_not_found, closed after the grace period',
        row: 'progress, after grace',
        column: 'refund_not_found',
        word: 'pay_not_found',
      },
      {
        name: 'progress, in grace x sync_error: a busy lock at DaxPay (10007) changes nothing',
        row: 'progress, in grace',
        column: 'sync_error',
        word: 'busy',
        fault: null,
        expect: { errorCode: '10007' },
      },
    ])
    runDecisionCells(() => w, DAX2)
  })

  it('a close synced again never returns the refundable amount twice', async () => {
    const orderNo = `DXRtwice${Date.now()}`
    const refundNo = `DXRFtwice${Date.now()}`
    const payId = w.payOrder({ merchant: 'dax3', orderNo, amount: 1000, status: 'success' })
    const refundId = w.refund({ merchant: 'dax3', payOrderId: payId, refundNo, amount: 400 })
    w.gatewayRefund({ merchant: 'dax3', orderNo, refundNo, amount: 400, state: 'close' })
    for (let i = 0; i < 3; i++) await w.ctx.engine.syncRefund(refundId, { source: 'schedule' })
    expect(getRefundOrder(w.ctx.db, refundId)!.status).toBe('close')
    expect(getPayOrder(w.ctx.db, payId)!.refundable_amount).toBe(1000)
    expect(
      listRepairRecords(w.ctx.db, { tradeId: refundId, type: 'refund', limit: 10, offset: 0 }).total,
    ).toBe(1)
  })
})
