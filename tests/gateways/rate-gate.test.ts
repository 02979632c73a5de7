import { describe, expect, it } from 'vitest'
import { CallSlots, RateGate } from '../../src/main/gateways/rate-gate'
import { busiestWindow } from '../helpers/rate-window'

function block(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end);
}

describe('RateGate', () => {
  it('refuses a rate that is not positive', () => {
    expect(() => new RateGate(0)).toThrow(RangeError)
    expect(() => new RateGate(Number.NaN)).toThrow(RangeError)
  })

  it('spaces calls evenly under the limit', async () => {
    const gate = new RateGate(50, 10)
    const times: number[] = []
    await Promise.all(Array.from({ length: 60 }, () => gate.take().then(() => times.push(performance.now()))))
    times.sort((a, b) => a - b)
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(50)
    // Paced, not released in a burst: 60 calls at 50 a second take more than a second.
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(1000)
  })

  it('keeps any one-second window within the limit when the event loop stalls', async () => {
    const qps = 40
    const gate = new RateGate(qps, 10)
    const times: number[] = []
    const calls = Array.from({ length: 3 * qps }, () =>
      gate.take().then(() => {
        times.push(performance.now())
        // A long synchronous write after the tenth call: the turns that come meanwhile pile up.
        if (times.length === 10) block(600)
      }),
    )
    await Promise.all(calls)
    times.sort((a, b) => a - b)
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(qps)
  })
})

describe('CallSlots', () => {
  it('settles once the calls in flight are within a lower limit again', async () => {
    const slots = new CallSlots(4)
    const releases = await Promise.all([slots.acquire(), slots.acquire(), slots.acquire()])
    await slots.settled()
    slots.resize(1)
    let settled = false
    const waiting = slots.settled().then(() => (settled = true))
    releases[0]!()
    await Promise.resolve()
    expect(settled).toBe(false)
    releases[1]!()
    await waiting
    expect(settled).toBe(true)
    // A call waiting for a slot meanwhile starts only now the last old one is back.
    let started = false
    const next = slots.acquire().then((release) => ((started = true), release))
    await Promise.resolve()
    expect(started).toBe(false)
    releases[2]!()
    ;(await next)()
    expect(started).toBe(true)
  })
})
