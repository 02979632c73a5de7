import { describe, expect, it } from 'vitest'
import {
  aboutAnotherTrade,
  busyStatus,
  callMeta,
  connectionReport,
  malformed,
  payFailure,
  transportFailure,
} from '../../src/main/gateways/kit'

// The answer plumbing every adapter shares. The adapters' own tests and the gateway fuzzer run it
// against the simulator; these pin the rules themselves, the security check above all.

describe('aboutAnotherTrade', () => {
  it('refuses an answer that names another number than the one asked by', () => {
    expect(
      aboutAnotherTrade({ out_trade_no: 'B', trade_status: 'TRADE_SUCCESS' }, { out_trade_no: 'A' }),
    ).toEqual({
      code: 'mismatch',
      msg: 'the answer is about out_trade_no B, not A that was asked about',
    })
    // Numbers are compared as text: a number the gateway wrote as JSON number is the same trade.
    expect(aboutAnotherTrade({ refundNo: 12345 }, { refundNo: '12345' })).toBeNull()
    expect(aboutAnotherTrade({ refundNo: 12346 }, { refundNo: '12345' })?.code).toBe('mismatch')
  })

  it('checks every number asked by, in the order given, merchant ids too', () => {
    const said = { out_trade_no: 'A', mchid: '1900000002' }
    expect(aboutAnotherTrade(said, { out_trade_no: 'A', mchid: '1900000001' })?.msg).toBe(
      'the answer is about mchid 1900000002, not 1900000001 that was asked about',
    )
    expect(aboutAnotherTrade({ a: 'x', b: 'y' }, { a: '1', b: '2' })?.msg).toMatch(/about a x/)
  })

  it('counts a number the answer names, even empty, as a claim', () => {
    expect(aboutAnotherTrade({ orderId: '' }, { orderId: 'A' })?.code).toBe('mismatch')
  })

  it('passes what the answer does not name, and what was not asked', () => {
    expect(aboutAnotherTrade({}, { out_trade_no: 'A' })).toBeNull()
    expect(aboutAnotherTrade({ out_trade_no: null }, { out_trade_no: 'A' })).toBeNull()
    // A refund asked about before its gateway number is known: that number is not compared.
    expect(aboutAnotherTrade({ refundNo: 'R9' }, { refundNo: null, bizRefundNo: undefined })).toBeNull()
    expect(aboutAnotherTrade({ refundNo: 'R9' }, { refundNo: '' })).toBeNull()
  })
})

describe('answers without a state', () => {
  const meta = { attempts: 2, latencyMs: 31, serverTime: 1_700_000_000_000 }

  it('a failure keeps the text and the call, and records its code as the raw status unless told', () => {
    expect(payFailure(meta, { code: 'bad_signature', msg: 'no', raw: '{}' })).toEqual({
      status: 'sync_error',
      rawStatus: 'bad_signature',
      rawText: '{}',
      errorCode: 'bad_signature',
      errorMsg: 'no',
      amount: null,
      gatewayTradeNo: null,
      paidAt: null,
      ...meta,
    })
    expect(payFailure(meta, { code: 'pay_fail', msg: 'x', raw: null }, 'pay_fail_word').rawStatus).toBe(
      'pay_fail_word',
    )
  })

  it('an unknown word keeps what was read and has no state', () => {
    const read = {
      rawStatus: 'ODD',
      rawText: '{}',
      amount: 100,
      gatewayTradeNo: 'T1',
      paidAt: 5,
      ...meta,
    }
    expect(malformed(read, 'unknown word')).toEqual({
      ...read,
      status: 'sync_error',
      errorCode: 'malformed',
      errorMsg: 'unknown word',
    })
  })

  it('a call that got nothing back has no server time and keeps the last body', () => {
    const ex = {
      ok: false as const,
      failure: { code: 'timeout' as const, message: 'the gateway did not answer in time' },
      attempts: 3,
      latencyMs: null,
      lastResponse: { status: 502, headers: {}, body: 'bad gateway' },
    }
    expect(callMeta(ex)).toEqual({ attempts: 3, latencyMs: null, serverTime: null })
    expect(transportFailure(ex)).toEqual({
      kind: 'error',
      code: 'timeout',
      msg: 'the gateway did not answer in time',
      raw: 'bad gateway',
    })
  })
})

describe('connectionReport', () => {
  it('a verified answer is a working connection unless the gateway refused us', () => {
    expect(connectionReport({ kind: 'answer', reply: '40004 ACQ.TRADE_NOT_EXIST' }, 0, 12)).toEqual({
      ok: true,
      signatureValid: true,
      clockSkewMs: 0,
      latencyMs: 12,
      message: 'signed answer verified (40004 ACQ.TRADE_NOT_EXIST)',
      reply: '40004 ACQ.TRADE_NOT_EXIST',
    })
    expect(connectionReport({ kind: 'answer', reply: 'respCode 11', accepted: false }, null, 5).ok).toBe(
      false,
    )
  })

  it('says the signature failed only when a signed answer did not verify', () => {
    const no = (code: string) =>
      connectionReport({ kind: 'error', code, msg: 'm', raw: null }, null, null).signatureValid
    expect(no('bad_signature')).toBe(false)
    expect(no('probe_signature')).toBe(false)
    expect(no('timeout')).toBeNull()
    expect(no('missing_signature')).toBeNull()
    expect(
      connectionReport({ kind: 'error', code: 'refused', msg: 'no', raw: null }, null, null),
    ).toMatchObject({
      ok: false,
      message: 'refused: no',
    })
  })
})

describe('busyStatus', () => {
  it('asks again after a server error or too many requests, never after a refusal', () => {
    expect([500, 502, 503, 504, 429].map(busyStatus)).toEqual([true, true, true, true, true])
    expect([200, 204, 400, 401, 403, 404, 409].filter((s) => busyStatus(s))).toEqual([])
  })
})
