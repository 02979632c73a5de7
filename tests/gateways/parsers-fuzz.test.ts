import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_ANSWER_BYTES } from '../../src/main/gateways/http'
import {
  isError,
  meaning,
  outcome,
  runGatewayFuzz,
  startGatewayBench,
  type Captured,
  type Reply,
} from '../helpers/gateway-fuzz'
import { runBillFuzz } from '../helpers/bill-fuzz'
import { seedFrom } from '../helpers/prng'

// A short run of the gateway answer fuzzer (issue 6, item 4) over every adapter: Alipay, WeChat Pay
// (answers, payscore, the certificate download), UnionPay and DaxPay 2.x and 3.x. The long run with
// varied seeds is in tests/reliability/fuzz.test.ts; what each answer must satisfy is in
// ../helpers/gateway-fuzz.ts. Below it, each defect the fuzzer found, pinned as a plain case.

describe('gateway answer fuzzing', () => {
  it('a damaged answer is a normalised error or reads exactly as the undamaged one', async () => {
    const seed = seedFrom('FUZZ_SEED', 1, 'gateway fuzz')
    const report = await runGatewayFuzz({ seeds: [seed], casesPerSeed: 1500 })
    console.log(`gateway fuzz: ${JSON.stringify(report)}`)
    expect(report.cases).toBe(1500)
    // Most damage must be refused, and some must be harmless (whitespace, reordered pairs), or the
    // fuzzer is not reaching the parsers.
    expect(report.errors).toBeGreaterThan(750)
    expect(report.sameAsBaseline).toBeGreaterThan(50)
    // The replay and size cases reach the checks they are for.
    expect(report.replayRefused).toBeGreaterThan(5)
    expect(report.tooLarge).toBeGreaterThan(50)
  }, 180_000)
})

describe('bill application fuzzing (issue 12, item 3)', () => {
  it('a damaged bill answer is a failure with nothing written, or reads exactly as the undamaged one', async () => {
    const seed = seedFrom('FUZZ_SEED', 1, 'bill fuzz')
    const report = await runBillFuzz({ seed, cases: 300 })
    console.log(`bill fuzz: ${JSON.stringify(report)}`)
    expect(report.cases).toBe(300)
    expect(report.errors).toBeGreaterThan(150)
    expect(report.sameAsBaseline).toBeGreaterThan(5)
  }, 180_000)
})

describe('what the fuzzer found, pinned', () => {
  let bench: Awaited<ReturnType<typeof startGatewayBench>>
  let captured: Map<string, Captured>
  const reply = (name: string): Reply => captured.get(name)!.reply
  const text = (name: string) => reply(name).body.toString('utf8')
  const withBody = (r: Reply, body: string, status = r.status): Reply => ({
    status,
    headers: { ...r.headers },
    body: Buffer.from(body),
  })

  beforeAll(async () => {
    bench = await startGatewayBench()
    captured = await bench.capture()
  })
  afterAll(async () => {
    await bench.close()
  })

  it('Alipay: a second response node beside the signed one is refused, never read', async () => {
    const body = text('ali-close-paid')
    const signed = body.slice(body.indexOf(':') + 1, body.lastIndexOf(',"sign"'))
    const sign = body.slice(body.lastIndexOf('"sign"'), -1)
    const after = `{"alipay_trade_close_response":${signed},${sign},"alipay_trade_close_response":{"code":"10000","msg":"Success"}}`
    const close = await bench.ask(bench.scenario('ali-close-paid'), withBody(reply('ali-close-paid'), after))
    expect(close).toMatchObject({ result: 'error', errorCode: 'malformed' })

    const q = text('ali-pay-waiting')
    const node = q.slice(q.indexOf(':') + 1, q.lastIndexOf(',"sign"'))
    const forged = JSON.stringify({
      ...JSON.parse(node),
      trade_status: 'TRADE_SUCCESS',
      send_pay_date: '2026-01-01 00:00:00',
    })
    const hidden = `{"pad":{"alipay_trade_query_response":${node}},"alipay_trade_query_response":${forged},${q.slice(q.lastIndexOf('"sign"'))}`
    const pay = await bench.ask(bench.scenario('ali-pay-waiting'), withBody(reply('ali-pay-waiting'), hidden))
    expect(outcome(pay)).toBe('sync_error')
  })

  it('Alipay: a signed answer about another order is refused (a paid one, or a not-found one)', async () => {
    const paid = await bench.ask(bench.scenario('ali-pay-waiting'), reply('ali-pay-success'))
    expect(paid).toMatchObject({ status: 'sync_error', errorCode: 'mismatch' })
    const missing = await bench.ask(bench.scenario('ali-pay-success'), reply('ali-pay-missing'))
    expect(missing).toMatchObject({ status: 'sync_error', errorCode: 'mismatch' })
    const refund = await bench.ask(bench.scenario('ali-refund-success'), reply('ali-pay-success'))
    expect(isError(refund)).toBe(true)
  })

  it('Alipay: an unsigned refusal without a code still carries one', async () => {
    const a = await bench.ask(
      bench.scenario('ali-pay-success'),
      withBody(reply('ali-pay-success'), '{"error_response":{"msg":"Invalid"}}'),
    )
    expect(outcome(a)).toBe('sync_error')
    expect(a.errorCode).toMatch(/\S/)
  })

  it('WeChat Pay: a signed refusal sent with a success status is not a close, nor a payscore sync', async () => {
    const paid = await bench.ask(bench.scenario('wx-close-paid'), { ...reply('wx-close-paid'), status: 200 })
    expect(paid).toMatchObject({ result: 'not_closable', errorCode: 'ORDER_PAID' })
    const other = await bench.ask(bench.scenario('wx-close-open'), reply('wx-pay-success'))
    expect(outcome(other)).toBe('error')
    const sync = await bench.ask(bench.scenario('wx-payscore-sync-refused'), {
      ...reply('wx-payscore-sync-refused'),
      status: 200,
    })
    expect(sync).toMatchObject({ result: 'error', errorCode: 'INVALID_ORDER_STATE' })
  })

  it('WeChat Pay: a signed answer about another order is refused', async () => {
    const a = await bench.ask(bench.scenario('wx-pay-missing'), reply('wx-pay-success'))
    expect(a).toMatchObject({ status: 'sync_error', errorCode: 'mismatch' })
    const r = await bench.ask(
      bench.scenario('wx-refund-success'),
      withBody(reply('wx-pay-success'), text('wx-pay-success')),
    )
    expect(outcome(r)).toBe('sync_error')
  })

  it('WeChat Pay: a certificate download whose data is no list is an error, not a throw', async () => {
    const s = bench.scenario('wx-certificates')
    const certs = captured.get('wx-certificates')!.certificates!
    for (const data of ['5', '{"a":1}', 'true', '"text"', 'null']) {
      const a = await bench.ask(s, reply('wx-certificates'), withBody(certs, `{"data":${data}}`))
      expect(a).toMatchObject({ status: 'sync_error', errorCode: 'unknown_serial' })
    }
  })

  it('every channel: the text is kept exactly as it arrived, a leading byte-order mark too', async () => {
    for (const name of ['ali-pay-success', 'wx-pay-success', 'up-pay-success', 'dax3-pay-success']) {
      const body = `\uFEFF${text(name)}`
      const a = await bench.ask(bench.scenario(name), withBody(reply(name), body))
      expect(a.rawText, name).toBe(body)
    }
  })

  it('DaxPay 2.x: a signed refund answer about another refund is refused', async () => {
    const a = await bench.ask(bench.scenario('dax2-refund-progress'), reply('dax2-refund-success'))
    expect(a).toMatchObject({ status: 'sync_error', errorCode: 'mismatch' })
  })

  it('UnionPay: a signed "not found" about another order is refused', async () => {
    const a = await bench.ask(bench.scenario('up-pay-success'), reply('up-pay-missing'))
    expect(a).toMatchObject({ status: 'sync_error', errorCode: 'mismatch' })
  })
})

