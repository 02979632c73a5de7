import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { demoIds, demoLeft, olderBooks, tableCounts, type CountOf } from '../helpers/old-demo'
import { tempDir } from '../helpers/world'

// Removing an older version's sandbox demo from the desktop's file (docs/cli.md section 1.7,
// docs/team-mode.md B8.20) when that demo had its bill days reconciled: its statements reference its
// merchants (migration 013), and the removal used to fail on that foreign key, leaving the demo for good.

describe('the old demo removed from books where it reconciled its bill days', () => {
  let dir: string
  let sim: Simulator
  beforeAll(async () => {
    dir = tempDir()
    sim = await startSimulator({
      scenario: { merchants: [{ name: 'shop', channel: 'alipay' }], orders: [], refunds: [] },
    })
  })
  afterAll(async () => {
    await sim.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('takes its statements with it, leaves no row of it anywhere, and the real books as they were', async () => {
    const file = path.join(dir, 'older.db')
    const made = await olderBooks(file, sim)
    const ctx = new ServiceContext({ dbFile: file, transport: 'cli', operator: '王会计' })
    try {
      const count: CountOf = async (sql) => (ctx.db.prepare(sql).get() as { n: number }).n
      const ids = await demoIds(async (sql) => ctx.db.prepare(sql).all() as Array<{ id: number }>, made.demo)
      expect(ids.statements.length).toBeGreaterThan(0)
      expect(await count('SELECT count(*) AS n FROM statement_diffs')).toBeGreaterThan(0)
      const before = await tableCounts(count)
      const real = (sql: string) => count(`${sql} WHERE merchant_id = ${made.shop}`)
      const realBefore = [
        await real('SELECT count(*) AS n FROM pay_orders'),
        await real('SELECT count(*) AS n FROM sync_records'),
      ]

      const removed = await dispatch(ctx, 'merchants.removeDemo', {})
      expect(removed).toMatchObject({ merchants: made.demo.length, payOrders: ids.pays.length })
      expect(removed.refunds).toBe(ids.refunds.length)
      expect(removed.records).toBe(ids.records.length)
      expect(await demoLeft(count, ids)).toEqual({})
      // The person's own rows stay, and the batch that held a demo trade beside a real one holds the real one.
      expect([
        await real('SELECT count(*) AS n FROM pay_orders'),
        await real('SELECT count(*) AS n FROM sync_records'),
      ]).toEqual(realBefore)
      expect((await dispatch(ctx, 'batches.get', { id: made.mixedBatch })).total).toBe(1)
      const after = await tableCounts(count)
      expect(after.merchants).toBe(1)
      expect(after.pay_orders).toBe(before.pay_orders! - ids.pays.length)
      expect(after.statements).toBe(0)
      // The lists' kept counts agree with the rows left.
      expect((await dispatch(ctx, 'records.list', {})).total).toBe(after.sync_records)
      expect((await dispatch(ctx, 'orders.list', {})).total).toBe(after.pay_orders)
      const audit = ctx.db
        .prepare("SELECT operator, transport, detail FROM audit_log WHERE action = 'demo_removed'")
        .all() as Array<{ operator: string; transport: string; detail: string }>
      expect(audit).toEqual([{ operator: '王会计', transport: 'cli', detail: JSON.stringify(removed) }])
      expect((await dispatch(ctx, 'app.info', {})).demoInBooks).toEqual({ merchants: 0, trades: 0 })
      expect((await dispatch(ctx, 'merchants.removeDemo', {})).merchants).toBe(0)
    } finally {
      await ctx.close()
    }
  }, 120_000)
})
