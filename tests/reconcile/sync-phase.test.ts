import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { act, merchantLimits } from '../../src/main/services/statements/syncs'
import { getMerchant } from '../../src/main/store/merchants'
import { bj } from '../helpers/statements'
import { diffsOf as diffsIn, orderStatus, reconcileAlipay, reconcileWorlds } from '../helpers/reconcile'
import type { World } from '../helpers/world'

// The sync phase of a reconciliation is a batch with source `reconcile` (docs/reconcile.md A4 "act",
// A15.1 "the sync phase pausable"): the window pauses and resumes it with 批量同步's operations, and
// what each sync came to still lands on its difference, whether the run that queued them is there to
// write it or not.

const D = '2026-10-03'
const open = reconcileWorlds(['ali'])
let w: World
const diffsOf = (statementId: number) => diffsIn(w, statementId)

/** Orders the books have under way that the gateway and the bill say are paid: a sync each. */
function lostCallbacks(n: number): { ids: number[]; rows: Parameters<typeof reconcileAlipay>[2] } {
  const ids: number[] = []
  const rows: Parameters<typeof reconcileAlipay>[2] = []
  for (let i = 1; i <= n; i++) {
    const orderNo = `PS-SYNC-${i}`
    ids.push(w.payOrder({ merchant: 'ali', orderNo, amount: 1000 * i, status: 'progress' }))
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000 * i, state: 'TRADE_SUCCESS' })
    rows.push({ kind: 'pay', orderNo, amount: 1000 * i, time: bj(`${D} 12:00:0${i}`) })
  }
  return { ids, rows }
}

describe('the sync phase of a reconciliation', () => {
  it('pauses and resumes through the batch operations; the run writes every outcome once it ends', async () => {
    w = await open()
    // One call at a time, each slow: the pause finds syncs still waiting for their turn.
    await dispatch(w.ctx, 'settings.set', { defaultConcurrency: 1 })
    w.sim.state.faults = { ...w.sim.state.faults, latencyMs: 600 }
    const { ids, rows } = lostCallbacks(3)
    const run = await reconcileAlipay(w, D, rows, { waitForSyncs: false })
    expect(run.actions.syncQueued).toBe(3)
    const batchId = run.actions.syncBatchId!

    expect(await dispatch(w.ctx, 'batches.pause', { id: batchId })).toMatchObject({ status: 'paused' })
    await sleep(2_000)
    const held = await dispatch(w.ctx, 'batches.get', { id: batchId })
    expect(held).toMatchObject({ status: 'paused', source: 'reconcile' })
    expect(held.done).toBeLessThan(3)
    expect(ids.filter((id) => orderStatus(w, id) === 'progress').length).toBeGreaterThan(0)

    expect(await dispatch(w.ctx, 'batches.resume', { id: batchId })).toMatchObject({ status: 'running' })
    await expect
      .poll(async () => (await diffsOf(run.statementId!)).map((d) => d.status), { timeout: 30_000 })
      .toEqual(['resolved', 'resolved', 'resolved'])
    expect(ids.map((id) => orderStatus(w, id))).toEqual(['success', 'success', 'success'])
    const detail = await dispatch(w.ctx, 'statements.get', { id: run.statementId! })
    expect(detail.statement).toMatchObject({ result: 'balanced', openDiffs: 0 })
  }, 60_000)

  it('resumed after the run that queued them ended (a restart), the syncs still write their outcomes', async () => {
    w = await open()
    const { ids, rows } = lostCallbacks(2)
    const run = await reconcileAlipay(w, D, rows, { dryRun: true })
    // What a run had queued when its process stopped: the batch made, its syncs not run.
    const merchant = getMerchant(w.ctx.db, w.merchantId('ali'))!
    const plan = act(w.ctx, merchantLimits(w.ctx, merchant), [run.statementId!], {
      name: 'before the restart',
    })
    expect(plan.queued).toBe(2)
    expect((await diffsOf(run.statementId!)).map((d) => d.action)).toEqual(['sync_queued', 'sync_queued'])

    await dispatch(w.ctx, 'batches.resume', { id: plan.batchId! })
    await expect
      .poll(async () => (await diffsOf(run.statementId!)).map((d) => [d.action, d.status]), {
        timeout: 30_000,
      })
      .toEqual([
        ['sync_done', 'resolved'],
        ['sync_done', 'resolved'],
      ])
    expect(ids.map((id) => orderStatus(w, id))).toEqual(['success', 'success'])
  }, 60_000)
})
