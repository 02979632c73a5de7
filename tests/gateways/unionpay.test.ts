import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { upsertOrders, upsertRefunds } from '../../src/main/gateways/simulator/control'
import type { Simulator } from '../../src/main/gateways/simulator/server'
import type { FaultName } from '../../src/main/gateways/simulator/state'
import type { RefundTradeRef } from '../../src/main/gateways/types'
import { UnionpayAdapter } from '../../src/main/gateways/unionpay/adapter'
import {
  encodeForm,
  formatAnswer,
  parseAnswer,
  signContent,
  signParams,
  verifyParams,
} from '../../src/main/gateways/unionpay/sign'
import { unionpayProfileSchema, type UnionpayProfile } from '../../src/shared/profiles'
import { formatBeijingCompact } from '../../src/shared/time'
import { runDecisionCells, runPayCells, runRefundCells, type ChannelWords } from '../helpers/decision-table'
import { payRef } from '../helpers/trade-refs'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// The UnionPay channel (queryTrans.do) end to end: the 5.1.0 signing rule against an independent
// computation, every answer mapping against the real simulator on loopback, and the pay and refund
// decision tables through the engine over a real store. Nothing of our own is mocked.

const MERCHANT = 'up'
let w: World
let sim: Simulator
let profile: UnionpayProfile
let adapter: UnionpayAdapter
let n = 0
const no = (p: string) => `${p}${++n}T${Date.now()}`

function faults(list: FaultName[], rate = 1): void {
  sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: rate, faults: list }
}

function gatewayOrder(o: {
  orderNo: string
  state: string
  amount?: number
  createdAt?: number
  gatewayTradeNo?: string
  then?: { afterQueries: number; state: string }
}): void {
  upsertOrders(sim.state, [{ merchant: MERCHANT, amount: 1000, ...o }])
}

function gatewayRefund(r: { orderNo: string; refundNo: string; state: string; amount?: number }): void {
  upsertRefunds(sim.state, [{ merchant: MERCHANT, amount: 400, ...r }])
}

function refundRef(refundNo: string, extra: Partial<RefundTradeRef> = {}): RefundTradeRef {
  return {
    refundNo,
    bizRefundNo: refundNo,
    gatewayRefundNo: null,
    orderNo: 'ORDER',
    gatewayTradeNo: null,
    amount: 400,
    createdAt: Date.now() - 60_000,
    ...extra,
  }
}

/** A real man in the middle on loopback: forwards each request to the simulator, rewrites the answer. */
async function throughProxy(
  rewrite: (text: string) => string,
  use: (adapter: UnionpayAdapter) => Promise<void>,
): Promise<void> {
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const up = http.request(
        `${sim.url}${req.url}`,
        { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? '' } },
        (upRes) => {
          const body: Buffer[] = []
          upRes.on('data', (c: Buffer) => body.push(c))
          upRes.on('end', () => {
            res.writeHead(upRes.statusCode ?? 502, { 'content-type': 'text/plain;charset=UTF-8' })
            res.end(rewrite(Buffer.concat(body).toString('utf8')))
          })
        },
      )
      up.end(Buffer.concat(chunks))
    })
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()))
  try {
    const port = (proxy.address() as AddressInfo).port
    await use(
      new UnionpayAdapter(
        { ...profile, endpoint: `http://127.0.0.1:${port}/gateway/api/queryTrans.do` },
        FAST_RETRY,
      ),
    )
  } finally {
    proxy.closeAllConnections()
    await new Promise<void>((r) => proxy.close(() => r()))
  }
}

beforeAll(async () => {
  w = await createWorld({ merchants: [{ name: MERCHANT, channel: 'unionpay' }] })
  sim = w.sim
  profile = unionpayProfileSchema.parse(sim.profiles()[0])
  adapter = new UnionpayAdapter(profile, FAST_RETRY)
})
afterAll(async () => {
  await w.close()
})
beforeEach(() => faults([], 0))

