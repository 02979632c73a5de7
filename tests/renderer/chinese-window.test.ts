import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectionReport, OverviewData } from '../../src/shared/contract'
import type { MerchantView } from '../../src/shared/entity-views'
import { setLang } from '../../src/renderer/src/i18n'
import { syncErrorText } from '../../src/shared/sync-errors'
import BatchSyncView from '../../src/renderer/src/views/BatchSyncView.vue'
import MerchantsView from '../../src/renderer/src/views/MerchantsView.vue'
import OverviewView from '../../src/renderer/src/views/OverviewView.vue'
import RecordsView from '../../src/renderer/src/views/RecordsView.vue'
import RecordDetail from '../../src/renderer/src/components/RecordDetail.vue'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { record } from './fixtures'

// Issue 14 item 11: nothing English in the Chinese window. The engine and the gateways record what
// happened in English or in the gateway's own words (the command line and the log read those); the
// window says each in Chinese, and keeps the words as received one step away (a tooltip, the record's
// detail), never in a list.

vi.mock('../../src/renderer/src/components/BarChart.vue', () => ({
  default: { name: 'BarChart', render: () => null },
}))

/** Two English words in a row, as a sentence has them: what must not show in the Chinese window. */
const ENGLISH = /\b[A-Za-z]{2,}[ ,:]+[a-z]{2,}\b/

let fake: FakeApi

const merchant: MerchantView = {
  id: 1,
  name: '门店-支付宝',
  channel: 'alipay',
  mode: 'direct',
  endpoint: 'http://127.0.0.1:9/',
  settings: { appId: '2021000000000001' },
  secrets: { appPrivateKey: true },
  enabled: true,
  lastOkAt: null,
  lastError: 'the gateway refused the connection',
  lastErrorCode: 'refused',
  clockSkewMs: null,
  lastLatencyMs: null,
  createdAt: '2026-12-03T10:00:00.000+08:00',
  updatedAt: '2026-12-03T10:00:00.000+08:00',
}

const failures = [
  record({
    id: 1,
    outcome: 'error',
    gatewayStatus: 'sync_error',
    gatewayRawStatus: 'refused',
    errorCode: 'refused',
    errorMsg: 'the gateway refused the connection',
  }),
  record({
    id: 2,
    outcome: 'error',
    gatewayStatus: 'sync_error',
    gatewayRawStatus: 'HTTP_404',
    errorCode: 'HTTP_404',
    errorMsg: 'the gateway answered HTTP 404',
  }),
  record({
    id: 3,
    outcome: 'error',
    gatewayStatus: 'sync_error',
    gatewayRawStatus: 'malformed',
    errorCode: 'malformed',
    errorMsg: 'unknown trade_status "X"',
  }),
  record({
    id: 4,
    outcome: 'error',
    gatewayStatus: 'sync_error',
    gatewayRawStatus: '20000',
    errorCode: '20000 isp.unknow-error',
    errorMsg: '系统繁忙',
  }),
  record({
    id: 5,
    outcome: 'error',
    gatewayStatus: 'sync_error',
    gatewayRawStatus: 'SYSTEM_ERROR',
    errorCode: 'SYSTEM_ERROR',
    errorMsg: 'unsigned answer (HTTP 500 SYSTEM_ERROR): not trusted',
    channel: 'wechat',
  }),
]

