import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import type { BatchProgressEvent } from '../../src/shared/contract'
import type { BatchStatus } from '../../src/shared/domain'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { appInfo, installFakeApi, settle, type FakeApi } from './helpers'
import App from '../../src/renderer/src/App.vue'
import { router } from '../../src/renderer/src/router'
import { batchName, setLang } from '../../src/renderer/src/i18n'
import { label } from '../../src/shared/labels'

let fake: FakeApi

describe('the English switch', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('settings.get', { ...DEFAULT_SETTINGS })
    fake.op('settings.set').mockImplementation(async (patch) => ({ ...DEFAULT_SETTINGS, ...patch }))
    fake.answer('app.info', appInfo())
    fake.answer('records.list', {
      total: 1,
      amount: 1250,
      items: [
        {
          id: 1,
          tradeType: 'refund',
          tradeId: 2,
          tradeNo: 'R-1',
          bizTradeNo: 'R-1',
          gatewayTradeNo: null,
          channel: 'wechat',
          merchantId: 1,
          merchant: 'm',
          gatewayStatus: 'refund_success',
          gatewayRawStatus: 'SUCCESS',
          outcome: 'consistent',
          repairNo: null,
          anomalyId: null,
          errorCode: null,
          errorMsg: null,
          clientIp: null,
          operator: null,
          source: 'schedule',
          batchId: null,
          durationMs: 3,
          createdAt: '2026-11-20T10:00:00.000+08:00',
          amount: 1250,
          repeated: false,
        },
      ],
    })
  })
  afterEach(() => {
    document.body.innerHTML = ''
    setLang('zh-CN')
  })

  it('turns the menu, the screen and the code names into English, and saves the choice', async () => {
    await router.push('/records')
    await router.isReady()
    const w = mount(App, { attachTo: document.body, global: { plugins: [createPinia(), router] } })
    await settle()
    expect(w.text()).toContain('同步记录')
    expect(w.text()).toContain('退款同步')
    expect(w.text()).toContain('微信支付')
    expect(w.text()).toContain('共 1 条')

    await w.find('[data-test=lang]').trigger('click')
    await settle()
    const text = w.text()
    expect(text).toContain('Sync records')
    expect(text).toContain('Overview')
    expect(text).toContain('Local no')
    expect(text).toContain(label('tradeType', 'refund', 'en-US'))
    expect(text).toContain('WeChat Pay')
    expect(text).toContain('1 in all')
    expect(text).not.toContain('同步记录')
    expect(text).not.toContain('微信支付')
    expect(fake.op('settings.set')).toHaveBeenCalledWith({ language: 'en-US' })
    expect(document.documentElement.lang).toBe('en-US')
  })

  it('counts running batches in the menu, in either language, without a Vue error', async () => {
    const warn = vi.spyOn(console, 'warn')
    const error = vi.spyOn(console, 'error')
    await router.push('/orders')
    await router.isReady()
    const w = mount(App, { attachTo: document.body, global: { plugins: [createPinia(), router] } })
    await settle()
    const entry = () => w.find('[data-menu="menu.batch"]')
    const name = () => entry().find('.menu-text').text()
    const badge = () => entry().find('[data-test=menu-running]')
    expect(name()).toBe('批量同步')
    expect(badge().exists()).toBe(false)

    const progress = (batchId: number, status: BatchStatus): BatchProgressEvent => ({
      batchId,
      status,
      total: 10,
      done: 3,
      counts: { consistent: 3, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 },
      byGatewayStatus: {},
      rate: 1,
      etaSeconds: 7,
      elapsedMs: 3000,
    })
    // An earlier batch ended, then a new one starts while another screen is shown.
    fake.emit('batch.progress', progress(1, 'done'))
    await settle()
    fake.emit('batch.progress', progress(2, 'running'))
    await settle()
    expect(badge().attributes('data-count')).toBe('1')
    expect(badge().attributes('title')).toBe('1 个批次正在同步')

    await w.find('[data-test=lang]').trigger('click')
    await settle()
    expect(name()).toBe('Batch sync')
    expect(badge().attributes('title')).toBe('Batches syncing: 1')
    fake.emit('batch.progress', progress(2, 'done'))
    await settle()
    expect(name()).toBe('Batch sync')
    expect(badge().exists()).toBe(false)

    const vue = (spy: typeof warn) => spy.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('Vue'))
    expect(vue(warn)).toEqual([])
    expect(vue(error)).toEqual([])
  })

  it('warns on every screen when main found the database file damaged', async () => {
    fake.answer(
      'app.info',
      appInfo({
        integrity: {
          status: 'damaged',
          problems: ['Tree 12 page 345: btreeInitPage() returns error code 11'],
          checkedAt: '2026-11-22T10:00:00.000+08:00',
        },
      }),
    )
    await router.push('/records')
    await router.isReady()
    const w = mount(App, { attachTo: document.body, global: { plugins: [createPinia(), router] } })
    await settle()
    const banner = w.find('[data-test=damaged]')
    expect(banner.exists()).toBe(true)
    expect(banner.text()).toContain('数据库文件有损坏')
    expect(banner.text()).toContain('page 345')
  })
})

describe('batch names the app gave', () => {
  afterEach(() => setLang('zh-CN'))
  it('follow the switch; a name a person or a file gave stays as it is', () => {
    setLang('en-US')
    expect(batchName('支付订单筛选同步（72 笔）')).toBe('Pay orders by filter (72)')
    expect(batchName('待确认订单同步（19 笔）')).toBe('Pending trades (19)')
    expect(batchName('同步 2026-11-20 10:00')).toBe('Sync 2026-11-20 10:00')
    expect(batchName('11月对账.csv')).toBe('11月对账.csv')
    setLang('zh-CN')
    expect(batchName('Refunds by filter (3)')).toBe('退款订单筛选同步（3 笔）')
    setLang('en-US')
    expect(batchName('同步 (1).csv')).toBe('同步 (1).csv')
    expect(batchName('待确认订单同步（很多 笔）')).toBe('待确认订单同步（很多 笔）')
  })
})
