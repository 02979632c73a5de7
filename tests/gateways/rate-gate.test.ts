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

  it('lets the turns a pause left unused go at once, up to 50 ms of calls, then paces', async () => {
    // 200 a second: a call every 5.1 ms, so 50 ms hold 10.
    const gate = new RateGate(200, 25)
    // A gate's first call has nothing banked: the next one waits its turn.
    let first = 0
    const opening = [gate.take(), gate.take()].map((t) => t.then(() => (first += 1)))
    await new Promise((r) => setImmediate(r))
    expect(first).toBe(1)
    await Promise.all(opening)
    // Then a pause longer than the burst.
    await new Promise((r) => setTimeout(r, 80))
    let left = 0
    const takes = Array.from({ length: 12 }, () => gate.take().then(() => (left += 1)))
    // What goes at once has left before anything of the event loop's next phase runs.
    await new Promise((r) => setImmediate(r))
    expect(left).toBe(10)
    await Promise.all(takes)
    expect(left).toBe(12)
  })

  it('allows no burst at a rate too low for one within 50 ms', async () => {
    const gate = new RateGate(10, 25)
    let left = 0
    const takes = Array.from({ length: 2 }, () => gate.take().then(() => (left += 1)))
    await new Promise((r) => setImmediate(r))
    expect(left).toBe(1)
    await Promise.all(takes)
  })

  it('keeps any one-second window within the limit under a steady overload with bursts', async () => {
    const qps = 100
    const gate = new RateGate(qps, 10)
    const times: number[] = []
    // Callers that come in clumps, as answers read in one turn free their call slots together.
    for (let round = 0; round < 15; round++) {
      await Promise.all(
        Array.from({ length: 12 }, () => gate.take().then(() => times.push(performance.now()))),
      )
      await new Promise((r) => setTimeout(r, 20))
    }
    times.sort((a, b) => a - b)
    expect(busiestWindow(times, 1000)).toBeLessThanOrEqual(qps)
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