describe('answers already received, and answers over the size cap (issue 13: M1, M4)', () => {
  let bench: Awaited<ReturnType<typeof startGatewayBench>>
  let captured: Map<string, Captured>
  const replies = (name: string): Reply[] => captured.get(name)!.replies

  beforeAll(async () => {
    bench = await startGatewayBench()
    captured = await bench.capture()
  })
  afterAll(async () => {
    await bench.close()
  })

  it('WeChat Pay and DaxPay 3.x: an answer the adapter already had is refused as replayed, for any question', async () => {
    for (const name of ['wx-pay-success', 'wx-pay-missing', 'dax3-pay-success', 'dax3-pay-missing']) {
      const again = await bench.ask(bench.scenario(name), replies(name), null, true)
      expect(again, name).toMatchObject({ status: 'sync_error', errorCode: 'replayed' })
      expect(again.errorMsg, name).toMatch(/already received \d+ s ago/)
      // The same answers, new to a fresh adapter, read as they did.
      const fresh = await bench.ask(bench.scenario(name), replies(name))
      expect(outcome(fresh), name).toBe(outcome(await bench.ask(bench.scenario(name), replies(name))))
    }
    // WeChat's probe-style 404 of one order, sent as the answer about another: the review's close of
    // a paid order began so.
    const other = await bench.ask(bench.scenario('wx-pay-success'), replies('wx-pay-missing'), null, true)
    expect(other).toMatchObject({ status: 'sync_error', errorCode: 'replayed' })
  })

  it('UnionPay and Alipay answer one question with the same bytes each time: that is no replay', async () => {
    for (const name of ['up-pay-success', 'ali-pay-success']) {
      const again = await bench.ask(bench.scenario(name), replies(name), null, true)
      expect(meaning(again), name).toBe(captured.get(name)!.meaning)
    }
  })

  it('every channel: an answer over the size cap is too_large and nothing of it is kept', async () => {
    for (const name of [
      'ali-pay-success',
      'wx-pay-success',
      'up-pay-success',
      'dax3-pay-success',
      'dax2-pay-success',
    ]) {
      const [first, ...rest] = replies(name)
      const big: Reply = { ...first!, body: Buffer.alloc(MAX_ANSWER_BYTES + 1, 0x20) }
      const a = await bench.ask(bench.scenario(name), [big, ...rest])
      expect(a, name).toMatchObject({ status: 'sync_error', errorCode: 'too_large', rawText: null })
    }
    // DaxPay's order read after its sync, too large: an error, and the sync answer is still kept.
    const [sync, order] = replies('dax3-pay-success')
    const a = await bench.ask(bench.scenario('dax3-pay-success'), [
      sync!,
      { ...order!, body: Buffer.alloc(MAX_ANSWER_BYTES * 2, 0x20) },
    ])
    expect(a).toMatchObject({ status: 'sync_error', errorCode: 'too_large', amount: null })
    expect(a.rawText).toBe(sync!.body.toString('utf8'))
  })
})
