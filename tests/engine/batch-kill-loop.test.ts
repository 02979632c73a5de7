import { describe, expect, it } from 'vitest'
import { runKillLoop } from '../helpers/kill-loop'
import { seedFrom } from '../helpers/prng'

// The short form of the reliability suite's kill loop (tests/reliability/kill-loop.test.ts): two
// rounds on every channel, each killing a resume as well.

describe('kill -9 at random points of a batch, twice', () => {
  it('each kill leaves a database that opens; resume finishes every item once, repairs as a clean run', async () => {
    const seed = seedFrom('KILL_SEED', 7, 'short kill loop')
    const report = await runKillLoop({ rounds: 2, copies: 1, seed, resumeKills: true, maxResumeKills: 1 })
    expect(report.rounds).toBe(2)
    expect(report.runnerKills + report.resumeKills).toBeGreaterThan(0)
  }, 120_000)
})
