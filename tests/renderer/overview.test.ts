import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import type { OverviewData } from '../../src/shared/contract'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import OverviewView from '../../src/renderer/src/views/OverviewView.vue'

let fake: FakeApi

// echarts draws on a canvas, which happy-dom has not; the charts are seen in the browser tests.
vi.mock('../../src/renderer/src/components/BarChart.vue', () => ({
  default: { name: 'BarChart', render: () => null },
}))

const counts = { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 }
const overview = (synced: number): OverviewData => ({
  today: { syncs: synced, repairs: 0, errors: 0, openAnomalies: 0 },
  daily: [
    { day: '2026-12-01', ...counts },
    { day: '2026-12-02', ...counts, consistent: synced },
  ],
  byChannel: [],
  anomaliesByKind: [],
  // A merchant of the person's own: with none, the first step is 商户配置 (tests/renderer/books.test.ts).
  merchants: [
    {
      id: 1,
      name: 'shop-alipay',
      channel: 'alipay',
      mode: 'direct',
      endpoint: 'https://openapi.alipay.com/gateway.do',
      settings: {},
      secrets: { appPrivateKey: true },
      enabled: true,
      lastOkAt: null,
      lastError: null,
      lastErrorCode: null,
      clockSkewMs: null,
      lastLatencyMs: null,
      createdAt: '2026-11-20T10:00:00.000+08:00',
      updatedAt: '2026-11-20T10:00:00.000+08:00',
    },
  ],
  pending: { pay: 15, refund: 4 },
  reconcile: { billDate: '2026-12-02', merchants: [], openDiffs: 0 },
})

describe('概览 on a first start', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('settings.get', { ...DEFAULT_SETTINGS })
    fake.answer('batches.start', {
      id: 7,
      name: '待确认订单同步（19 笔）',
      sourceFile: null,
      source: 'batch',
      concurrency: DEFAULT_SETTINGS.defaultConcurrency,
      qps: DEFAULT_SETTINGS.defaultQps,
      status: 'running',
      total: 19,
      done: 0,
      counts: { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 },
      held: 0,
      amounts: { total: 0, paid: 0, refunded: 0, repaired: 0, anomaly: 0 },
      createdAt: '2026-12-02T10:00:00.000+08:00',
      startedAt: '2026-12-02T10:00:00.000+08:00',
      finishedAt: null,
      operator: null,
      importId: null,
      importRejected: 0,
    })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('says where to begin, and syncs the pending trades as one batch', async () => {
    fake.answer('overview.get', overview(0))
    const w = mountScreen(OverviewView)
    await settle()
    const hint = w.find('[data-test=start-here]')
    expect(hint.exists()).toBe(true)
    expect(hint.text()).toContain('15 笔待确认支付')
    expect(hint.text()).toContain('4 笔待确认退款')

    await w.find('[data-test=sync-pending]').trigger('click')
    await settle()
    expect(fake.op('batches.start')).toHaveBeenCalledWith(
      expect.objectContaining({
        pending: true,
        name: '待确认订单同步（19 笔）',
        concurrency: DEFAULT_SETTINGS.defaultConcurrency,
        qps: DEFAULT_SETTINGS.defaultQps,
      }),
    )
  })

  it('keeps quiet once syncs are being done', async () => {
    fake.answer('overview.get', overview(3))
    const w = mountScreen(OverviewView)
    await settle()
    expect(w.find('[data-test=start-here]').exists()).toBe(false)
  })
})
