import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SyncRecordDetail } from '../../src/shared/entity-views'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import RecordDetail from '../../src/renderer/src/components/RecordDetail.vue'
import { setLang } from '../../src/renderer/src/i18n'

// The sync record's detail says when it keeps only the beginning of the gateway's text
// (docs/domain.md 6.1): how large the whole text was and its SHA-256, so it can be matched.

let fake: FakeApi

const SHA = 'a'.repeat(64)

function record(over: Partial<SyncRecordDetail> = {}): SyncRecordDetail {
  return {
    id: 7,
    tradeType: 'pay',
    tradeId: 3,
    tradeNo: 'DX-1',
    bizTradeNo: 'DX-1',
    gatewayTradeNo: null,
    channel: 'daxpay',
    merchantId: 1,
    merchant: 'dax',
    gatewayStatus: 'sync_error',
    gatewayRawStatus: null,
    outcome: 'error',
    repairNo: null,
    anomalyId: null,
    errorCode: 'malformed',
    errorMsg: 'the DaxPay answer is not valid JSON',
    clientIp: null,
    operator: 'tester',
    source: 'manual',
    batchId: null,
    durationMs: 12,
    createdAt: '2026-11-20T10:00:00.000+08:00',
    syncInfo: '{"code":0,"data":"xxxx',
    actionInfo: null,
    syncInfoCut: null,
    actionInfoCut: null,
    amount: 100,
    repeated: false,
    repairs: [],
    ...over,
  }
}

describe('同步记录 detail: a gateway text kept only in part', () => {
  beforeEach(() => {
    fake = installFakeApi()
  })
  afterEach(() => setLang('zh-CN'))

  it('says nothing of a cut when the text is whole', async () => {
    fake.answer('records.get', record())
    const w = mountScreen(RecordDetail, { id: 7 })
    await settle()
    expect(w.find('[data-test="sync-info-cut"]').exists()).toBe(false)
    expect(w.text()).not.toContain('截断')
  })

  it('names the whole size and the SHA-256 of a cut text, in both languages', async () => {
    fake.answer(
      'records.get',
      record({
        syncInfoCut: { bytes: 314_572_800, sha256: SHA },
        actionInfo: '{"code":0}',
        actionInfoCut: { bytes: 70_000, sha256: SHA },
      }),
    )
    const w = mountScreen(RecordDetail, { id: 7 })
    await settle()
    expect(w.find('[data-test="sync-info-cut"]').text()).toBe(`截断：共 314,572,800 字节，SHA-256 ${SHA}`)
    expect(w.find('[data-test="action-info-cut"]').text()).toBe(`截断：共 70,000 字节，SHA-256 ${SHA}`)
    setLang('en-US')
    await settle()
    expect(w.find('[data-test="sync-info-cut"]').text()).toBe(
      `Cut short: 314,572,800 bytes in all, SHA-256 ${SHA}`,
    )
  })
})
