import { describe, expect, it } from 'vitest'
import { REPLAY_KEEP_MS, ReplayCache } from '../../src/main/gateways/replay-cache'

// The replay cache every adapter keeps per merchant (docs/domain.md 6.4): a signed answer seen once is
// refused when it comes again, for as long as it could pass for fresh, in bounded memory.

function clock(start = 1_000_000) {
  let t = start
  return { now: () => t, pass: (ms: number) => (t += ms) }
}

describe('replay cache', () => {
  it('a key seen before is a replay, for any question, with the time and the first question named', () => {
    const c = clock()
    const cache = new ReplayCache(c.now)
    expect(cache.check('k1', { question: 'pay D3001' })).toBeNull()
    c.pass(12_000)
    const why = cache.check('k1', { question: 'pay D3002' })
    expect(why).toContain('12 s ago')
    expect(why).toContain('pay D3001')
    expect(why).toContain('pay D3002')
    // The same question is no excuse for a gateway whose answers are unique (a nonce, a trace id).
    expect(cache.check('k1', { question: 'pay D3001' })).not.toBeNull()
    expect(cache.check('k2', { question: 'pay D3002' })).toBeNull()
  })

  it('a gateway that answers the same question with the same bytes may say it again, to that question only', () => {
    const cache = new ReplayCache(clock().now)
    const same = { question: 'pay U1', sameQuestionRepeats: true }
    expect(cache.check('sig', same)).toBeNull()
    expect(cache.check('sig', same)).toBeNull()
    expect(cache.check('sig', { ...same, question: 'pay U2' })).not.toBeNull()
  })

  it('byte-identical twins within the twin time pass, later copies do not', () => {
    const c = clock()
    const cache = new ReplayCache(c.now)
    expect(cache.check('s', { question: 'pay A', twinMs: 3000 })).toBeNull()
    c.pass(2000)
    expect(cache.check('s', { question: 'pay B', twinMs: 3000 })).toBeNull()
    c.pass(2000)
    expect(cache.check('s', { question: 'pay C', twinMs: 3000 })).not.toBeNull()
  })

  it('an answer is forgotten once no copy of it could pass for fresh', () => {
    const c = clock()
    const cache = new ReplayCache(c.now)
    cache.check('old', { question: 'pay A' })
    c.pass(REPLAY_KEEP_MS - 1)
    expect(cache.check('old', { question: 'pay B' })).not.toBeNull()
    c.pass(1)
    expect(cache.check('old', { question: 'pay B' })).toBeNull()
  })

  it('memory stays bounded: entries expire, and past the capacity the oldest go first', () => {
    const c = clock()
    const cache = new ReplayCache(c.now, 60_000, 1000)
    for (let i = 0; i < 5000; i++) {
      cache.check(`k${i}`, { question: `pay ${i}` })
      c.pass(1)
    }
    expect(cache.size).toBe(1000)
    // The newest are still known, the oldest were let go.
    expect(cache.check('k4999', { question: 'pay x' })).not.toBeNull()
    expect(cache.check('k0', { question: 'pay x' })).toBeNull()
    c.pass(60_000)
    expect(cache.size).toBe(0)
  })
})
