import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { NConfigProvider, NDialogProvider, NMessageProvider } from 'naive-ui'
import type { OverviewData, TradeHit } from '../../src/shared/contract'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { setLang } from '../../src/renderer/src/i18n'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { useDetailStore } from '../../src/renderer/src/stores/details'
import TradeSearch from '../../src/renderer/src/components/TradeSearch.vue'
import TimeRange from '../../src/renderer/src/components/TimeRange.vue'
import OverviewView from '../../src/renderer/src/views/OverviewView.vue'
import SettingsView from '../../src/renderer/src/views/SettingsView.vue'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// Issue 14: one search box finds a trade from any screen (item 12); Settings warns about changes not
// saved and says when a value was brought within bounds (m17); the overview's figures open what they
// count and both charts order their outcomes alike (p2); the date picker looks back (p6).

vi.mock('../../src/renderer/src/components/BarChart.vue', () => ({
  default: {
    name: 'BarChart',
    props: ['series', 'categories'],
    render(this: { series: Array<{ name: string }> }) {
      return h('div', { class: 'chart' }, this.series.map((s) => s.name).join(','))
    },
  },
}))

let fake: FakeApi

const hit = (over: Partial<TradeHit>): TradeHit => ({
  type: 'pay',
  id: 1,
  no: 'GBK202612030002',
  bizNo: 'GBK202612030002',
  gatewayNo: null,
  orderNo: null,
  merchant: '门店-支付宝',
  channel: 'alipay',
  amount: 12_50,
  status: 'success',
  createdAt: '2026-12-03T09:00:00.000+08:00',
  ...over,
})

describe('the search box in the header', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('finds by a part of a number as it is typed and opens the match picked with the arrows', async () => {
    fake.answer('search.trades', {
      items: [hit({ id: 1 }), hit({ id: 2, type: 'refund', no: 'RF-0002', orderNo: 'GBK202612030002' })],
      more: false,
    })
    const w = mountScreen(TradeSearch)
    const input = w.find('[data-test=trade-search] input')
    await input.setValue('gb')
    await new Promise((r) => setTimeout(r, 300))
    expect(fake.op('search.trades')).not.toHaveBeenCalled()
    await input.setValue('0002')
    await vi.waitFor(() => expect(fake.op('search.trades')).toHaveBeenCalledWith({ no: '0002', limit: 20 }))
    await settle()
    const list = document.body.querySelector('[data-test=trade-search-hits]')!
    expect(list.textContent).toContain('GBK202612030002')
    expect(list.textContent).toContain('订单 GBK202612030002')
    expect(list.textContent).toContain('¥12.50')
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'Enter' })
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['refund', 2]])
  })

  it('Enter searches at once and opens a single match; Ctrl+K puts the cursor in the box', async () => {
    fake.answer('search.trades', { items: [hit({ id: 5 })], more: false })
    const w = mountScreen(TradeSearch)
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'k', ctrlKey: true }))
    expect(document.activeElement).toBe(w.find('[data-test=trade-search] input').element)
    const input = w.find('[data-test=trade-search] input')
    await input.setValue('GBK202612030002')
    await input.trigger('keydown', { key: 'Enter' })
    await settle()
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['pay', 5]])
  })

  it('says when nothing matches, and when more match than are listed', async () => {
    fake.answer('search.trades', { items: [], more: false })
    const w = mountScreen(TradeSearch)
    const input = w.find('[data-test=trade-search] input')
    await input.setValue('ZZZ9')
    await input.trigger('keydown', { key: 'Enter' })
    await settle()
    expect(document.body.textContent).toContain('没有号码含“ZZZ9”的交易')
    fake.answer('search.trades', { items: [hit({})], more: true })
    await input.setValue('GBK2')
    await input.trigger('keydown', { key: 'Enter' })
    await settle()
    expect(document.body.textContent).toContain('请输入更多号码')
  })
})

/** SettingsView inside a router with a second page to leave to. */
function mountSettings() {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/settings', component: SettingsView },
      { path: '/records', component: { render: () => h('div', { id: 'records' }) } },
    ],
  })
  const Host = defineComponent({
    setup: () => () =>
      h(NConfigProvider, null, () =>
        h(NMessageProvider, null, () => h(NDialogProvider, null, () => h(RouterView))),
      ),
  })
  return { pinia, router, Host }
}