describe('the Chinese window speaks Chinese', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('同步记录 says each failure in Chinese: our own codes by their sentence, a gateway code with its own Chinese words', async () => {
    fake.answer('records.list', { total: failures.length, amount: 0, items: failures })
    const w = mountScreen(RecordsView)
    await settle()
    const rows = w.find('.n-data-table-tbody').text()
    expect(rows).not.toMatch(ENGLISH)
    expect(rows).toContain('网关拒绝连接')
    expect(rows).toContain('网关返回 HTTP 404：支付宝网关地址应以 /gateway.do 结尾')
    expect(rows).toContain('网关应答的格式无法读取')
    expect(rows).toContain('网关返回错误 20000 isp.unknow-error：系统繁忙')
    expect(rows).toContain('网关返回错误 SYSTEM_ERROR')
  })

  it('the record drawer says the failure in Chinese and keeps what was reported, as reported, apart', async () => {
    fake.answer('records.get', {
      ...failures[0]!,
      syncInfo: null,
      actionInfo: null,
      syncInfoCut: null,
      actionInfoCut: null,
      repairs: [],
    })
    const w = mountScreen(RecordDetail, { id: 1 })
    await settle()
    expect(w.find('[data-test=record-error]').text()).toBe(syncErrorText('refused', null, 'zh-CN'))
    // The gateway's raw status here was our code, not a word of the gateway's: not shown as one.
    expect(w.text()).not.toMatch(/网关原始状态\s*refused/)
  })

  it('概览 and 商户配置 say a merchant’s last error in Chinese', async () => {
    const overview: OverviewData = {
      today: { syncs: 1, repairs: 0, errors: 1, openAnomalies: 0 },
      daily: [],
      byChannel: [],
      anomaliesByKind: [],
      merchants: [merchant],
      pending: { pay: 0, refund: 0 },
      reconcile: { billDate: '2026-10-03', merchants: [], openDiffs: 0 },
    }
    fake.answer('overview.get', overview)
    const o = mountScreen(OverviewView)
    await settle()
    expect(o.text()).toContain('网关拒绝连接')
    expect(o.text()).not.toContain('refused the connection')
    document.body.innerHTML = ''

    fake.answer('merchants.list', [merchant])
    const m = mountScreen(MerchantsView)
    await settle()
    expect(m.find('.n-data-table-tbody').text()).toContain('网关拒绝连接')
    expect(m.find('.n-data-table-tbody').text()).not.toMatch(ENGLISH)
  })

  it('a failed connection test says why in Chinese, with the hint for a wrong Alipay address', async () => {
    const report: ConnectionReport = {
      ok: false,
      signatureValid: null,
      clockSkewMs: null,
      latencyMs: 12,
      message: 'HTTP_404: the gateway answered HTTP 404',
      code: 'HTTP_404',
    }
    fake.answer('merchants.list', [merchant])
    fake.answer('merchants.test', report)
    const w = mountScreen(MerchantsView)
    await settle()
    await w
      .findAll('button')
      .find((b) => b.text() === '测试连接')!
      .trigger('click')
    await settle()
    const said = document.body.querySelector('[data-test=test-message]')!.textContent!.trim()
    expect(said).toBe('网关返回 HTTP 404：支付宝网关地址应以 /gateway.do 结尾')
  })

  it('批量同步 results say an item’s error in Chinese, with its amount', async () => {
    fake.answer('batches.get', {
      id: 3,
      name: '同步 2026-12-03 10:00',
      sourceFile: null,
      source: 'batch',
      concurrency: 8,
      qps: 20,
      status: 'done',
      total: 1,
      done: 1,
      counts: { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 1, skipped: 0 },
      amounts: { total: 12_50, paid: 0, refunded: 0, repaired: 0, anomaly: 0 },
      held: 0,
      importId: null,
      importRejected: 0,
      createdAt: '2026-12-03T10:00:00.000+08:00',
      startedAt: '2026-12-03T10:00:00.000+08:00',
      finishedAt: '2026-12-03T10:00:05.000+08:00',
      operator: null,
    })
    fake.answer('batches.items', {
      total: 1,
      amount: 12_50,
      items: [
        {
          id: 1,
          tradeType: 'pay',
          tradeId: 1,
          tradeNo: 'B-1',
          amount: 12_50,
          state: 'done',
          outcome: 'error',
          gatewayStatus: 'sync_error',
          attempts: 1,
          lastError: 'the gateway did not answer in time',
          errorCode: 'timeout',
          syncRecordId: 5,
        },
      ],
    })
    const w = mountScreen(BatchSyncView)
    const router = (w.vm as unknown as { $router: { push: (p: string) => Promise<void> } }).$router
    await router.push('/?batch=3')
    await settle()
    await settle()
    const card = w.find('[data-test=current]').text()
    expect(card).toContain('网关没有在限定时间内应答')
    expect(card).toContain('¥12.50')
    expect(card).not.toMatch(ENGLISH)
  })
})
