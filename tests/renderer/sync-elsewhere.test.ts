import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SyncSummary } from '../../src/shared/views'
import TradeDetail from '../../src/renderer/src/components/TradeDetail.vue'
import { order } from './fixtures'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// 立即同步 on a trade another process was syncing at that moment (docs/domain.md 6.3, 10007): the
// notification says so, apart from the other skips, since that sync writes what the gateway answers.

let fake: FakeApi

function summary(over: Partial<SyncSummary>): SyncSummary {
  return {
    batchId: null,
    total: 1,
    consistent: 0,
    repaired: 0,
    anomalies: 0,
    decided: 0,
    waiting: 0,
    errors: 0,
    skipped: 0,
    elsewhere: 0,
    durationMs: 12,
    byGatewayStatus: {},
    ...over,
  }
}

/** The notification's text, teleported to the body. */
const notified = () => document.body.querySelector('.n-notification')?.textContent ?? ''

describe('立即同步 on a trade being synced elsewhere', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('orders.get', {
      order: order({ id: 3 }),
      refunds: [],
      records: [],
      repairs: [],
      anomalies: [],
    })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('names it as being synced elsewhere, not as skipped', async () => {
    fake.answer('orders.sync', summary({ skipped: 1, elsewhere: 1 }))
    const w = mountScreen(TradeDetail, { type: 'pay', id: 3 })
    await settle()
    await w.find('[data-test=sync-one]').trigger('click')
    await settle()
    expect(fake.op('orders.sync')).toHaveBeenCalledWith({ type: 'pay', ids: [3] })
    expect(notified()).toContain('其他进程正在同步 1')
    expect(notified()).not.toContain('已跳过')
    // Not said as synced by this click: the other process writes the answer.
    expect(notified()).toContain('1 笔正由其他进程同步')
    expect(notified()).not.toContain('已同步 1 笔')
  })

  it('keeps other skips as skipped', async () => {
    fake.answer('orders.sync', summary({ skipped: 2, elsewhere: 1, total: 2 }))
    const w = mountScreen(TradeDetail, { type: 'pay', id: 3 })
    await settle()
    await w.find('[data-test=sync-one]').trigger('click')
    await settle()
    expect(notified()).toContain('已跳过 1')
    expect(notified()).toContain('其他进程正在同步 1')
    expect(notified()).toContain('已同步 2 笔')
  })
})
