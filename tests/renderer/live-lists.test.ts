import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StoreChangedEvent } from '../../src/shared/live'
import type { BatchView } from '../../src/shared/entity-views'
import { setLang } from '../../src/renderer/src/i18n'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { useBatchStore } from '../../src/renderer/src/stores/batch'
import { useDetailStore } from '../../src/renderer/src/stores/details'
import { useLiveStore } from '../../src/renderer/src/stores/live'
import MenuLabel from '../../src/renderer/src/components/MenuLabel.vue'
import AnomaliesView from '../../src/renderer/src/views/AnomaliesView.vue'
import BatchSyncView from '../../src/renderer/src/views/BatchSyncView.vue'
import RecordsView from '../../src/renderer/src/views/RecordsView.vue'
import StatementsView from '../../src/renderer/src/views/StatementsView.vue'
import { anomaly, record } from './fixtures'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { merchant, statement } from './statement-fixtures'

// What another process changes reaches the window (docs/screens.md section 1, Live): a list read at
// its top is read again quietly; one the person is reading further down (another page, a drawer open)
// keeps its rows and offers the new ones in a bar; the menu counts open anomalies and running batches
// of every process; the batch screen follows a batch another process runs.

let fake: FakeApi

const changed = (over: Partial<StoreChangedEvent> = {}): StoreChangedEvent => ({
  topics: ['records'],
  added: { batches: 0, anomalies: 0, statements: 0, records: 0, merchants: 0 },
  batches: [],
  running: [],
  openAnomalies: 0,
  ...over,
})

const calls = (name: 'records.list' | 'anomalies.list') => fake.op(name).mock.calls.map((c) => c[0])

beforeEach(() => {
  setLang('zh-CN')
  fake = installFakeApi()
})
afterEach(() => {
  document.body.innerHTML = ''
  setLang('zh-CN')
})

describe('a list another process adds to', () => {
  it('at the top of its first page, filtered or not, is read again quietly', async () => {
    fake.answer('records.list', { total: 1, amount: 0, items: [record()] })
    const w = mountScreen(RecordsView)
    useLiveStore().listen()
    await settle()
    const before = calls('records.list').length
    fake.answer('records.list', {
      total: 3,
      amount: 0,
      items: [record({ id: 3 }), record({ id: 2 }), record()],
    })
    fake.emit(
      'store.changed',
      changed({ added: { batches: 0, anomalies: 0, statements: 0, records: 2, merchants: 0 } }),
    )
    await settle()
    expect(calls('records.list').length).toBe(before + 1)
    expect(calls('records.list').at(-1)).toMatchObject({ offset: 0 })
    expect(w.find('[data-test=new-rows]').exists()).toBe(false)
    expect(w.findAll('.n-data-table-tbody tr')).toHaveLength(3)

    // A filter applied: still the first page at its top, still read again, with the filter.
    await w.find('[data-test=hide-repeats]').trigger('click')
    await settle()
    const filtered = calls('records.list').length
    fake.emit(
      'store.changed',
      changed({ added: { batches: 0, anomalies: 0, statements: 0, records: 1, merchants: 0 } }),
    )
    await settle()
    expect(calls('records.list').length).toBe(filtered + 1)
    expect(calls('records.list').at(-1)).toMatchObject({ hideRepeats: true, offset: 0 })
  })

  it('on a later page keeps its rows and says how many are new, until 刷新', async () => {
    fake.answer('records.list', {
      total: 120,
      amount: 0,
      items: Array.from({ length: 50 }, (_, i) => record({ id: 200 - i })),
    })
    const w = mountScreen(RecordsView)
    useLiveStore().listen()
    await settle()
    await w
      .findAll('.n-pagination-item')
      .find((x) => x.text() === '2')!
      .trigger('click')
    await settle()
    expect(calls('records.list').at(-1)).toMatchObject({ offset: 50 })
    const onPage2 = calls('records.list').length

    fake.emit(
      'store.changed',
      changed({ added: { batches: 0, anomalies: 0, statements: 0, records: 2, merchants: 0 } }),
    )
    fake.emit(
      'store.changed',
      changed({ added: { batches: 0, anomalies: 0, statements: 0, records: 3, merchants: 0 } }),
    )
    await settle()
    expect(calls('records.list').length).toBe(onPage2)
    const bar = w.find('[data-test=new-rows]')
    expect(bar.text()).toBe('有 5 条新同步记录·刷新')

    setLang('en-US')
    await settle()
    expect(w.find('[data-test=new-rows]').text()).toBe('5 new sync records·Refresh')

    await w.find('[data-test=new-rows-refresh]').trigger('click')
    await settle()
    expect(calls('records.list').at(-1)).toMatchObject({ offset: 0 })
    expect(w.find('[data-test=new-rows]').exists()).toBe(false)
  })

  it('with a drawer open keeps its rows; rows that only changed are said as such', async () => {
    fake.answer('anomalies.list', { total: 1, amount: 0, gatewayAmount: 0, items: [anomaly()] })
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
    useLiveStore().listen()
    await settle()
    useDetailStore().open('anomaly', 1)
    const before = calls('anomalies.list').length
    const kinds = fake.op('overview.get').mock.calls.length
    // Decided in another process: none added, the open count went down.
    fake.emit('store.changed', changed({ topics: ['anomalies'], openAnomalies: 0 }))
    await settle()
    expect(calls('anomalies.list').length).toBe(before)
    expect(w.find('[data-test=new-rows]').text()).toBe('列表有更新·刷新')
    // The counts by kind above the rows follow at once: they do not move under the hand.
    expect(fake.op('overview.get').mock.calls.length).toBe(kinds + 1)
  })
})

