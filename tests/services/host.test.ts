import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { startDemoWorld } from '../../src/main/services/demo'
import { startHost } from '../../src/main/services/host'
import { dispatch } from '../../src/main/services/index'
import { addMerchant } from '../../src/main/services/merchants'
import { runImport } from '../../src/main/services/imports'
import { sandboxDir } from '../../src/main/services/sandbox'
import { tempDir } from '../helpers/world'

// The start-up the desktop app and `paysync serve` share: the sandbox only while the books have no
// merchant of their own, and apart from them (issue 14, item 2): its demo lives in a database of its
// own, adding a real merchant takes the window to the books and ends the sandbox, and a fresh start,
// a look around, a real merchant and a restart leave the books holding nothing of the demo.

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

/** What the books file itself holds, read apart from the app. */
function booksHold(file: string): { merchants: string[]; orders: number; refunds: number; records: number } {
  const db = new Database(file, { readonly: true })
  try {
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n
    return {
      merchants: (
        db.prepare('SELECT name FROM merchants ORDER BY name').all() as Array<{ name: string }>
      ).map((m) => m.name),
      orders: n('SELECT count(*) AS n FROM pay_orders'),
      refunds: n('SELECT count(*) AS n FROM refund_orders'),
      records: n('SELECT count(*) AS n FROM sync_records'),
    }
  } finally {
    db.close()
  }
}

const shop = () => sim.profiles()[0]!

/** The pay orders the window lists, or the one with this number. */
async function orderIds(ctx: ServiceContext, no?: string): Promise<number[]> {
  const page = await dispatch(ctx, 'orders.list', { limit: 500, ...(no ? { no } : {}) })
  return page.items.map((o) => o.id)
}

