import { describe, expect, it } from 'vitest'
import { secondsFigures, type Second } from '../../bench/shared-seconds'

// The bench's split of a shared batch's figure (docs/team-mode.md B8.10, "Where the orders go"): which
// second B ramped up in, and what the join and the slow seconds cost against the steady median.

const valueOf = (figures: ReturnType<typeof secondsFigures>, starts: string): number =>
  figures.find((f) => f.name.startsWith(`batch shared: ${starts}`))!.value

describe('where a shared batch’s orders go', () => {
  // Share 200 a runner. B's first record in second 1; it reaches 180 in second 3.
  const seconds: Second[] = [
    { a: 190, b: 0 }, // B registered, not yet calling
    { a: 190, b: 60 },
    { a: 195, b: 150 },
    { a: 195, b: 185 }, // ramp ends
    { a: 195, b: 195 }, // steady: 390
    { a: 195, b: 190 }, // 385
    { a: 150, b: 150 }, // a slow second: 300
    { a: 195, b: 195 }, // 390
    { a: 195, b: 0 }, // the end
  ]
  const figures = secondsFigures('', seconds, 1, 8, 200, 400)

  it('finds the ramp’s end at the first second B holds 90% of its share', () => {
    expect(valueOf(figures, "B's ramp")).toBe(2)
  })

  it('takes the median of the whole seconds after the ramp and before the end', () => {
    const median = figures.find((f) => f.name.includes('median'))!
    expect(median.value).toBe(387.5)
    expect(median.ratio).toBe(0.969)
  })

  it('counts what the join and the slow seconds lost against that median', () => {
    // (387.5 - 190) + (387.5 - 250) + (387.5 - 345) + (387.5 - 380)
    expect(valueOf(figures, 'orders the join cost')).toBe(385)
    // Only the slow second is under the median by much; 390 and 385 count for what they lack.
    expect(valueOf(figures, 'orders the slow seconds cost')).toBe(2.5 + 87.5)
  })

  it('says so when B never reached its share: a ramp to the end and no steady median', () => {
    const slow = secondsFigures(
      '',
      [
        { a: 190, b: 20 },
        { a: 190, b: 100 },
        { a: 190, b: 0 },
      ],
      0,
      2,
      200,
      400,
    )
    expect(valueOf(slow, "B's ramp")).toBe(2)
    expect(valueOf(slow, 'the median')).toBeNaN()
  })
})