describe('5.1.0 signing rule', () => {
  // One key for the whole file, made here so nothing depends on fixtures.
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const params = {
    version: '5.1.0',
    encoding: 'UTF-8',
    certId: '69629715588',
    signMethod: '01',
    txnType: '00',
    txnSubType: '00',
    bizType: '000000',
    accessType: '0',
    merId: ' 777290058110097 ',
    orderId: '20261120100000001',
    txnTime: '20261120100000',
    reqReserved: '',
    signature: 'left out',
  }
  const expected =
    'accessType=0&bizType=000000&certId=69629715588&encoding=UTF-8&merId=777290058110097&orderId=20261120100000001' +
    '&signMethod=01&txnSubType=00&txnTime=20261120100000&txnType=00&version=5.1.0'

  it('builds the sorted k=v string without signature, values trimmed, empty ones dropped', () => {
    expect(signContent(params)).toBe(expected)
  })

  it('signs the lowercase hex SHA-256 of that string with SHA256withRSA, as an independent computation does', () => {
    const hex = crypto.createHash('sha256').update(expected, 'utf8').digest('hex')
    expect(hex).toMatch(/^[0-9a-f]{64}$/)
    const independent = crypto.sign('RSA-SHA256', Buffer.from(hex, 'utf8'), privateKey).toString('base64')
    const ours = signParams(params, privateKey)
    expect(ours).toBe(independent)
    // Not the plain string: that is the 5.0.0 / Alipay habit, and UnionPay would refuse it.
    expect(ours).not.toBe(
      crypto.sign('RSA-SHA256', Buffer.from(expected, 'utf8'), privateKey).toString('base64'),
    )
    expect(crypto.verify('RSA-SHA256', Buffer.from(hex), publicKey, Buffer.from(ours, 'base64'))).toBe(true)
  })

  it('verifies what it signed and refuses a changed field, a missing signature and another key', () => {
    const signed = { ...params, signature: signParams(params, privateKey) }
    expect(verifyParams(signed, publicKey)).toBe(true)
    expect(verifyParams({ ...signed, orderId: '20261120100000002' }, publicKey)).toBe(false)
    expect(verifyParams({ ...signed, signature: '' }, publicKey)).toBe(false)
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
    expect(verifyParams(signed, other)).toBe(false)
  })

  it('keeps raw Base64, PEM and bracketed values intact when reading an answer', () => {
    const signature = signParams({ a: '1' }, privateKey)
    const cert = '-----BEGIN CERTIFICATE-----\r\nMIIB+/==\r\n-----END CERTIFICATE-----'
    const body = formatAnswer({
      respCode: '00',
      respMsg: '成功[0000000]',
      reserved: '{cardNumberLock=1&x=y}',
      signPubKeyCert: cert,
      signature,
    })
    expect(body).toContain(`signature=${signature}`)
    expect(parseAnswer(body)).toEqual({
      reserved: '{cardNumberLock=1&x=y}',
      respCode: '00',
      respMsg: '成功[0000000]',
      signPubKeyCert: cert,
      signature,
    })
  })

  it('form-encodes a request so that + / = in a signature survive', () => {
    const form = encodeForm({ signature: 'ab+/c==', orderId: ' 1 ', empty: '' })
    expect(form).toBe('signature=ab%2B%2Fc%3D%3D&orderId=1')
    expect(Object.fromEntries(new URLSearchParams(form))).toEqual({ signature: 'ab+/c==', orderId: '1' })
  })
})

