import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../src/main/gateways/simulator/server'
import { ServiceContext } from '../../src/main/services/context'
import { startHost } from '../../src/main/services/host'
import { dispatch } from '../../src/main/services/index'
import { addMerchant } from '../../src/main/services/merchants'
import { tempDir } from '../helpers/world'

// The start-up the desktop app and `paysync serve` share: the sandbox only while no real merchant
// is set up, the schedules only when asked, and a stop that leaves the database closed.

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

describe('startHost', () => {
  it('on a first start: the sandbox gateway with its demo orders, the schedules, the integrity check', async () => {
    const ctx = new ServiceContext({ dbFile: path.join(dir, 'first.db'), transport: 'http' })
    const host = await startHost(ctx, { sandbox: true, schedules: true })
    const info = await dispatch(ctx, 'app.info', {})
    expect(info.sandbox.running).toBe(true)
    expect(info.schedules.running).toBe(true)
    expect(info.integrity.status).not.toBe('unchecked')
    const merchants = await dispatch(ctx, 'merchants.list', {})
    expect(merchants.length).toBeGreaterThan(0)
    expect(merchants.every((m) => m.name.startsWith('demo-'))).toBe(true)
    expect((await dispatch(ctx, 'orders.list', {})).total).toBeGreaterThan(0)
    const sandbox = ctx.sandbox!.url
    await host.stop()
    expect(ctx.db.open).toBe(false)
    await expect(fetch(`${sandbox}/_sim/stats`)).rejects.toThrow()
  })

  it('with a real merchant: no sandbox; without schedules: none run, whatever Settings say', async () => {
    const ctx = new ServiceContext({ dbFile: path.join(dir, 'real.db'), transport: 'http' })
    await addMerchant(ctx, sim.profiles()[0])
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
