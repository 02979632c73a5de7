import { describe, expect, it } from 'vitest'
import { RateGate } from '../../src/main/gateways/rate-gate'
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