describe('对账', () => {
  it('reads its calendar again at once, and its list as any list', async () => {
    fake.answer('merchants.list', [merchant()])
    fake.answer('statements.calendar', { merchant: 'shop-alipay', month: '2026-11', days: [] })
    fake.answer('statements.list', { total: 1, amount: 0, items: [statement()] })
    const w = mountScreen(StatementsView)
    useLiveStore().listen()
    await settle()
    const calendar = fake.op('statements.calendar').mock.calls.length
    const list = fake.op('statements.list').mock.calls.length
    expect(calendar).toBeGreaterThan(0)
    fake.emit(
      'store.changed',
      changed({
        topics: ['statements'],
        added: { batches: 0, anomalies: 0, statements: 1, records: 0, merchants: 0 },
      }),
    )
    await settle()
    expect(fake.op('statements.calendar').mock.calls.length).toBe(calendar + 1)
    expect(fake.op('statements.list').mock.calls.length).toBe(list + 1)

    // The list, with a statement's drawer open: its rows stay, the bar offers the new one.
    await w.find('[data-test=view-list] input').trigger('click')
    await settle()
    useDetailStore().open('statement', 3)
    const before = fake.op('statements.list').mock.calls.length
    fake.emit(
      'store.changed',
      changed({
        topics: ['statements'],
        added: { batches: 0, anomalies: 0, statements: 1, records: 0, merchants: 0 },
      }),
    )
    await settle()
    expect(fake.op('statements.list').mock.calls.length).toBe(before)
    expect(w.find('[data-test=new-rows]').text()).toBe('有 1 份新对账单·刷新')
  })
})

