import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runBillFuzz } from '../helpers/bill-fuzz'
import { runGatewayFuzz } from '../helpers/gateway-fuzz'
import { runImportFuzz } from '../helpers/import-fuzz'
import { seedFrom } from '../helpers/prng'
import { runStatementFuzz } from '../helpers/statement-fuzz'
import { createWorld, type World } from '../helpers/world'

// The long fuzz runs (issue 6, item 4; issue 12, item 3): the import pipeline, every gateway answer
// parser, the statement parsers and the bill applications, over more inputs and several seeds: three fixed ones, and two that change from run to run so that
// every CI run looks somewhere new. Every seed is printed; FUZZ_SEED=n replays a run from seed n.
// The properties checked are in ../helpers/import-fuzz.ts, ../helpers/gateway-fuzz.ts,
// ../helpers/statement-fuzz.ts and ../helpers/bill-fuzz.ts; the default suite runs each briefly.

const first = seedFrom('FUZZ_SEED', Math.floor(Date.now() / 1000) % 1_000_000, 'long fuzz (varied seeds)')
const SEEDS = process.env.FUZZ_SEED ? [first] : [101, 202, 303, first, first + 1]
/**
 * Seeds of the gateway fuzz that once found a bug, kept so that every run checks its fix: 417939
 * changed the case of a member of a DaxPay 3.x answer, which its signature does not cover; 510579 put
 * a line break after a UnionPay answer's traceTime, which its signature (over trimmed values) does not
 * cover either, and the time was then read as none.
 */
const GATEWAY_FOUND = process.env.FUZZ_SEED ? [] : [417939, 510579]

describe('import fuzzing, long', () => {
  let w: World
  beforeAll(async () => {
    w = await createWorld({
      merchants: [
        { name: 'ali', channel: 'alipay' },
        { name: 'wx', channel: 'wechat' },
      ],
    })
  })
  afterAll(async () => {
    await w.close()
  })

  for (const seed of SEEDS) {
    it(`seed ${seed}: random, mutated, re-encoded lists, intact and damaged XLSX`, async () => {
      const report = await runImportFuzz({
        seed,
        cases: 3000,
        xlsxCases: 100,
        damagedXlsx: 0.5,
        world: w,
        merchants: ['ali', 'wx'],
      })
      console.log(`import fuzz seed ${seed}: ${JSON.stringify(report)}`)
      expect(report.cases).toBe(3100)
      expect(report.rejectedRows).toBeGreaterThan(0)
    }, 300_000)
  }
})

describe('gateway answer fuzzing, long', () => {
  const seeds = [...SEEDS, ...GATEWAY_FOUND]
  it(`seeds ${seeds.join(', ')}: damaged answers are errors or read as the undamaged ones`, async () => {
    const report = await runGatewayFuzz({ seeds, casesPerSeed: 5000, big: true })
    console.log(`gateway fuzz: ${JSON.stringify(report)}`)
    expect(report.cases).toBe(seeds.length * 5000)
  }, 600_000)
})

describe('statement fuzzing, long', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: damaged Alipay zips and CSVs, WeChat bills, UnionPay ZM files`, async () => {
      const report = await runStatementFuzz({ seed, cases: 2000 })
      console.log(`statement fuzz seed ${seed}: ${JSON.stringify(report)}`)
      expect(report.cases).toBe(6000)
      expect(report.refused).toBeGreaterThan(2000)
      expect(report.parsed).toBeGreaterThan(300)
    }, 600_000)
  }
})

describe('bill application fuzzing, long', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: damaged bill answers fail with nothing written, or read as the undamaged ones`, async () => {
      const report = await runBillFuzz({ seed, cases: 2000 })
      console.log(`bill fuzz seed ${seed}: ${JSON.stringify(report)}`)
      expect(report.cases).toBe(2000)
      expect(report.errors).toBeGreaterThan(1000)
    }, 600_000)
  }
})
