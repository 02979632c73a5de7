import { describe, expect, it } from 'vitest'
import { runKillLoop } from '../helpers/kill-loop'
import { seedFrom } from '../helpers/prng'

// kill -9 at random points of a batch, many times over (issue 6, item 2): twenty rounds of a batch on
// every channel, its runner killed at a drawn point, half the rounds a resume killed again (from its
// start-up to mid-batch), then resumed to the end. The checks of each round and after each kill are
// in ../helpers/kill-loop.ts. The kill points come from a printed seed (KILL_SEED to replay one).

describe('kill -9 loop', () => {
  it('twenty rounds: opens after every kill, resumes to the end, nothing synced or repaired twice', async () => {
    const seed = seedFrom('KILL_SEED', 20_261_106, 'kill loop')
    const report = await runKillLoop({ rounds: 20, copies: 3, seed })
    console.log(`kill loop: ${JSON.stringify(report)}`)
    expect(report.rounds).toBe(20)
    // Most kills must land mid-run, or the loop tested little.
    expect(report.runnerKills).toBeGreaterThanOrEqual(15)
    expect(report.resumeKills).toBeGreaterThanOrEqual(8)
  }, 900_000)
})