describe('startHost', () => {
  it('on a first start: the sandbox with its demo in a database of its own, the books left empty', async () => {
    const file = path.join(dir, 'first.db')
    const ctx = new ServiceContext({ dbFile: file, transport: 'http' })
    const host = await startHost(ctx, { sandbox: true, schedules: true })
    const info = await dispatch(ctx, 'app.info', {})
    expect(info.sandbox.running).toBe(true)
    expect(info.schedules.running).toBe(true)
    expect(info.integrity.status).not.toBe('unchecked')
    expect(info.dbFile).toBe('first.db') // browser mode names the books, never their path
    // The window sees the demo...
    const merchants = await dispatch(ctx, 'merchants.list', {})
    expect(merchants.length).toBeGreaterThan(0)
    expect(merchants.every((m) => m.name.startsWith('demo-'))).toBe(true)
    expect((await dispatch(ctx, 'orders.list', {})).total).toBeGreaterThan(0)
    const synced = await dispatch(ctx, 'orders.sync', { ids: await orderIds(ctx) })
    expect(synced.total).toBeGreaterThan(0)
    // ...which is in the sandbox's folder beside the books, not in them.
    expect(booksHold(file)).toEqual({ merchants: [], orders: 0, refunds: 0, records: 0 })
    expect(fs.existsSync(path.join(sandboxDir(file), 'sandbox.db'))).toBe(true)
    expect(fs.statSync(sandboxDir(file)).mode & 0o777).toBe(0o700)
    const sandbox = ctx.sandbox!.url
    await host.stop()
    expect(ctx.db.open).toBe(false)
    await expect(fetch(`${sandbox}/_sim/stats`)).rejects.toThrow()
    // Stopping takes the sandbox with it.
    expect(fs.existsSync(sandboxDir(file))).toBe(false)
    expect(booksHold(file)).toEqual({ merchants: [], orders: 0, refunds: 0, records: 0 })
  })

  it('a look around, a real merchant, a restart: the window goes to the books, and they stay clean', async () => {
    const file = path.join(dir, 'journey.db')
    let ctx = new ServiceContext({ dbFile: file, transport: 'http' })
    let host = await startHost(ctx, { sandbox: true, schedules: true })
    const progress: number[] = []
    ctx.on('batch.progress', (p) => progress.push(p.batchId))
    // Looking around the sandbox: a batch with its progress, a decision, settings of the person's own.
    const batch = await dispatch(ctx, 'batches.start', { filter: {}, type: 'pay', name: 'look around' })
    await expect
      .poll(async () => (await dispatch(ctx, 'batches.get', { id: batch.id })).status, { timeout: 30_000 })
      .toBe('done')
    expect(progress).toContain(batch.id)
    const [anomaly] = (await dispatch(ctx, 'anomalies.list', { status: 'open' })).items
    await dispatch(ctx, 'anomalies.resolve', { id: anomaly!.id, action: 'dismiss', remark: '看看沙箱' })
    await dispatch(ctx, 'settings.set', { operatorName: '王会计', language: 'en-US' })
    const sandbox = ctx.sandbox!.url
    expect(booksHold(file).orders).toBe(0)

    // The first merchant of the person's own goes into the books and ends the sandbox.
    const added = await dispatch(ctx, 'merchants.add', shop())
    expect(added.name).toBe('shop')
    expect(ctx.sandbox).toBeNull()
    await expect(fetch(`${sandbox}/_sim/stats`)).rejects.toThrow()
    expect(fs.existsSync(sandboxDir(file))).toBe(false)
    const info = await dispatch(ctx, 'app.info', {})
    expect(info.sandbox).toEqual({ running: false, url: null })
    expect(info.schedules.running).toBe(true)
    expect(info.demoInBooks).toEqual({ merchants: 0, trades: 0 })
    // The window now shows the books: the merchant, none of the demo, the settings kept.
    expect((await dispatch(ctx, 'merchants.list', {})).map((m) => m.name)).toEqual(['shop'])
    expect((await dispatch(ctx, 'orders.list', {})).total).toBe(0)
    expect((await dispatch(ctx, 'records.list', {})).total).toBe(0)
    expect((await dispatch(ctx, 'anomalies.list', {})).total).toBe(0)
    expect((await dispatch(ctx, 'batches.list', {})).total).toBe(0)
    expect((await dispatch(ctx, 'overview.get', {})).today).toEqual({
      syncs: 0,
      repairs: 0,
      errors: 0,
      openAnomalies: 0,
    })
    expect(await dispatch(ctx, 'settings.get', {})).toMatchObject({
      operatorName: '王会计',
      language: 'en-US',
    })
    await host.stop()
    expect(booksHold(file)).toEqual({ merchants: ['shop'], orders: 0, refunds: 0, records: 0 })

    // A restart: the books have a merchant of their own, so no sandbox at all.
    ctx = new ServiceContext({ dbFile: file, transport: 'http' })
    host = await startHost(ctx, { sandbox: true, schedules: true })
    expect(ctx.sandbox).toBeNull()
    expect(fs.existsSync(sandboxDir(file))).toBe(false)
    expect((await dispatch(ctx, 'merchants.list', {})).map((m) => m.name)).toEqual(['shop'])
    await host.stop()
    expect(booksHold(file)).toEqual({ merchants: ['shop'], orders: 0, refunds: 0, records: 0 })
  })

  it('a sandbox a dead process left behind is made afresh at the next start', async () => {
    const file = path.join(dir, 'left.db')
    fs.mkdirSync(sandboxDir(file), { recursive: true })
    fs.writeFileSync(path.join(sandboxDir(file), 'sandbox.db'), 'what a crash left')
    const ctx = new ServiceContext({ dbFile: file, transport: 'http' })
    const host = await startHost(ctx, { sandbox: true, schedules: false })
    expect((await dispatch(ctx, 'orders.list', {})).total).toBeGreaterThan(0)
    await host.stop()
    expect(fs.existsSync(sandboxDir(file))).toBe(false)
  })

  it('with a real merchant: no sandbox; without schedules: none run, whatever Settings say', async () => {
    const ctx = new ServiceContext({ dbFile: path.join(dir, 'real.db'), transport: 'http' })
    await addMerchant(ctx, shop())
    const host = await startHost(ctx, { sandbox: true, schedules: false })
    const info = await dispatch(ctx, 'app.info', {})
    expect(info.sandbox).toEqual({ running: false, url: null })
    expect(info.schedules).toMatchObject({ enabled: true, running: false })
    expect((await dispatch(ctx, 'merchants.list', {})).map((m) => m.name)).toEqual(['shop'])
    await host.stop()
    expect(ctx.db.open).toBe(false)
  })

  it('asked for no sandbox, starts none even on an empty database', async () => {
    const ctx = new ServiceContext({ dbFile: path.join(dir, 'bare.db'), transport: 'http' })
    const host = await startHost(ctx, { sandbox: false, schedules: false })
    expect(ctx.sandbox).toBeNull()
    expect(await dispatch(ctx, 'merchants.list', {})).toEqual([])
    await host.stop()
  })
})

