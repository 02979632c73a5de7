import { describe, expect, it } from 'vitest'
import { seedFrom } from '../helpers/prng'
import { runStatementFuzz } from '../helpers/statement-fuzz'

// The statement fuzzer at a size for every run: what each input must satisfy is in
// ../helpers/statement-fuzz.ts. Replay a failure with FUZZ_SEED=<seed>.

describe('statement fuzzing', () => {
  it('damaged Alipay, WeChat and UnionPay files: a refusal by line and reason, or lines their text proves', async () => {
    const seed = seedFrom('FUZZ_SEED', 20261003, 'statement fuzz')
    const report = await runStatementFuzz({ seed, cases: 300 })
    console.log(`statement fuzz: ${JSON.stringify(report)}`)
    expect(report.cases).toBe(900)
    expect(report.refused).toBeGreaterThan(300)
    expect(report.parsed).toBeGreaterThan(50)
    for (const reason of [
      'summary_mismatch',
      'column_count',
      'bad_amount',
      'missing_backtick',
      'bad_archive',
    ])
      expect(report.byReason[reason], reason).toBeGreaterThan(0)
  }, 180_000)
})