describe('adapter mappings against the simulated gateway', () => {
  it('origRespCode 00 -> pay_success with fen amount, queryId and the time UnionPay processed it', async () => {
    const orderNo = no('PAY')
    const createdAt = Date.now() - 120_000
    const paidAt = Date.now() - 30_000
    upsertOrders(sim.state, [
      { merchant: MERCHANT, orderNo, amount: 1234, state: '00', createdAt, paidAt, gatewayTradeNo: 'Q0001' },
    ])
    const a = await adapter.queryPay(payRef(orderNo, { createdAt }))
    expect(a).toMatchObject({
      status: 'pay_success',
      amount: 1234,
      gatewayTradeNo: 'Q0001',
      rawStatus: 'origRespCode 00',
      errorCode: null,
    })
    expect(a.paidAt).toBe(Math.floor(paidAt / 1000) * 1000)
    // Asked by orderId and the order's own txnTime, yyyyMMddHHmmss Beijing.
    expect(a.rawText).toContain(`orderId=${orderNo}&`)
    expect(a.rawText).toContain(`txnTime=${formatBeijingCompact(createdAt)}&`)
    expect(a.rawText).toContain('signature=')
  })

  it('queries by queryId when the gateway number is known', async () => {
    const orderNo = no('QID')
    gatewayOrder({ orderNo, state: '00', gatewayTradeNo: 'Q0002' })
    // The local number is wrong on purpose: only the queryId can find the order.
    const a = await adapter.queryPay(payRef('SOMEOTHERNO1', { gatewayTradeNo: 'Q0002' }))
    expect(a.status).toBe('pay_success')
    expect(a.rawText).toContain(`orderId=${orderNo}&`)
  })

  for (const code of ['03', '04', '05']) {
    it(`origRespCode ${code} -> pay_progress`, async () => {
      const orderNo = no('PRG')
      gatewayOrder({ orderNo, state: code })
      const a = await adapter.queryPay(payRef(orderNo))
      expect(a).toMatchObject({ status: 'pay_progress', rawStatus: `origRespCode ${code}`, amount: 1000 })
    })
  }

  it('any other origRespCode -> pay_fail, keeping origRespMsg', async () => {
    const orderNo = no('FAIL')
    gatewayOrder({ orderNo, state: '01' })
    const a = await adapter.queryPay(payRef(orderNo))
    expect(a).toMatchObject({ status: 'pay_fail', rawStatus: 'origRespCode 01' })
    expect(a.errorMsg).toContain('交易失败')
    expect(a.rawText).toContain('origRespMsg=交易失败')
  })

  it('A6 (success with a defect) is neither paid nor failed: sync_error', async () => {
    const orderNo = no('ASIX')
    gatewayOrder({ orderNo, state: 'A6' })
    const a = await adapter.queryPay(payRef(orderNo))
    expect(a).toMatchObject({ status: 'sync_error', errorCode: 'origRespCode A6' })
  })

  it('respCode 34 -> pay_not_found, for a transaction not created and one never heard of', async () => {
    const orderNo = no('NEW')
    gatewayOrder({ orderNo, state: 'NOT_CREATED' })
    for (const o of [orderNo, no('NONE')]) {
      const a = await adapter.queryPay(payRef(o))
      expect(a).toMatchObject({ status: 'pay_not_found', rawStatus: 'respCode 34', errorCode: null })
      expect(a.rawText).toContain('respCode=34')
    }
  })

  it('refunds: their own transaction, queried by refund number and refund time', async () => {
    const orderNo = no('RPAY')
    gatewayOrder({ orderNo, state: '00' })
    const cases: Array<[string | null, string]> = [
      ['00', 'refund_success'],
      ['03', 'refund_progress'],
      ['05', 'refund_progress'],
      ['01', 'refund_closed'],
      ['NOT_CREATED', 'refund_not_found'],
      [null, 'refund_not_found'],
    ]
    for (const [state, status] of cases) {
      const refundNo = no('RF')
      if (state) gatewayRefund({ orderNo, refundNo, state })
      const createdAt = Date.now() - 90_000
      const a = await adapter.queryRefund(refundRef(refundNo, { orderNo, createdAt }))
      expect(a.status, `refund state ${state}`).toBe(status)
      if (status === 'refund_success') {
        expect(a.amount).toBe(400)
        expect(a.gatewayRefundNo).toBeTruthy()
        expect(a.finishedAt).not.toBeNull()
        expect(a.rawText).toContain('txnType=04')
      }
      if (state !== null && state !== 'NOT_CREATED') {
        expect(a.rawText).toContain(`orderId=${refundNo}&`)
        expect(a.rawText).toContain(`txnTime=${formatBeijingCompact(createdAt)}&`)
      }
    }
  })

  it('a refund is found by its queryId once known', async () => {
    const orderNo = no('RQ')
    const refundNo = no('RQF')
    gatewayOrder({ orderNo, state: '00' })
    gatewayRefund({ orderNo, refundNo, state: '00' })
    const gatewayRefundNo = sim.state.getRefund(MERCHANT, refundNo)!.gatewayRefundNo
    const a = await adapter.queryRefund(refundRef('WRONGREFUND1', { orderNo, gatewayRefundNo }))
    expect(a).toMatchObject({ status: 'refund_success', gatewayRefundNo, amount: 400 })
  })

  it('closePay: unpaid, failed or unknown -> not_found; paid -> not_closable; errors -> error; nothing is called "closed"', async () => {
    const expectations: Array<[string | null, string]> = [
      ['05', 'not_found'],
      ['01', 'not_found'],
      ['NOT_CREATED', 'not_found'],
      [null, 'not_found'],
      ['00', 'not_closable'],
    ]
    for (const [state, result] of expectations) {
      const orderNo = no('CL')
      if (state) gatewayOrder({ orderNo, state })
      const c = await adapter.closePay(payRef(orderNo))
      expect(c.result, `state ${state}`).toBe(result)
      expect(c.rawText).toBeTruthy()
    }
    const orderNo = no('CLE')
    gatewayOrder({ orderNo, state: '05' })
    faults(['system_error'])
    const c = await adapter.closePay(payRef(orderNo))
    expect(c).toMatchObject({ result: 'error', errorCode: 'respCode 03' })
    expect(sim.state.stats.closes).toBe(0)
  })

  describe('what cannot be trusted is sync_error', () => {
    it('respCode 03 (system_error) is retried, then sync_error; the gateway text is kept', async () => {
      const orderNo = no('SE')
      gatewayOrder({ orderNo, state: '00' })
      faults(['system_error'])
      const a = await adapter.queryPay(payRef(orderNo))
      expect(a).toMatchObject({ status: 'sync_error', errorCode: 'respCode 03', amount: null })
      expect(a.attempts).toBe(FAST_RETRY.retries + 1)
      expect(a.rawText).toContain('respCode=03')
    })

    it('respCode 37 (too many queries) is sync_error and not hammered with retries', async () => {
      const orderNo = no('RL')
      gatewayOrder({ orderNo, state: '00' })
      faults(['rate_limit'])
      const a = await adapter.queryPay(payRef(orderNo))
      expect(a).toMatchObject({ status: 'sync_error', errorCode: 'respCode 37', attempts: 1 })
      expect(a.errorMsg).toContain('later')
      const r = await adapter.queryRefund(refundRef(no('RLR')))
      expect(r).toMatchObject({ status: 'sync_error', errorCode: 'respCode 37' })
    })

    it('the per-merchant QPS limit of the gateway answers 37 too', async () => {
      const orderNo = no('QPS')
      gatewayOrder({ orderNo, state: '00' })
      // The gateway's window remembers the last second of requests, earlier tests' included.
      sim.state.resetRateWindow()
      sim.state.faults = { ...sim.state.faults, qps: 1 }
      const answers = await Promise.all([1, 2, 3].map(() => adapter.queryPay(payRef(orderNo))))
      expect(answers.map((a) => a.status).sort()).toEqual(['pay_success', 'sync_error', 'sync_error'])
      expect(answers.filter((a) => a.errorCode === 'respCode 37')).toHaveLength(2)
    })

    it('an answer signed with another key (bad_signature) is refused, its text kept as received', async () => {
      const orderNo = no('BS')
      gatewayOrder({ orderNo, state: '00' })
      faults(['bad_signature'])
      const a = await adapter.queryPay(payRef(orderNo))
      expect(a).toMatchObject({ status: 'sync_error', errorCode: 'bad_signature', amount: null })
      expect(a.rawText).toContain('origRespCode=00')
      expect(a.rawText).toContain('signPubKeyCert=')
      const r = await adapter.queryRefund(refundRef(no('BSR')))
      expect(r).toMatchObject({ status: 'sync_error', errorCode: 'bad_signature' })
    })

    it('a malformed (cut-off) answer is sync_error', async () => {
      const orderNo = no('MF')
      gatewayOrder({ orderNo, state: '00' })
      faults(['malformed'])
      const a = await adapter.queryPay(payRef(orderNo))
      expect(a.status).toBe('sync_error')
      expect(['missing_signature', 'bad_signature', 'malformed']).toContain(a.errorCode)
      expect(a.rawText).toBeTruthy()
    })

    it('timeout and reset are sync_error with nothing received', async () => {
      const quick = new UnionpayAdapter(profile, {
        timeoutMs: 300,
        retries: 0,
        backoffMs: 1,
        maxBackoffMs: 1,
      })
      for (const fault of ['timeout', 'reset'] as const) {
        const orderNo = no(fault.toUpperCase())
        gatewayOrder({ orderNo, state: '00' })
        faults([fault])
        const a = await quick.queryPay(payRef(orderNo))
        expect(a).toMatchObject({ status: 'sync_error', errorCode: fault, rawText: null })
      }
    })

    it('a tampered answer (origRespCode changed on the way) is refused', async () => {
      const orderNo = no('TAMPER')
      gatewayOrder({ orderNo, state: '03' })
      await throughProxy(
        (text) => text.replace('origRespCode=03', 'origRespCode=00'),
        async (tampered) => {
          const a = await tampered.queryPay(payRef(orderNo))
          expect(a).toMatchObject({ status: 'sync_error', errorCode: 'bad_signature' })
          expect(a.rawText).toContain('origRespCode=00')
          // Through the same path untouched, the honest answer verifies.
          gatewayOrder({ orderNo, state: '05' })
          expect((await tampered.queryPay(payRef(orderNo))).status).toBe('pay_progress')
        },
      )
    })

    it('a genuine signed answer about another order, replayed, is not taken as ours', async () => {
      const paid = no('PAID')
      const ours = no('OURS')
      gatewayOrder({ orderNo: paid, state: '00', gatewayTradeNo: 'Q0003' })
      gatewayOrder({ orderNo: ours, state: '05', gatewayTradeNo: 'Q0004' })
      const captured = (await adapter.queryPay(payRef(paid))).rawText!
      await throughProxy(
        () => captured,
        async (replayed) => {
          for (const ref of [payRef(ours), payRef(ours, { gatewayTradeNo: 'Q0004' })]) {
            const a = await replayed.queryPay(ref)
            expect(a).toMatchObject({ status: 'sync_error', errorCode: 'mismatch' })
          }
        },
      )
    })

    it('a request signed with the wrong merchant key or certId is refused by the gateway (respCode 11)', async () => {
      const orderNo = no('WK')
      gatewayOrder({ orderNo, state: '00' })
      const rejected = sim.state.stats.rejectedSignatures
      const wrongKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      const pem = wrongKey.export({ type: 'pkcs8', format: 'pem' }).toString()
      for (const p of [
        { ...profile, privateKey: pem },
        { ...profile, certId: '00000000000' },
      ]) {
        const a = await new UnionpayAdapter(p, FAST_RETRY).queryPay(payRef(orderNo))
        expect(a).toMatchObject({ status: 'sync_error', errorCode: 'respCode 11' })
        expect(a.errorMsg).toBe('验证签名失败')
      }
      expect(sim.state.stats.rejectedSignatures - rejected).toBe(2)
    })
  })

  describe('testConnection', () => {
    it('one signed query of a probe order: signature valid, latency, clock skew from the Date header', async () => {
      const t = await adapter.testConnection()
      expect(t).toMatchObject({ ok: true, signatureValid: true })
      expect(t.message).toContain('respCode 34')
      expect(t.latencyMs).toBeGreaterThanOrEqual(0)
      expect(Math.abs(t.clockSkewMs!)).toBeLessThan(5_000)
    })

    it('reports a gateway clock 400 s behind', async () => {
      faults(['clock_skew'])
      const t = await adapter.testConnection()
      expect(t.ok).toBe(true)
      expect(t.clockSkewMs).toBeGreaterThan(395_000)
      expect(t.clockSkewMs).toBeLessThan(405_000)
    })

    it('an answer that does not verify: signatureValid false', async () => {
      faults(['bad_signature'])
      const t = await adapter.testConnection()
      expect(t).toMatchObject({ ok: false, signatureValid: false })
    })

    it('a merchant key the gateway refuses: verified answer, but not ok', async () => {
      const wrongKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      const pem = wrongKey.export({ type: 'pkcs8', format: 'pem' }).toString()
      const t = await new UnionpayAdapter({ ...profile, privateKey: pem }, FAST_RETRY).testConnection()
      expect(t).toMatchObject({ ok: false, signatureValid: true })
      expect(t.message).toContain('respCode 11')
    })
  })
})

