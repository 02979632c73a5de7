import { describe, expect, it } from 'vitest'
import { SimState } from '../../src/main/gateways/simulator/state'
import { busiestWindow } from '../helpers/rate-window'
import { rng } from '../helpers/prng'

// `/_sim/stats` busiestSecond (docs/cli.md 2.2): the simulator keeps, as requests arrive, the most
// that any one-second window held, which `npm run bench` reads to judge a QPS limit that several
// processes share. Fed arrival times directly (no clock involved), it must agree with the windowed
// count the tests judge rate limits with, over all the arrivals at once.

/** Arrival times in ms, oldest first: bursts and lulls around `perSecond` a second. */
function arrivals(seed: number, n: number, perSecond: number): number[] {
  const r = rng(seed)
  const times: number[] = []
  let t = 1_000
  for (let i = 0; i < n; i++) {
    // Mostly evenly paced, sometimes a burst (several at the same instant), sometimes a pause.
    if (r.chance(0.05)) t += r.range(200, 1_500)
    else if (!r.chance(0.1)) t += r.next() * (2_000 / perSecond)
    times.push(t)
  }
  return times
}

describe('the simulator busiest second', () => {
  it('is the most arrivals any one-second window holds, as the tests count them', () => {
    for (const seed of [1, 2, 3, 42, 2026]) {
      const times = arrivals(seed, 3_000, 200)
      const state = new SimState()
      for (const t of times) state.arrived(t)
      expect(state.stats.busiestSecond).toBe(busiestWindow(times, 1_000))
    }
  })

  it('holds two arrivals 999 ms apart in one window, and not two a whole second apart', () => {
    const near = new SimState()
    for (const t of [0, 999]) near.arrived(t)
    expect(near.stats.busiestSecond).toBe(2)
    const apart = new SimState()
    for (const t of [0, 1_000]) apart.arrived(t)
    expect(apart.stats.busiestSecond).toBe(1)
  })

  it('starts again from nothing on a reset', () => {
    const state = new SimState()
    for (const t of [0, 1, 2, 3]) state.arrived(t)
    state.reset()
    state.arrived(4)
    expect(state.stats.busiestSecond).toBe(1)
  })
})
