import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setLang } from '../../src/renderer/src/i18n'
import { useDetailStore } from '../../src/renderer/src/stores/details'
import AnomaliesView from '../../src/renderer/src/views/AnomaliesView.vue'
import OrdersView from '../../src/renderer/src/views/OrdersView.vue'
import RecordsView from '../../src/renderer/src/views/RecordsView.vue'
import ExportButton from '../../src/renderer/src/components/ExportButton.vue'
import { anomaly, order, record } from './fixtures'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// Issue 14 items 7 and 17 in the window: every list shows the count and the sum of its amounts for
// its filter, sorts by amount and time in the database, jumps to a page, and opens a row from the
// keyboard; the export can end with a 合计 line.

let fake: FakeApi

describe('list totals, sorting, page jump and keyboard', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
    setLang('zh-CN')
  })

  it('支付订单 shows the count and the sum of the amounts of the whole filter', async () => {
    fake.answer('orders.list', { total: 1234, amount: 5_678_901_23, items: [order()] })
    const w = mountScreen(OrdersView)
    await settle()
    expect(w.find('[data-test=list-totals]').text()).toBe('共 1,234 条 · 金额合计 ¥5,678,901.23')
    // A page number typed goes to that page.
    expect(w.find('.n-pagination-quick-jumper input').exists()).toBe(true)
  })

  it('待处理 sums the local and the gateway amounts, and names the gateway word with the word on hover', async () => {
    fake.answer('anomalies.list', { total: 2, amount: 300_00, gatewayAmount: 30_00, items: [anomaly()] })
    fake.answer('overview.get', {
      today: { syncs: 0, repairs: 0, errors: 0, openAnomalies: 1 },
      daily: [],
      byChannel: [],
      anomaliesByKind: [],
      merchants: [],
      pending: { pay: 0, refund: 0 },
      reconcile: { billDate: '2026-10-03', merchants: [], openDiffs: 0 },
    })
    const w = mountScreen(AnomaliesView)
    await settle()
    expect(w.find('[data-test=list-totals]').text()).toBe(
      '共 2 条 · 本地金额合计 ¥300.00 · 网关金额合计 ¥30.00',
    )
    const word = w.find('[title="TRADE_SUCCESS"]')
    expect(word.text()).toBe('支付成功')
    expect(w.find('.n-data-table-tbody').text()).not.toContain('TRADE_SUCCESS')
  })

  it('a number search that matched too many trades asks for more of the number instead of sums', async () => {
    fake.answer('records.list', { total: 10_000, amount: 1, capped: true, items: [record()] })
    const w = mountScreen(RecordsView)
    await settle()
    expect(w.find('[data-test=list-totals]').text()).toContain('请输入更多号码')
    expect(w.find('[data-test=list-totals]').text()).not.toContain('¥')
  })

  it('sorts by amount and by time in the database, and the export follows the order', async () => {
    fake.answer('orders.list', { total: 3, amount: 300, items: [order()] })
    const w = mountScreen(OrdersView)
    await settle()
    const list = fake.op('orders.list')
    const header = (text: string) => w.findAll('th').find((th) => th.text().includes(text))!
    list.mockClear()
    await header('金额').trigger('click')
    await settle()
    const sort = list.mock.calls.at(-1)![0].sort
    expect(['amount', '-amount']).toContain(sort)
    expect(list.mock.calls.at(-1)![0]).toMatchObject({ offset: 0 })
    await header('金额').trigger('click')
    await settle()
    expect(list.mock.calls.at(-1)![0].sort).toBe(sort === 'amount' ? '-amount' : 'amount')
    // The export writes the rows in the order on screen.
    fake.answer('files.pickSave', { supported: false, file: null, name: null })
    fake.answer('export.run', { file: 'x.csv', rows: 3, bytes: 1, downloadPath: '/downloads/x.csv' })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.op('export.run').mock.calls[0]![0]).toMatchObject({
      kind: 'orders',
      filter: { sort: list.mock.calls.at(-1)![0].sort },
    })
    // Time: oldest first on a click on 创建时间.
    await header('创建时间').trigger('click')
    await settle()
    expect(['time', undefined]).toContain(list.mock.calls.at(-1)![0].sort)
  })

  it('opens a row from the keyboard: Tab reaches the rows, Enter opens the focused one', async () => {
    fake.answer('records.list', { total: 2, amount: 198_00, items: [record(), record({ id: 8 })] })
    const w = mountScreen(RecordsView)
    await settle()
    const rows = w.findAll('tr.open-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.attributes('tabindex')).toBe('0')
    ;(rows[0]!.element as HTMLElement).focus()
    await rows[0]!.trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement).toBe(rows[1]!.element)
    await rows[1]!.trigger('keydown', { key: 'Enter' })
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['record', 8]])
  })

  it('opens filtered as the overview’s figure linked it (今日出错)', async () => {
    const w = mountScreen(RecordsView)
    const router = (w.vm as unknown as { $router: import('vue-router').Router }).$router
    const list = fake.op('records.list')
    list.mockClear()
    // The screen is where it was mounted; a link brings it a filter.
    await router.push({
      path: router.currentRoute.value.path,
      query: { result: 'error', since: '2026-12-03 00:00:00', until: '2026-12-03 23:59:59' },
    })
    await settle()
    expect(list).toHaveBeenLastCalledWith({
      result: 'error',
      since: '2026-12-03 00:00:00',
      until: '2026-12-03 23:59:59',
      limit: 50,
      offset: 0,
    })
  })

  it('同步记录 names the trade amount and hides repeats on request', async () => {
    fake.answer('records.list', { total: 1, amount: 99_00, items: [record()] })
    const w = mountScreen(RecordsView)
    await settle()
    expect(w.find('.n-data-table-tbody').text()).toContain('¥99.00')
    const list = fake.op('records.list')
    list.mockClear()
    await w.find('[data-test=hide-repeats]').trigger('click')
    await settle()
    expect(list).toHaveBeenLastCalledWith({ hideRepeats: true, limit: 50, offset: 0 })
  })
})

describe('导出 with a 合计 line', () => {
  beforeEach(() => {
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('is a choice beside the export, off by default', async () => {
    fake.answer('files.pickSave', { supported: false, file: null, name: null })
    fake.answer('export.run', { file: 'x.csv', rows: 3, bytes: 1, downloadPath: '/downloads/x.csv' })
    const w = mountScreen(ExportButton, { spec: { kind: 'orders', filter: {} } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.op('export.run')).toHaveBeenLastCalledWith({ kind: 'orders', filter: {} })
    await w.find('[data-test=export-more]').trigger('click')
    await settle()
    const item = [...document.querySelectorAll('.n-dropdown-option-body')].find((o) =>
      o.textContent?.includes('合计'),
    ) as HTMLElement
    item.dispatchEvent(new MouseEvent('click', { bubbles: true }))
    await settle()
    expect(fake.op('export.run')).toHaveBeenLastCalledWith({ kind: 'orders', filter: {}, total: true })
  })
})