const UNIONPAY: ChannelWords = {
  merchant: MERCHANT,
  pay: { pay_success: '00', pay_progress: '05', pay_not_found: null, pay_fail: '01', sync_error: '00' },
  refund: {
    refund_success: '00',
    refund_progress: '05',
    refund_not_found: null,
    refund_closed: '01',
    sync_error: '00',
  },
  // No close call at UnionPay: past the payment's timeout the adapter asks once more.
  close: 'query',
}

/** What cannot be trusted changes nothing, neither on an expired order nor on a paid one. */
const ERROR_FAULTS: FaultName[] = ['system_error', 'rate_limit', 'bad_signature', 'malformed', 'reset']

describe('decision tables through the engine', () => {
  runPayCells(() => w, UNIONPAY, [
    {
      name: 'progress, not expired x pay_progress: communication timed out, query again',
      row: 'progress, not expired',
      column: 'pay_progress',
      word: '03',
    },
    {
      name: 'progress, expired x sync_error: A6, success with a defect, is neither paid nor closed',
      row: 'progress, expired',
      column: 'sync_error',
      word: 'A6',
      fault: null,
      expect: { errorCode: 'origRespCode A6' },
    },
    ...ERROR_FAULTS.flatMap((fault) => [
      {
        name: `progress, expired x sync_error: ${fault}`,
        row: 'progress, expired' as const,
        column: 'sync_error' as const,
        word: '05',
        fault,
      },
      {
        name: `success x sync_error: ${fault}`,
        row: 'success' as const,
        column: 'sync_error' as const,
        word: null,
        fault,
      },
    ]),
  ])
  runRefundCells(() => w, UNIONPAY, [
    {
      name: 'success x refund_progress: communication timed out',
      row: 'success',
      column: 'refund_progress',
      word: '03',
    },
    {
      name: 'progress, after grace x sync_error: bad_signature',
      row: 'progress, after grace',
      column: 'sync_error',
      fault: 'bad_signature',
    },
  ])
  runDecisionCells(() => w, UNIONPAY)
})