describe('the menu', () => {
  it('counts the open anomalies of every process', async () => {
    const w = mountScreen(MenuLabel, { text: 'menu.anomalies', anomalies: true })
    useLiveStore().listen()
    await settle()
    expect(w.find('[data-test=menu-open-anomalies]').exists()).toBe(false)
    fake.emit('store.changed', changed({ topics: ['anomalies'], openAnomalies: 3 }))
    await settle()
    expect(w.find('[data-test=menu-open-anomalies]').attributes('data-count')).toBe('3')
    expect(w.find('[data-test=menu-open-anomalies]').attributes('title')).toBe('3 条待处理')
  })

  it('counts a batch running here and in another process once', async () => {
    const w = mountScreen(MenuLabel, { text: 'menu.batch', batches: true })
    useLiveStore().listen()
    useBatchStore().accept({
      batchId: 8,
      status: 'running',
      total: 1,
      done: 0,
      counts: { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 },
      byGatewayStatus: {},
      rate: 0,
      etaSeconds: null,
      elapsedMs: 0,
    })
    await settle()
    expect(w.find('[data-test=menu-running]').attributes('data-count')).toBe('1')
    fake.emit('store.changed', changed({ topics: ['batches'], running: [7, 8] }))
    await settle()
    expect(w.find('[data-test=menu-running]').attributes('data-count')).toBe('2')
  })
})

describe('the batch screen', () => {
  const stored = (over: Partial<BatchView>): BatchView => ({
    id: 9,
    name: 'nightly',
    sourceFile: null,
    source: 'schedule',
    concurrency: 4,
    qps: 20,
    status: 'running',
    total: 100,
    done: 10,
    counts: { consistent: 10, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 },
    held: 0,
    amounts: { total: 0, paid: 0, refunded: 0, repaired: 0, anomaly: 0 },
    createdAt: '2026-11-20T10:00:00.000+08:00',
    startedAt: '2026-11-20T10:00:00.000+08:00',
    finishedAt: null,
    operator: 'cron',
    importId: null,
    importRejected: 0,
    ...over,
  })

  it('shows a batch another process runs moving, read again each time the store says it moved', async () => {
    fake.answer('batches.get', stored({}))
    const w = mountScreen(BatchSyncView)
    useLiveStore().listen()
    useBatchStore().currentId = 9
    await settle()
    const get = fake.op('batches.get')
    get.mockClear()
    fake.answer('batches.get', stored({ done: 60 }))
    fake.emit(
      'store.changed',
      changed({ topics: ['batches', 'records'], batches: [{ id: 9, status: 'running' }], running: [9] }),
    )
    await settle()
    expect(get).toHaveBeenCalledWith({ id: 9 })
    expect(w.find('[data-test=done]').text()).toBe('已完成 60 / 100')
    // Time left at its rate so far: a time, not a dash.
    expect(w.find('[data-test=eta]').text()).toMatch(/\d+:\d\d/)
    expect(w.find('[data-test=other-batch]').text()).toBe('另一个 PaySync 进程正在运行此批次')

    // Another batch moving does not read this one again.
    get.mockClear()
    fake.emit('store.changed', changed({ topics: ['batches'], batches: [{ id: 10, status: 'running' }] }))
    await settle()
    expect(get).not.toHaveBeenCalled()

    fake.answer(
      'batches.get',
      stored({ done: 100, status: 'done', finishedAt: '2026-11-20T10:05:00.000+08:00' }),
    )
    fake.emit('store.changed', changed({ topics: ['batches'], batches: [{ id: 9, status: 'done' }] }))
    await settle()
    expect(w.find('[data-test=done]').text()).toBe('已完成 100 / 100')
    expect(w.find('[data-test=status]').text()).toBe('已完成')
    expect(w.find('[data-test=other-batch]').exists()).toBe(false)
  })
})

describe('a merchant profile another desktop changes', () => {
  it('is read again for every screen', async () => {
    // Stores of their own: those of an earlier test listen to that test's fake.
    setActivePinia(createPinia())
    const app = useAppStore()
    fake.answer('merchants.list', [])
    useLiveStore().listen()
    app.followMerchants()
    fake.emit('store.changed', changed({ topics: ['records'] }))
    await settle()
    expect(fake.op('merchants.list')).not.toHaveBeenCalled()
    fake.answer('merchants.list', [merchant({ name: 'new-ali' })])
    fake.emit('store.changed', changed({ topics: ['merchants'] }))
    await settle()
    expect(fake.op('merchants.list')).toHaveBeenCalledTimes(1)
    expect(app.merchants.map((m) => m.name)).toEqual(['new-ali'])
  })
})
