import { describe, expect, it } from 'vitest'
import { BATCH_LIMITS, batchStartSchema, importRunSchema } from '../../src/shared/contract'

// The window's concurrency and QPS inputs take their bounds from BATCH_LIMITS: main must accept
// exactly that range, by both ways a batch starts, or the window offers what main refuses.

const start = (concurrency: number, qps: number) =>
  batchStartSchema.safeParse({ pending: true, concurrency, qps }).success
const run = (concurrency: number, qps: number) =>
  importRunSchema.safeParse({ file: 'a.csv', sync: { concurrency, qps } }).success

describe('BATCH_LIMITS', () => {
  it.each([
    ['batches.start', start],
    ['imports.run', run],
  ])('%s accepts the bounds and refuses one step past them', (_, accepts) => {
    const [cMin, cMax] = BATCH_LIMITS.concurrency
    const [qMin, qMax] = BATCH_LIMITS.qps
    expect(accepts(cMin, qMin)).toBe(true)
    expect(accepts(cMax, qMax)).toBe(true)
    expect(accepts(cMin - 1, qMin)).toBe(false)
    expect(accepts(cMax + 1, qMin)).toBe(false)
    expect(accepts(cMin, qMin / 2)).toBe(false)
    expect(accepts(cMin, qMax + 1)).toBe(false)
    expect(accepts(2.5, qMin)).toBe(false)
  })
})