describe('设置', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('settings.get', { ...DEFAULT_SETTINGS })
    fake.answer('app.info', appInfo())
    fake.op('settings.set').mockImplementation(async (patch) => ({ ...DEFAULT_SETTINGS, ...patch }))
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('asks before leaving with changes not saved, and stays when told to', async () => {
    const { pinia, router, Host } = mountSettings()
    await router.push('/settings')
    const w = mount(Host, { attachTo: document.body, global: { plugins: [pinia, router] } })
    await settle()
    await useAppStore().load()
    await settle()
    expect(w.find('[data-test=unsaved]').exists()).toBe(false)
    await w.find('[data-test=schedules]').trigger('click')
    await settle()
    expect(w.find('[data-test=unsaved]').text()).toBe('有未保存的修改')
    void router.push('/records')
    await settle()
    expect(document.body.textContent).toContain('设置尚未保存')
    const stay = [...document.querySelectorAll('.n-dialog button')].find((b) =>
      b.textContent?.includes('留在此页'),
    ) as HTMLElement
    stay.click()
    await settle()
    expect(router.currentRoute.value.path).toBe('/settings')
    // Saved, it leaves without a question.
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(fake.op('settings.set')).toHaveBeenCalledWith(
      expect.objectContaining({ schedulesEnabled: !DEFAULT_SETTINGS.schedulesEnabled }),
    )
    await router.push('/records')
    await settle()
    expect(router.currentRoute.value.path).toBe('/records')
  })

  it('says when a number was outside what the field takes, and what it became', async () => {
    const { pinia, router, Host } = mountSettings()
    await router.push('/settings')
    const w = mount(Host, { attachTo: document.body, global: { plugins: [pinia, router] } })
    await useAppStore().load()
    await settle()
    const qps = w.find('[data-test=qps] input')
    await qps.setValue('100000')
    await qps.trigger('blur')
    await settle()
    expect(w.text()).toContain('须在 0.1 到 2000 之间，已调整为 2000')
    expect(document.body.textContent).toContain('每秒请求数 (QPS)超出范围：100000 已调整为 2000')
    const concurrency = w.find('[data-test=concurrency] input')
    await concurrency.setValue('0')
    await concurrency.trigger('blur')
    await settle()
    expect(w.text()).toContain('须在 1 到 64 之间，已调整为 1')
  })
})

describe('概览 figures and charts', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  const data: OverviewData = {
    today: { syncs: 9, repairs: 2, errors: 3, openAnomalies: 1 },
    daily: [
      {
        day: '2026-12-03',
        consistent: 4,
        repaired: 2,
        anomaly: 1,
        decided: 0,
        waiting: 1,
        error: 3,
        skipped: 0,
      },
    ],
    byChannel: [
      {
        channel: 'alipay',
        syncs: 9,
        repaired: 2,
        anomalies: 1,
        errors: 3,
        waiting: 1,
        consistent: 2,
        decided: 0,
      },
    ],
    anomaliesByKind: [],
    merchants: [],
    pending: { pay: 15, refund: 4 },
    reconcile: { billDate: '2026-10-03', merchants: [], openDiffs: 0 },
  }

  it('open the list each one counts, filtered to it', async () => {
    fake.answer('overview.get', data)
    const w = mountScreen(OverviewView)
    await settle()
    const router = (w.vm as unknown as { $router: import('vue-router').Router }).$router
    await w.find('[data-test=figure-errors]').trigger('click')
    await settle()
    const errors = router.currentRoute.value
    expect(errors.path).toBe('/records')
    expect(errors.query).toMatchObject({ result: 'error' })
    expect(String(errors.query.since)).toMatch(/^\d{4}-\d\d-\d\d 00:00:00$/)
    await w.find('[data-test=figure-pay]').trigger('click')
    await settle()
    expect(router.currentRoute.value.fullPath).toBe('/orders?status=progress')
    await w.find('[data-test=figure-repairs]').trigger('click')
    await settle()
    expect(router.currentRoute.value.path).toBe('/repairs')
  })

  it('order their legends alike', async () => {
    fake.answer('overview.get', data)
    const w = mountScreen(OverviewView)
    await settle()
    const [daily, channels] = w.findAll('.chart').map((c) => c.text().split(','))
    expect(channels).toEqual(daily!.filter((name) => channels!.includes(name)))
    expect(channels).toEqual(['一致', '已修复', '待处理', '已决定', '等待中', '出错'])
  })
})

describe('the date range picker', () => {
  it('shows last month beside this one, and offers 本月 and 上月', async () => {
    setLang('zh-CN')
    installFakeApi()
    const w = mountScreen(TimeRange)
    await settle()
    await w.find('input').trigger('click')
    await settle()
    const panel = document.body.querySelector('.n-date-panel')!
    expect(panel.textContent).toContain('本月')
    expect(panel.textContent).toContain('上月')
    const now = new Date()
    const last = new Date(now.getFullYear(), now.getMonth() - 1, 1)
    // The first of the two months shown is last month (the test's providers speak English dates).
    const first = panel.querySelector('.n-date-panel-month__text')!.textContent ?? ''
    expect(first).toContain(String(last.getFullYear()))
    expect(first).toContain(last.toLocaleString('en-US', { month: 'short' }))
    document.body.innerHTML = ''
  })
})
