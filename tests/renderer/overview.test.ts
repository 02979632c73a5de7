// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import type { OverviewData } from '../../src/shared/contract'
import { fakeApi, mountScreen, settle } from './helpers'

const fake = vi.hoisted(() => ({ current: null as ReturnType<typeof import('./helpers').fakeApi> | null }))
vi.mock('../../src/renderer/src/bridge', () => ({
  get api() {
    return fake.current!.api
  },
  download: vi.fn(),
}))
// echarts draws on a canvas, which happy-dom has not; the charts are seen in the browser tests.
vi.mock('../../src/renderer/src/components/BarChart.vue', () => ({
  default: { name: 'BarChart', render: () => null },
}))

import OverviewView from '../../src/renderer/src/views/OverviewView.vue'

const counts = { consistent: 0, repaired: 0, anomaly: 0, waiting: 0, error: 0, skipped: 0 }
const overview = (synced: number): OverviewData => ({
  today: { syncs: synced, repairs: 0, errors: 0, openAnomalies: 0 },
  daily: [
    { day: '2026-12-01', ...counts },
    { day: '2026-12-02', ...counts, consistent: synced },
  ],
  byChannel: [],
  anomaliesByKind: [],
  merchants: [],
  pending: { pay: 15, refund: 4 },
})

describe('概览 on a first start', () => {
  beforeEach(() => {
    fake.current = fakeApi()
    fake.current.api.settings.get.mockResolvedValue({ ...DEFAULT_SETTINGS })
    fake.current.api.batches.start.mockResolvedValue({ id: 7 })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('says where to begin, and syncs the pending trades as one batch', async () => {
    fake.current!.api.overview.get.mockResolvedValue(overview(0))
    const w = mountScreen(OverviewView)
    await settle()
    const hint = w.find('[data-test=start-here]')
    expect(hint.exists()).toBe(true)
    expect(hint.text()).toContain('15 笔待确认支付')
    expect(hint.text()).toContain('4 笔待确认退款')

    await w.find('[data-test=sync-pending]').trigger('click')
    await settle()
    expect(fake.current!.api.batches.start).toHaveBeenCalledWith(
      expect.objectContaining({
        pending: true,
        name: '待确认订单同步（19 笔）',
        concurrency: DEFAULT_SETTINGS.defaultConcurrency,
        qps: DEFAULT_SETTINGS.defaultQps,
      }),
    )
  })

  it('keeps quiet once syncs are being done', async () => {
    fake.current!.api.overview.get.mockResolvedValue(overview(3))
    const w = mountScreen(OverviewView)
    await settle()
    expect(w.find('[data-test=start-here]').exists()).toBe(false)
  })
})
