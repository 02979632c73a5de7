import { describe, expect, it } from 'vitest'
import { fileBatchRun } from '../../src/main/engine/batch-on-file'
import { ServiceContext } from '../../src/main/services/context'
import { startBatchInBackground } from '../../src/main/services/sync'
import { createBatch, getBatch } from '../../src/main/store/batches'
import { openStore } from '../../src/main/store/connection'
import { waitForProgress } from '../helpers/progress'
import { createWorld, FAST_RETRY } from '../helpers/world'

// Quitting the app or stopping `paysync serve` mid-batch: the attempts in flight are written before
// the database closes, no lease is left behind, and the batch waits, paused, to be resumed.
describe('closing the process mid-batch', () => {
  it('writes the syncs in flight, leaves no lease and a paused batch that resumes', async () => {
    const w = await createWorld()
    const ids: number[] = []
    for (let i = 0; i < 40; i++) {
      const orderNo = `STOP-${i}`
      ids.push(w.payOrder({ merchant: 'ali', orderNo, amount: 100 }))
      w.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
    }
    const batchId = createBatch(w.ctx.db, {
      name: 'stop',
      sourceFile: null,
      importId: null,
      concurrency: 4,
      qps: 1000,
      operator: null,
      items: ids.map((id) => ({ type: 'pay' as const, id })),
    })
    w.sim.state.faults = { latencyMs: 150, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
    startBatchInBackground(w.ctx, batchId)
    // Mid-batch: some answered, more on the wire (the run reports at most every 250 ms).
    await waitForProgress(w.ctx.runs.get(batchId)!, (p) => p.done >= 4)
    await w.ctx.close()

    const db = openStore(w.dbFile)
    try {
      expect(getBatch(db, batchId)!.status).toBe('paused')
      expect((db.prepare('SELECT count(*) AS n FROM trade_leases').get() as { n: number }).n).toBe(0)
      const records = (
        db.prepare('SELECT count(*) AS n FROM sync_records WHERE batch_id = ?').get(batchId) as { n: number }
      ).n
      const finished = (
        db
          .prepare("SELECT count(*) AS n FROM batch_items WHERE batch_id = ? AND state = 'done'")
          .get(batchId) as { n: number }
      ).n
      // Every call the gateway answered has its record and its finished item; some remain to do.
      const calls = Object.values(w.sim.state.stats.requests).reduce((a, b) => a + b, 0)
      expect(records).toBe(finished)
      expect(records).toBe(calls)
      expect(finished).toBeGreaterThan(0)
      expect(finished).toBeLessThan(40)
    } finally {
      db.close()
    }
    // The next start resumes it: every order once, none twice.
    w.sim.state.faults = { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
    const again = new ServiceContext({ dbFile: w.dbFile, transport: 'cli', retry: FAST_RETRY })
    try {
      const last = await fileBatchRun(again.db, again.engine, batchId).run()
      expect(last).toMatchObject({ status: 'done', done: 40, counts: { repaired: 40 } })
      const perOrder = again.db
        .prepare('SELECT count(*) AS n FROM sync_records WHERE batch_id = ? GROUP BY trade_id')
        .all(batchId) as Array<{ n: number }>
      expect(perOrder.map((r) => r.n)).toEqual(Array(40).fill(1))
    } finally {
      await again.close()
      await w.sim.close()
    }
  })
})
