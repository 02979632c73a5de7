import { describe, expect, it } from 'vitest'
import { expectedFeeFen, feeDeviates, feeRateMillionths } from '../../src/main/engine/reconcile/fees'
import { wechatProfileSchema } from '../../src/shared/profiles'
import { bj } from '../helpers/statements'
import {
  anomaliesOf,
  diffsOf,
  linesOf,
  reconcileWechat,
  reconcileWorlds,
  setMerchantSettings,
  syncRecordsOf,
} from '../helpers/reconcile'
import type { World } from '../helpers/world'

// docs/reconcile.md A7 `fee_deviation` and A10: with the profile's feeRate, a line whose fee is more
// than one fen from round_half_up(amount × rate) is reported, in exact money; nothing is synced or
// opened for it and the day still balances.

const D = '2026-10-03'
const open = reconcileWorlds(['wx'])

describe('the rate and the expected fee, exactly', () => {
  it('reads a percentage with up to four decimals as millionths, and nothing else', () => {
    expect(feeRateMillionths('0.60%')).toBe(6000)
    expect(feeRateMillionths('0.6%')).toBe(6000)
    expect(feeRateMillionths(' 1.2345% ')).toBe(12345)
    expect(feeRateMillionths('100%')).toBe(1_000_000)
    for (const bad of [undefined, '', '0.60', '0.12345%', '101%', '-0.6%', '0,6%', '1e-3%'])
      expect(feeRateMillionths(bad), String(bad)).toBeNull()
  })

  it('rounds half up in fen: 6.00 at 0.60% is 0.04 (the WxJava sample), 2.50 at 0.60% is 0.02', () => {
    expect(expectedFeeFen(600, 6000)).toBe(4)
    expect(expectedFeeFen(250, 6000)).toBe(2)
    expect(expectedFeeFen(249, 6000)).toBe(1)
    expect(expectedFeeFen(0, 6000)).toBe(0)
    // 10^13 fen at 38%: the product is past 2^53, still exact.
    expect(expectedFeeFen(10_000_000_000_000, 380_000)).toBe(3_800_000_000_000)
  })

  it('reports more than one fen off, either sign as the file writes it', () => {
    expect(feeDeviates(4000, 600, 6000)).toBe(false)
    expect(feeDeviates(-4000, 600, 6000)).toBe(false)
    expect(feeDeviates(61_000, 10_000, 6000)).toBe(false)
    expect(feeDeviates(61_001, 10_000, 6000)).toBe(true)
    expect(feeDeviates(58_999, 10_000, 6000)).toBe(true)
    expect(feeDeviates(0, 10_000, 6000)).toBe(true)
  })

  it('the profile takes feeRate as the bills print it and refuses anything else', () => {
    const rate = wechatProfileSchema.shape.feeRate
    expect(rate.parse(' 0.60% ')).toBe('0.60%')
    expect(rate.parse(undefined)).toBeUndefined()
    for (const bad of ['0.60', '0.60 %', '0.12345%', '100.5%', '1,5%'])
      expect(rate.safeParse(bad).success, bad).toBe(false)
  })
})

describe('fee_deviation in a run', () => {
  it('reports the lines off the rate, on the fee tab, counted in the JSON; no sync, no anomaly, balanced', async () => {
    const w: World = await open()
    const at = bj(`${D} 10:00:00`)
    const pay = (orderNo: string, amount: number) =>
      w.payOrder({ merchant: 'wx', orderNo, amount, status: 'success', paidAt: at })
    const ids = [pay('PSF1', 600), pay('PSF2', 10_000), pay('PSF3', 10_000), pay('PSF4', 10_000)]
    w.refund({ merchant: 'wx', payOrderId: ids[3]!, refundNo: 'RFF4', amount: 10_000, status: 'success' })
    const rows = [
      { kind: 'pay' as const, orderNo: 'PSF1', amount: 600, time: at, feeE5: 4000 },
      { kind: 'pay' as const, orderNo: 'PSF2', amount: 10_000, time: at, feeE5: 61_000 },
      { kind: 'pay' as const, orderNo: 'PSF3', amount: 10_000, time: at, feeE5: 62_000 },
      { kind: 'pay' as const, orderNo: 'PSF4', amount: 10_000, time: at, feeE5: 60_000 },
      {
        kind: 'refund' as const,
        orderNo: 'PSF4',
        refundNo: 'RFF4',
        amount: 10_000,
        time: at,
        feeE5: -10_000,
      },
    ]
    const without = await reconcileWechat(w, D, rows, { dryRun: true })
    expect(without.diffs.fee_deviation).toBe(0)

    setMerchantSettings(w, 'wx', { feeRate: '0.60%' })
    const run = await reconcileWechat(w, D, rows)
    expect(run.diffs.fee_deviation).toBe(2)
    expect(run.matched).toBe(5)
    expect(run.result).toBe('balanced')
    expect(run.actions).toMatchObject({ syncQueued: 0, anomaliesOpened: 0 })
    for (const id of ids) expect(syncRecordsOf(w, 'pay', id)).toHaveLength(0)
    expect(anomaliesOf(w)).toHaveLength(0)

    const diffs = await diffsOf(w, run.statementId!)
    expect(diffs.map((d) => [d.kind, d.tradeType, d.orderNo, d.action, d.reasonText])).toEqual([
      ['fee_deviation', 'pay', 'PSF3', 'none', '手续费异常：PSF3 的手续费 0.62 元，按费率应为 0.60 元'],
      ['fee_deviation', 'refund', 'PSF4', 'none', '手续费异常：RFF4 的手续费 -0.10 元，按费率应为 0.60 元'],
    ])
    expect(diffs[0]!.label).toBe('手续费不匹配')
    // The lines stay matched; the deviation names its line.
    const lines = await linesOf(w, run.statementId!)
    const line = lines.find((l) => l.orderNo === 'PSF3' && l.kind === 'pay')!
    expect(line.matchState).toBe('matched')
    expect(diffs[0]!.lineId).toBe(line.id)

    // The same file again: the same differences, the same ids.
    const again = await reconcileWechat(w, D, rows)
    expect(again.diffs.fee_deviation).toBe(2)
    expect((await diffsOf(w, again.statementId!)).map((d) => d.id)).toEqual(diffs.map((d) => d.id))
  })
})