describe('books an older version filled with its demo', () => {
  /** Books as an older version left them: its sandbox's demo, then a merchant of the person's own. */
  async function olderBooks(name: string): Promise<string> {
    const file = path.join(dir, name)
    const ctx = new ServiceContext({ dbFile: file, transport: 'http' })
    try {
      const old = await startDemoWorld(ctx)
      // The old sandbox synced its demo trades too: records, repairs and anomalies hang on them.
      await dispatch(ctx, 'orders.sync', { ids: await orderIds(ctx) })
      const refunds = (await dispatch(ctx, 'refunds.list', { limit: 500 })).items.map((r) => r.id)
      await dispatch(ctx, 'orders.sync', { type: 'refund', ids: refunds })
      await old.sim.close()
      await addMerchant(ctx, shop())
      fs.writeFileSync(
        path.join(dir, `${name}.csv`),
        'orderNo,merchant,amount,status\nREAL-1,shop,100,progress\n',
      )
      await runImport(ctx, { file: path.join(dir, `${name}.csv`), type: 'pay', amountUnit: 'fen' })
      await dispatch(ctx, 'orders.sync', { ids: await orderIds(ctx, 'REAL-1') })
    } finally {
      await ctx.close()
    }
    return file
  }

  it('are offered the removal, which takes every demo row out, audited, and leaves the rest', async () => {
    const file = await olderBooks('older.db')
    const before = booksHold(file)
    expect(before.merchants.filter((m) => m.startsWith('demo-')).length).toBeGreaterThan(0)
    const ctx = new ServiceContext({ dbFile: file, transport: 'http', operator: '王会计' })
    const host = await startHost(ctx, { sandbox: true, schedules: false })
    try {
      // A merchant of the books' own: no sandbox, and the window is told what the old one left.
      expect(ctx.sandbox).toBeNull()
      const info = await dispatch(ctx, 'app.info', {})
      expect(info.demoInBooks.merchants).toBe(5)
      expect(info.demoInBooks.trades).toBe(before.orders + before.refunds - 1)

      const removed = await dispatch(ctx, 'merchants.removeDemo', {})
      expect(removed).toMatchObject({ merchants: 5, payOrders: before.orders - 1, refunds: before.refunds })
      expect(removed.records).toBeGreaterThan(0)
      expect(removed.repairs).toBeGreaterThan(0)
      expect(removed.anomalies).toBeGreaterThan(0)
      expect((await dispatch(ctx, 'app.info', {})).demoInBooks).toEqual({ merchants: 0, trades: 0 })

      // What is left is the person's own, and every list agrees with it, its counts included.
      expect(booksHold(file)).toEqual({ merchants: ['shop'], orders: 1, refunds: 0, records: 1 })
      expect((await dispatch(ctx, 'records.list', {})).total).toBe(1)
      expect((await dispatch(ctx, 'orders.list', {})).items.map((o) => o.orderNo)).toEqual(['REAL-1'])
      expect((await dispatch(ctx, 'repairs.list', {})).items.every((r) => r.tradeNo === 'REAL-1')).toBe(true)
      expect((await dispatch(ctx, 'anomalies.list', {})).total).toBe(0)
      expect((await dispatch(ctx, 'batches.list', {})).items.every((b) => b.total > 0)).toBe(true)
      const audit = ctx.db
        .prepare("SELECT operator, detail FROM audit_log WHERE action = 'demo_removed'")
        .all() as Array<{ operator: string; detail: string }>
      expect(audit).toHaveLength(1)
      expect(audit[0]!.operator).toBe('王会计')
      expect(JSON.parse(audit[0]!.detail)).toEqual(removed)
      // Nothing to remove the second time.
      expect((await dispatch(ctx, 'merchants.removeDemo', {})).merchants).toBe(0)
    } finally {
      await host.stop()
    }
  })

  it('with nothing of their own but the old demo, start the sandbox apart, and keep the old demo out of it', async () => {
    const file = path.join(dir, 'only-demo.db')
    const old = new ServiceContext({ dbFile: file, transport: 'http' })
    await (await startDemoWorld(old)).sim.close()
    await old.close()
    const ctx = new ServiceContext({ dbFile: file, transport: 'http' })
    const host = await startHost(ctx, { sandbox: true, schedules: false })
    try {
      expect(ctx.sandbox).not.toBeNull()
      // The window's lists are the fresh sandbox's: the old demo's merchants are not listed twice.
      const names = (await dispatch(ctx, 'merchants.list', {})).map((m) => m.name)
      expect(new Set(names).size).toBe(names.length)
      expect(ctx.sandbox!.ctx.options.dbFile).not.toBe(file)
    } finally {
      await host.stop()
    }
    // Two demo worlds, and the sandbox's stop waits for its bill days (yesterday's too) to be reconciled.
  }, 60_000)
})
