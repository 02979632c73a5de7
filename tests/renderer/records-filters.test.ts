import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { showClippedText } from '../../src/renderer/src/clip-title'
import RecordsView from '../../src/renderer/src/views/RecordsView.vue'

let fake: FakeApi

describe('同步记录 filter bar', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('records.list', { total: 0, amount: 0, items: [] })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('loads the first page unfiltered on open', async () => {
    mountScreen(RecordsView)
    await settle()
    expect(fake.op('records.list')).toHaveBeenCalledWith({ limit: 50, offset: 0 })
  })

  it('Enter in the number field submits the filter it holds', async () => {
    const w = mountScreen(RecordsView)
    await settle()
    const list = fake.op('records.list')
    list.mockClear()
    const input = w.find('[data-test=no] input')
    await input.setValue('  DEMO-A-0001 ')
    await input.trigger('keyup', { key: 'Enter' })
    await settle()
    expect(list).toHaveBeenCalledTimes(1)
    expect(list).toHaveBeenCalledWith({ no: 'DEMO-A-0001', limit: 50, offset: 0 })
  })

  it('the search button sends the same filter, and reset clears it', async () => {
    const w = mountScreen(RecordsView)
    await settle()
    const list = fake.op('records.list')
    await w.find('[data-test=no] input').setValue('R2611')
    list.mockClear()
    await w.find('[data-test=search]').trigger('click')
    await settle()
    expect(list).toHaveBeenLastCalledWith({ no: 'R2611', limit: 50, offset: 0 })
    await w.find('[data-test=reset]').trigger('click')
    await settle()
    expect(list).toHaveBeenLastCalledWith({ limit: 50, offset: 0 })
  })

  it('shows the rows with names, not codes', async () => {
    fake.answer('records.list', {
      total: 1,
      amount: 1250,
      items: [
        {
          id: 7,
          tradeType: 'pay',
          tradeId: 3,
          tradeNo: 'DEMO-A-0003',
          bizTradeNo: 'DEMO-A-0003',
          gatewayTradeNo: '2026112222001',
          channel: 'alipay',
          merchantId: 1,
          merchant: 'demo-alipay',
          gatewayStatus: 'pay_closed',
          gatewayRawStatus: 'TRADE_CLOSED',
          outcome: 'repaired',
          repairNo: 'R261122',
          anomalyId: null,
          errorCode: null,
          errorMsg: null,
          clientIp: '127.0.0.1',
          operator: null,
          source: 'manual',
          batchId: null,
          durationMs: 12,
          createdAt: '2026-11-20T10:00:00.000+08:00',
          amount: 1250,
          repeated: false,
        },
      ],
    })
    const w = mountScreen(RecordsView)
    await settle()
    const text = w.text()
    expect(text).toContain('DEMO-A-0003')
    expect(text).toContain('支付宝')
    expect(text).toContain('已关闭')
    expect(text).toContain('已修复')
    expect(text).toContain('2026-11-20 10:00:00')
    expect(text).toContain('共 1 条')
    expect(text).not.toContain('pay_closed')
  })

  it('puts off the date range picker until the first rows are on screen, holding its place meanwhile', async () => {
    let answer!: (p: { total: number; amount: number; items: never[] }) => void
    fake.op('records.list').mockReturnValue(new Promise((r) => (answer = r)))
    const w = mountScreen(RecordsView)
    await settle()
    expect(w.find('.time-range-slot').exists()).toBe(true)
    expect(w.find('.n-date-picker').exists()).toBe(false)
    answer({ total: 0, amount: 0, items: [] })
    await vi.waitFor(() => expect(w.find('.n-date-picker').exists()).toBe(true))
    expect(w.find('.time-range-slot').exists()).toBe(false)
  })

  it('a cut-off cell shows its whole text on hover, a cell that fits has no tooltip', () => {
    showClippedText()
    document.body.innerHTML =
      '<table><tr><td class="clip" id="long"><span>DEMO-A-0003</span></td><td class="clip" id="short">ok</td></tr></table>'
    const long = document.getElementById('long')!
    const short = document.getElementById('short')!
    Object.defineProperty(long, 'scrollWidth', { value: 300 })
    Object.defineProperty(long, 'clientWidth', { value: 120 })
    Object.defineProperty(short, 'scrollWidth', { value: 20 })
    Object.defineProperty(short, 'clientWidth', { value: 120 })
    long.querySelector('span')!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }))
    short.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }))
    expect(long.title).toBe('DEMO-A-0003')
    expect(short.hasAttribute('title')).toBe(false)
  })
})
