import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { OverviewData } from '../../src/shared/contract'
import type { MerchantView } from '../../src/shared/entity-views'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import BooksNotice from '../../src/renderer/src/components/BooksNotice.vue'
import OverviewView from '../../src/renderer/src/views/OverviewView.vue'
import SettingsView from '../../src/renderer/src/views/SettingsView.vue'

// Which data the window shows (issue 14, item 2; review-newcomer M2 and p3): the sandbox says on every
// screen that it is not the books; the first step with no merchant of the person's own is 商户配置;
// adding that merchant takes the window to the books; an older version's demo left in the books is
// offered for removal, above every screen and in 设置.

vi.mock('../../src/renderer/src/components/BarChart.vue', () => ({
  default: { name: 'BarChart', render: () => null },
}))

let fake: FakeApi

const shop: MerchantView = {
  id: 1,
  name: 'shop-alipay',
  channel: 'alipay',
  mode: 'direct',
  endpoint: 'https://openapi.alipay.com/gateway.do',
  settings: { appId: '2021000000000001' },
  secrets: { appPrivateKey: true },
  enabled: true,
  lastOkAt: null,
  lastError: null,
  lastErrorCode: null,
  clockSkewMs: null,
  lastLatencyMs: null,
  createdAt: '2026-11-20T10:00:00.000+08:00',
  updatedAt: '2026-11-20T10:00:00.000+08:00',
}

const counts = { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 }
const overview = (merchants: MerchantView[], pending = 0): OverviewData => ({
  today: { syncs: 0, repairs: 0, errors: 0, openAnomalies: 0 },
  daily: [{ day: '2026-12-02', ...counts }],
  byChannel: [],
  anomaliesByKind: [],
  merchants,
  pending: { pay: pending, refund: 0 },
  reconcile: { billDate: '2026-10-03', merchants: [], openDiffs: 0 },
})

beforeEach(() => {
  fake = installFakeApi()
  fake.answer('settings.get', { ...DEFAULT_SETTINGS })
})
afterEach(() => {
  document.body.innerHTML = ''
})
// naive-ui hides a message with window.setTimeout and keeps the timer past unmount: let the last
// success message go while the page still exists, or its timer fires after the DOM is torn down.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 3_200)))

describe('the first step', () => {
  it('with no merchant at all is 商户配置, before any import or sync', async () => {
    fake.answer('overview.get', overview([]))
    const w = mountScreen(OverviewView)
    useAppStore().info = appInfo()
    await settle()
    const step = w.find('[data-test=first-step]')
    expect(step.exists()).toBe(true)
    expect(step.text()).toContain('第一步：商户配置')
    expect(step.find('[data-test=first-merchant]').text()).toBe('添加商户配置')
    // Not the old card whose first button synced trades there cannot be.
    expect(w.find('[data-test=start-here]').exists()).toBe(false)
  })

  it('in the sandbox is 商户配置 too, with a try on the demo beside it', async () => {
    fake.answer('overview.get', overview([{ ...shop, name: 'demo-alipay' }], 12))
    const w = mountScreen(OverviewView)
    useAppStore().info = appInfo({ sandbox: { running: true, url: 'http://127.0.0.1:5000' } })
    await settle()
    const step = w.find('[data-test=first-step]')
    expect(step.text()).toContain('在沙箱里用演示数据试一试')
    expect(step.find('[data-test=sync-pending]').text()).toBe('在沙箱里试同步（12 笔演示订单）')
  })

  it('once the books have a merchant, is the start card as before', async () => {
    fake.answer('overview.get', overview([shop], 3))
    const w = mountScreen(OverviewView)
    useAppStore().info = appInfo()
    await settle()
    expect(w.find('[data-test=first-step]').exists()).toBe(false)
    expect(w.find('[data-test=start-here]').exists()).toBe(true)
  })
})

describe('the notice above every screen', () => {
  it('says plainly that the sandbox is not the books', async () => {
    const w = mountScreen(BooksNotice)
    useAppStore().info = appInfo({ sandbox: { running: true, url: 'http://127.0.0.1:5000' } })
    await settle()
    const notice = w.find('[data-test=sandbox-notice]')
    expect(notice.text()).toContain('这是沙箱，不是你的账本')
    expect(notice.text()).toContain('不会进入你的账本')
    expect(w.find('[data-test=remove-demo]').exists()).toBe(false)
  })

  it('offers to remove an older version’s demo from the books, after a confirmation', async () => {
    fake.answer('merchants.removeDemo', {
      merchants: 5,
      payOrders: 30,
      refunds: 7,
      records: 80,
      repairs: 12,
      anomalies: 9,
    })
    const w = mountScreen(BooksNotice)
    const app = useAppStore()
    app.info = appInfo({ demoInBooks: { merchants: 5, trades: 37 } })
    fake.answer('app.info', appInfo())
    await settle()
    expect(w.find('[data-test=demo-in-books]').text()).toContain('5 个演示商户（demo-*）和 37 笔演示交易')
    const books = app.books
    await w.find('[data-test=remove-demo]').trigger('click')
    await settle()
    // Nothing is removed before the person confirms.
    expect(fake.op('merchants.removeDemo')).not.toHaveBeenCalled()
    const dialog = document.body.querySelector('.n-dialog')!
    expect(dialog.textContent).toContain('删除后不能恢复')
    ;(dialog.querySelectorAll('.n-dialog__action .n-button')[1] as HTMLElement).click()
    await settle()
    expect(fake.op('merchants.removeDemo')).toHaveBeenCalledTimes(1)
    expect(document.body.textContent).toContain('已清除演示数据：5 个商户、37 笔交易')
    // The screens are built again on the books without it, and the offer has gone.
    expect(app.books).toBe(books + 1)
    expect(w.find('[data-test=demo-in-books]').exists()).toBe(false)
  })

  it('keeps the removal in 设置 too', async () => {
    fake.answer('app.info', appInfo({ demoInBooks: { merchants: 5, trades: 37 } }))
    const w = mountScreen(SettingsView)
    await settle()
    expect(w.find('[data-test=settings-demo]').text()).toContain('旧版沙箱留下的演示数据')
    expect(w.find('[data-test=settings-remove-demo]').exists()).toBe(true)
  })
})

describe('the first merchant of the person’s own', () => {
  it('takes the window from the sandbox to the books', async () => {
    mountScreen(BooksNotice)
    const app = useAppStore()
    app.info = appInfo({ sandbox: { running: true, url: 'http://127.0.0.1:5000' } })
    fake.answer('app.info', appInfo())
    const books = app.books
    expect(await app.afterMerchantSaved()).toBe(true)
    expect(app.books).toBe(books + 1)
    // A later merchant, in the books already: nothing to switch.
    expect(await app.afterMerchantSaved()).toBe(false)
    expect(app.books).toBe(books + 1)
  })
})
