import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BatchProgressEvent } from '../../src/shared/contract'
import type { BatchView } from '../../src/shared/entity-views'
import type { StatementDetail } from '../../src/shared/statements'
import { setLang } from '../../src/renderer/src/i18n'
import { useBatchStore } from '../../src/renderer/src/stores/batch'
import ReconcileDialog from '../../src/renderer/src/components/statements/ReconcileDialog.vue'
import StatementDetailView from '../../src/renderer/src/components/statements/StatementDetail.vue'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { diff, merchant, run, statement } from './statement-fixtures'

// The sync phase of a reconciliation is pausable (docs/reconcile.md A15.1): its syncs are a batch with
// source `reconcile`, shown with 批量同步's progress and paused, resumed or cancelled through the same
// operations, in 开始对账 once the run has queued them and in the statement while they run or wait.

let fake: FakeApi

const batch = (over: Partial<BatchView> = {}): BatchView => ({
  id: 21,
  name: '对账 shop-alipay 2026-11-18',
  sourceFile: null,
  source: 'reconcile',
  concurrency: 8,
  qps: 20,
  status: 'running',
  total: 4,
  done: 1,
  counts: { consistent: 0, repaired: 1, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 },
  held: 0,
  amounts: { total: 0, paid: 0, refunded: 0, repaired: 0, anomaly: 0 },
  createdAt: '2026-11-19T09:30:00.000+08:00',
  startedAt: '2026-11-19T09:30:00.000+08:00',
  finishedAt: null,
  operator: null,
  importId: null,
  importRejected: 0,
  ...over,
})

const event = (over: Partial<BatchProgressEvent> = {}): BatchProgressEvent => ({
  batchId: 21,
  status: 'running',
  total: 4,
  done: 2,
  counts: { consistent: 0, repaired: 2, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 },
  byGatewayStatus: {},
  rate: 1.5,
  etaSeconds: 2,
  elapsedMs: 1_500,
  ...over,
})

function detail(over: Partial<StatementDetail['statement']> = {}): StatementDetail {
  return {
    statement: statement(over),
    file: {
      name: '2088_20261118.csv.zip',
      sha256: 'ab'.repeat(32),
      bytes: 1024,
      encoding: 'gb18030',
      format: 'alipay-detail',
      layout: null,
      account: null,
      verified: true,
      gatewayHash: null,
      hashMatchedOn: null,
    },
    checks: [],
    notices: [],
    carryOver: { from: [], into: [] },
  }
}

const inBody = (selector: string) => document.body.querySelector<HTMLElement>(selector)

describe('the sync phase of a reconciliation', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('merchants.list', [merchant()])
    fake.answer('batches.get', batch())
    fake.answer('batches.pause', batch({ status: 'paused' }))
    fake.answer('batches.resume', batch({ status: 'running' }))
    fake.answer('statements.diffs', { total: 1, amount: 0, items: [diff()] })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('开始对账 shows the queued syncs as a batch and pauses and resumes them', async () => {
    fake.answer(
      'statements.reconcile',
      run({ actions: { syncQueued: 4, anomaliesOpened: 0, syncBatchId: 21, syncErrors: 0 } }),
    )
    mountScreen(ReconcileDialog, { show: true, initialDate: '2026-11-18', initialMerchant: 'shop-alipay' })
    useBatchStore().listen()
    await settle()
    inBody('[data-test=rec-start]')!.click()
    await settle()
    const syncs = () => inBody('[data-test=statement-syncs]')
    expect(syncs()?.textContent).toContain('差异的同步（批次 #21）')
    fake.emit('batch.progress', event())
    await settle()
    expect(syncs()!.querySelector('[data-test=done]')!.textContent).toBe('已完成 2 / 4')

    syncs()!.querySelector<HTMLButtonElement>('[data-test=pause]')!.click()
    await settle()
    expect(fake.op('batches.pause')).toHaveBeenCalledWith({ id: 21 })
    expect(syncs()!.querySelector('[data-test=status]')!.textContent).toBe('已暂停')
    expect(syncs()!.querySelector('[data-test=pause]')).toBeNull()

    syncs()!.querySelector<HTMLButtonElement>('[data-test=resume]')!.click()
    await settle()
    expect(fake.op('batches.resume')).toHaveBeenCalledWith({ id: 21 })
    expect(syncs()!.querySelector('[data-test=status]')!.textContent).toBe('进行中')

    // The syncs repaired what the bill said: the result shown is the statement's now.
    expect(inBody('[data-test=rec-result]')!.textContent).toContain('不平')
    fake.answer('statements.get', detail({ syncBatchId: 21, result: 'balanced', openDiffs: 0 }))
    fake.emit('batch.progress', event({ status: 'done', done: 4 }))
    await settle()
    expect(fake.op('statements.get')).toHaveBeenCalledWith({ id: 3 })
    expect(inBody('[data-test=rec-result]')!.textContent).toContain('平')
    expect(inBody('[data-test=rec-result]')!.textContent).not.toContain('不平')
  })

  it('a run that queued no sync shows none', async () => {
    fake.answer('statements.reconcile', run())
    mountScreen(ReconcileDialog, { show: true, initialDate: '2026-11-18', initialMerchant: 'shop-alipay' })
    await settle()
    inBody('[data-test=rec-start]')!.click()
    await settle()
    expect(inBody('[data-test=rec-result]')).not.toBeNull()
    expect(inBody('[data-test=statement-syncs]')).toBeNull()
    expect(fake.op('batches.get')).not.toHaveBeenCalled()
  })

  it('the statement offers them while they wait, and is read again once they end', async () => {
    fake.answer('batches.get', batch({ status: 'paused' }))
    fake.answer('statements.get', detail({ syncBatchId: 21 }))
    const w = mountScreen(StatementDetailView, { id: 3 })
    useBatchStore().listen()
    await settle()
    const syncs = w.find('[data-test=statement-syncs]')
    expect(syncs.find('[data-test=status]').text()).toBe('已暂停')
    await syncs.find('[data-test=resume]').trigger('click')
    await settle()
    expect(fake.op('batches.resume')).toHaveBeenCalledWith({ id: 21 })

    const reads = fake.op('statements.get').mock.calls.length
    fake.answer('statements.get', detail({ syncBatchId: 21, result: 'balanced', openDiffs: 0 }))
    fake.emit('batch.progress', event({ status: 'done', done: 4 }))
    await settle()
    expect(fake.op('statements.get').mock.calls.length).toBe(reads + 1)
    // Done, it has nothing left to pause: the statement shows its result.
    expect(w.find('[data-test=statement-syncs]').exists()).toBe(false)
  })

  it('a statement whose syncs have ended shows no progress', async () => {
    fake.answer('batches.get', batch({ status: 'done', done: 4 }))
    fake.answer('statements.get', detail({ syncBatchId: 21 }))
    const w = mountScreen(StatementDetailView, { id: 3 })
    await settle()
    expect(fake.op('batches.get')).toHaveBeenCalledWith({ id: 21 })
    expect(w.find('[data-test=statement-syncs]').exists()).toBe(false)
  })
})
