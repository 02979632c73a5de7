import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { formatBeijing, parseBeijing } from '../../src/shared/time'
import { ServiceContext } from '../../src/main/services/context'
import { reconcileDemoDays, startDemoWorld, type DemoWorld } from '../../src/main/services/demo'
import { dispatch } from '../../src/main/services/index'
import { tempDir } from '../helpers/world'
import fs from 'node:fs'

// Issue 12, item 8: the demo (`paysync demo`, the sandbox of the first start) reconciles past days of
// every channel with bills against the simulator's own bills, so the 对账 screens open on a balanced
// day, an unbalanced one whose differences are of several kinds, each with its reason, a day waiting
// for the next day's bill, and yesterday, whatever the hour the demo starts.

const DAY_MS = 86_400_000

let ctx: ServiceContext | undefined
let world: DemoWorld | undefined
let dir: string | undefined
afterEach(async () => {
  await ctx?.close()
  await world?.sim.close()
  ctx = undefined
  world = undefined
  vi.useRealTimers()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** The demo's merchants whose channel has bills, by name. */
async function billMerchants(c: ServiceContext): Promise<string[]> {
  return (await dispatch(c, 'merchants.list', {}))
    .filter((m) => m.channel !== 'daxpay')
    .map((m) => m.name)
    .sort()
}

/**
 * Runs the demo with the clock at `hour` Beijing, on a day two days back (so no worker thread sees a
 * time ahead of its own). The clock is set for the whole process: the context, the simulator and the
 * adapters' signatures all read it.
 */
async function demoAt(hour: string) {
  const today = formatBeijing(Date.now() - 2 * DAY_MS).slice(0, 10)
  const start = parseBeijing(`${today} ${hour}:00`)!
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
  vi.setSystemTime(start)
  dir = tempDir()
  ctx = new ServiceContext({ dbFile: path.join(dir, 'demo.db'), transport: 'cli', operator: 'demo' })
  world = await startDemoWorld(ctx)
  const bills = await reconcileDemoDays(ctx, world.sim)
  return {
    bills,
    ctx,
    yesterday: formatBeijing(start - DAY_MS).slice(0, 10),
    dayBefore: formatBeijing(start - 2 * DAY_MS).slice(0, 10),
  }
}

describe('the demo’s bill days', () => {
  it('every merchant with bills has a balanced, an unbalanced and a waiting day, and yesterday, the differences explained', async () => {
    // At 23:00 the demo's own day of orders (the oldest made 25 hours before) has none paid
    // yesterday, so every day holds the planned trades only, and their differences can be counted.
    const { bills, ctx: c } = await demoAt('23:00')

    const merchants = await billMerchants(c)
    expect(merchants).toEqual(['demo-alipay', 'demo-unionpay', 'demo-wechat', 'demo-wechat-sp'])
    const list = (await dispatch(c, 'statements.list', { limit: 100 })).items
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
        ['download', 'matched', 'unbalanced'],
      ])
    }
    expect(bills.runs).toHaveLength(merchants.length * 4)

    for (const run of bills.runs.filter((r) => r.result === 'unbalanced')) {
      const where = `${run.merchant} ${run.billDate}`
      expect(run.verified, where).toBe(true)
      expect(run.diffs, where).toMatchObject({
        local_not_success: 1,
        amount_mismatch: 1,
        local_only: 1,
        gateway_only: 1,
      })
      const diffs = (await dispatch(c, 'statements.diffs', { id: run.statementId!, limit: 50 })).items
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

  // The simulator makes a day's bill at 09:00 the next day, as the channels do; the demo's own
  // gateway has yesterday's out at once, so an early-morning start shows it too. At 08:00 yesterday's
  // bill also holds payments of the demo's own day of orders, made the evening before.
  it.each(['08:00', '23:00'])(
    'run at %s Beijing, yesterday is reconciled for every merchant with bills',
    async (hour) => {
      const { bills, ctx: c, yesterday, dayBefore } = await demoAt(hour)
      const merchants = await billMerchants(c)
      expect(merchants).toHaveLength(4)
      for (const merchant of merchants) {
        const run = bills.runs.find((r) => r.merchant === merchant && r.billDate === yesterday)
        expect(run, `${merchant} ${yesterday}`).toMatchObject({
          source: 'download',
          verified: true,
          status: 'matched',
          result: 'unbalanced',
          errorCode: null,
        })
        const diffs = (await dispatch(c, 'statements.diffs', { id: run!.statementId!, limit: 50 })).items
        expect(diffs.map((d) => d.kind)).toEqual(
          expect.arrayContaining(['local_not_success', 'amount_mismatch', 'local_only', 'gateway_only']),
        )
        for (const d of diffs) expect(d.reasonText, `${merchant} ${d.kind}`).toMatch(/：/)
        // The day before yesterday is the newcomer's to reconcile, by hand or with a file.
        const left = await dispatch(c, 'statements.list', { merchant, since: dayBefore, until: dayBefore })
        expect(left.total, `${merchant} ${dayBefore}`).toBe(0)
      }
    },
    120_000,
  )
})
