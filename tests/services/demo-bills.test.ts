import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { reconcileDemoDays, startDemoWorld, type DemoWorld } from '../../src/main/services/demo'
import { dispatch } from '../../src/main/services/index'
import { tempDir } from '../helpers/world'
import fs from 'node:fs'

// Issue 12, item 8: the demo (`paysync demo`, the sandbox of the first start) reconciles past days of
// every channel with bills against the simulator's own bills, so the 对账 screens open on a balanced
// day, an unbalanced one whose differences are of several kinds, each with its reason, and a day
// waiting for the next day's bill.

let ctx: ServiceContext | undefined
let world: DemoWorld | undefined
let dir: string | undefined
afterEach(async () => {
  await ctx?.close()
  await world?.sim.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

describe('the demo’s bill days', () => {
  it('every merchant with bills has a balanced, an unbalanced and a waiting day, the differences explained', async () => {
    dir = tempDir()
    ctx = new ServiceContext({ dbFile: path.join(dir, 'demo.db'), transport: 'cli', operator: 'demo' })
    world = await startDemoWorld(ctx)
    const bills = await reconcileDemoDays(ctx, world.sim)

    const merchants = (await dispatch(ctx, 'merchants.list', {}))
      .filter((m) => m.channel !== 'daxpay')
      .map((m) => m.name)
      .sort()
    expect(merchants).toEqual(['demo-alipay', 'demo-unionpay', 'demo-wechat', 'demo-wechat-sp'])
    const list = (await dispatch(ctx, 'statements.list', { limit: 100 })).items
    for (const merchant of merchants) {
      const days = list
        .filter((s) => s.merchant === merchant)
        .sort((a, b) => a.billDate.localeCompare(b.billDate))
      expect(
        days.map((s) => [s.source, s.status, s.result]),
        merchant,
      ).toEqual([
        ['download', 'matched', 'balanced'],
        ['download', 'matched', 'unbalanced'],
        ['download', 'matched', 'pending_cross_day'],
      ])
    }
    expect(bills.runs).toHaveLength(merchants.length * 3)

    for (const run of bills.runs.filter((r) => r.result === 'unbalanced')) {
      const where = `${run.merchant} ${run.billDate}`
      expect(run.verified, where).toBe(true)
      expect(run.diffs, where).toMatchObject({
        local_not_success: 1,
        amount_mismatch: 1,
        local_only: 1,
        gateway_only: 1,
      })
      const diffs = (await dispatch(ctx, 'statements.diffs', { id: run.statementId!, limit: 50 })).items
      for (const d of diffs) expect(d.reasonText, `${where} ${d.kind}`).toMatch(/：/)
      // The verified syncs did their part: the lost callback repaired, the rest for a person.
      expect(diffs.find((d) => d.kind === 'local_not_success')).toMatchObject({ status: 'resolved' })
      expect(diffs.find((d) => d.kind === 'amount_mismatch')).toMatchObject({ action: 'anomaly_opened' })
      expect(diffs.find((d) => d.kind === 'local_only')).toMatchObject({ action: 'anomaly_opened' })
      expect(diffs.find((d) => d.kind === 'gateway_only')).toMatchObject({ action: 'anomaly_opened' })
    }
    for (const run of bills.runs.filter((r) => r.result === 'pending_cross_day'))
      expect(run.carried, `${run.merchant} ${run.billDate}`).toBe(1)
  }, 120_000)
})
