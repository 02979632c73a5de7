import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { StorageFaultError } from '../../src/main/store/faults'
import { startLockHolder, type LockHolder } from '../helpers/lock-holder'
import { createWorld, type World } from '../helpers/world'

// When the journal is refused too (its disk as full as the database's), the answer waits in the
// process's memory, with the trade's lease kept so no other process takes its intent for a lost one,
// and is written as soon as the database takes writes again (docs/domain.md section 6.8).

let w: World | null = null
let holder: LockHolder | null = null
afterEach(async () => {
  holder?.kill()
  await w?.close()
  w = null
})

describe('an attempt neither the database nor the journal takes', () => {
  it('waits in memory, holds its lease, and is written once the database takes it', async () => {
    w = await createWorld({
      retry: { timeoutMs: 10_000, retries: 0, backoffMs: 10, maxBackoffMs: 20 },
      context: { store: { busyTimeoutMs: 150 }, writeRetryMs: 200 },
    })
    const orderNo = 'MEM-1'
    const id = w.payOrder({ merchant: 'ali', orderNo, amount: 100, expiredAt: Date.now() - 3600_000 })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'WAIT_BUYER_PAY' })
    // The journal cannot be written: a folder stands where its file would go.
    fs.mkdirSync(path.join(w.dir, 'paysync.journal'))
    w.sim.state.faults = { latencyMs: 800, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
    holder = await startLockHolder(w.dbFile)
    const db = w.ctx.db

    const attempt = w.ctx.engine.sync('pay', id, { source: 'manual' }).catch((e: unknown) => e)
    while ((db.prepare('SELECT count(*) AS n FROM sync_intents').get() as { n: number }).n === 0)
      await new Promise((r) => setTimeout(r, 5))
    // The close is on its way; another program takes the database until well after its answer.
    await holder.lock(3_000)
    const failed = await attempt
    expect(failed).toBeInstanceOf(StorageFaultError)
    expect(failed).toMatchObject({ fault: 'db_locked', kept: 'memory' })
    expect(w.sim.state.stats.closes).toBe(1)
    expect(db.prepare('SELECT count(*) AS n FROM sync_records').get()).toEqual({ n: 0 })
    // The lease stays with the answer: nobody else syncs the trade, nor calls its close unknown.
    expect(db.prepare('SELECT count(*) AS n FROM trade_leases').get()).toEqual({ n: 1 })
    expect(w.ctx.recover()).toMatchObject({ written: 0, waiting: 1, fault: 'db_locked', syncAgain: [] })

    await holder.released
    expect(w.ctx.recover()).toMatchObject({ written: 1, waiting: 0, syncAgain: [] })
    expect(db.prepare('SELECT status FROM pay_orders WHERE id = ?').get(id)).toEqual({ status: 'close' })
    expect(db.prepare('SELECT outcome FROM sync_records').all()).toEqual([{ outcome: 'repaired' }])
    expect(db.prepare('SELECT count(*) AS n FROM sync_intents WHERE record_id IS NULL').get()).toEqual({
      n: 0,
    })
    expect(db.prepare('SELECT count(*) AS n FROM trade_leases').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT count(*) AS n FROM anomalies').get()).toEqual({ n: 0 })
  }, 30_000)
})
