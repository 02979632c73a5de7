import { describe, expect, it } from 'vitest'
import { clockSkewMs } from '../../src/main/gateways/http'

// Gateways write their time in whole seconds; the skew shown beside a merchant must not turn that
// truncation into a false "+834 ms".
describe('clock skew from a time written in whole seconds', () => {
  const D = Date.UTC(2026, 10, 20, 2, 0, 0)
  it('is zero for a gateway whose clock agrees, wherever in the second the answer came', () => {
    for (const after of [0, 150, 499, 850, 999]) expect(clockSkewMs(D + after + 40, D, 80)).toBe(0)
  })
  it('is whole seconds, signed: positive when this computer is ahead', () => {
    expect(clockSkewMs(D + 3_400, D, 100)).toBe(3_000)
    expect(clockSkewMs(D - 5_000 + 600, D, 20)).toBe(-5_000)
  })
  it('is unknown without a server time', () => {
    expect(clockSkewMs(D, null, 10)).toBeNull()
  })
})
