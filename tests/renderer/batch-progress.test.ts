import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { BatchProgressEvent } from '../../src/shared/contract'
import type { BatchView } from '../../src/shared/entity-views'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import BatchProgress from '../../src/renderer/src/components/BatchProgress.vue'
import BatchSyncView from '../../src/renderer/src/views/BatchSyncView.vue'
import { useBatchStore } from '../../src/renderer/src/stores/batch'
import { setLang } from '../../src/renderer/src/i18n'

let fake: FakeApi

const event = (over: Partial<BatchProgressEvent> = {}): BatchProgressEvent => ({
  batchId: 9,
  status: 'running',
  total: 1000,
  done: 250,
  counts: { consistent: 200, repaired: 30, anomaly: 5, decided: 0, waiting: 10, error: 4, skipped: 1 },
  byGatewayStatus: { pay_success: 230 },
  rate: 8.4,
  etaSeconds: 89,
  elapsedMs: 30_000,
  ...over,
})

const stored: BatchView = {
  id: 9,
  name: '11月对账.csv',
  sourceFile: '11月对账.csv',
  source: 'batch',
  concurrency: 8,
  qps: 20,
  status: 'running',
  total: 1000,
  done: 0,
  counts: { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 0, error: 0, skipped: 0 },
  held: 0,
  amounts: { total: 0, paid: 0, refunded: 0, repaired: 0, anomaly: 0 },
  createdAt: '2026-11-20T10:00:00.000+08:00',
  startedAt: '2026-11-20T10:00:00.000+08:00',
  finishedAt: null,
  operator: null,
  importId: 3,
  importRejected: 0,
}

describe('批量同步 progress', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('batches.get', stored)
    fake.answer('batches.pause', { ...stored, status: 'paused' })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('sums what the items came to in money, and keeps an ended batch’s rate the same however often it is opened', async () => {
    const amounts = { total: 1_234_56, paid: 1_000_00, refunded: 0, repaired: 200_00, anomaly: 34_56 }
    const w = mountScreen(BatchProgress, {
      progress: event({ status: 'done', done: 1000, rate: 3.3, elapsedMs: 200_000 }),
      amounts,
    })
    await settle()
    expect(w.find('[data-test=amounts]').text()).toBe(
      '金额 全部 ¥1,234.56 · 已支付 ¥1,000.00 · 已修复 ¥200.00 · 待处理 ¥34.56',
    )
    // Over the whole run (1000 in 200 s), not over its last seconds.
    expect(w.find('[data-test=rate]').text()).toContain('5.0')
    await w.setProps({ progress: event({ status: 'done', done: 1000, rate: 17, elapsedMs: 200_000 }) })
    expect(w.find('[data-test=rate]').text()).toContain('5.0')
  })

  it('renders done of total, the counts by outcome, the rate and the time left', async () => {
    const w = mountScreen(BatchProgress, { progress: event() })
    await settle()
    expect(w.find('[data-test=done]').text()).toBe('已完成 250 / 1000')
    expect(w.find('[data-test=rate]').text()).toContain('8.4')
    expect(w.find('[data-test=rate]').text()).toContain('笔/秒')
    expect(w.find('[data-test=eta]').text()).toContain('1:29')
    expect(w.find('[data-test=count-consistent]').text()).toBe('一致 200')
    expect(w.find('[data-test=count-anomaly]').text()).toBe('待处理 5')
    expect(w.find('[data-test=count-error]').text()).toBe('出错 4')
    expect(w.find('[data-test=status]').text()).toBe('进行中')
    expect(w.text()).toContain('25%')
    expect(w.find('[data-test=pause]').exists()).toBe(true)
    expect(w.find('[data-test=resume]').exists()).toBe(false)
  })

  it('says when other processes run the batch too, while it runs, in the window’s language', async () => {
    const alone = mountScreen(BatchProgress, { progress: event({ runners: 1 }) })
    await settle()
    expect(alone.find('[data-test=runners]').exists()).toBe(false)
    document.body.innerHTML = ''
    const w = mountScreen(BatchProgress, { progress: event({ runners: 2 }) })
    await settle()
    expect(w.find('[data-test=runners]').text()).toBe('另有 1 个进程同时运行此批次，进度为整个批次')
    setLang('en-US')
    await settle()
    expect(w.find('[data-test=runners]').text()).toBe(
      '1 other process(es) run this batch too; the progress is the whole batch',
    )
    setLang('zh-CN')
    document.body.innerHTML = ''
    const ended = mountScreen(BatchProgress, { progress: event({ runners: 2, status: 'done', done: 1000 }) })
    await settle()
    expect(ended.find('[data-test=runners]').exists()).toBe(false)
  })

  it('a paused or interrupted batch offers resume, a finished one neither', async () => {
    const paused = mountScreen(BatchProgress, {
      progress: event({ status: 'interrupted', etaSeconds: null }),
    })
    await settle()
    expect(paused.find('[data-test=resume]').exists()).toBe(true)
    expect(paused.find('[data-test=pause]').exists()).toBe(false)
    expect(paused.find('[data-test=eta]').text()).toContain('—')
    document.body.innerHTML = ''
    const done = mountScreen(BatchProgress, { progress: event({ status: 'done', done: 1000 }) })
    await settle()
    expect(done.find('[data-test=resume]').exists()).toBe(false)
    expect(done.find('[data-test=cancel]').exists()).toBe(false)
    expect(done.find('[data-test=eta]').text()).toContain('已完成')
  })

  it("a batch the storage paused says why, in the window's language; a person's pause says nothing", async () => {
    const full = mountScreen(BatchProgress, {
      progress: event({ status: 'paused', pauseReason: 'disk_full', etaSeconds: null }),
    })
    await settle()
    expect(full.find('[data-test=pause-reason]').text()).toBe(
      '已暂停：数据库所在的磁盘已满。已收到的网关结果都已保存；请腾出磁盘空间后点击“继续”。',
    )
    expect(full.find('[data-test=resume]').exists()).toBe(true)
    setLang('en-US')
    try {
      await settle()
      expect(full.find('[data-test=pause-reason]').text()).toContain('the disk of the database is full')
    } finally {
      setLang('zh-CN')
    }
    document.body.innerHTML = ''
    const byHand = mountScreen(BatchProgress, { progress: event({ status: 'paused', etaSeconds: null }) })
    await settle()
    expect(byHand.find('[data-test=pause-reason]').exists()).toBe(false)
    // Resumed: the reason went with the pause.
    document.body.innerHTML = ''
    const resumed = mountScreen(BatchProgress, {
      progress: event({ status: 'running', pauseReason: 'db_locked' }),
    })
    await settle()
    expect(resumed.find('[data-test=pause-reason]').exists()).toBe(false)
  })

  it('the batch screen follows batch.progress events and pauses through the contract', async () => {
    const w = mountScreen(BatchSyncView)
    const store = useBatchStore()
    store.listen()
    store.currentId = 9
    await settle()
    fake.emit('batch.progress', event({ done: 600, rate: 25, etaSeconds: 16 }))
    await settle()
    const card = w.find('[data-test=current]')
    expect(card.exists()).toBe(true)
    expect(card.find('[data-test=done]').text()).toBe('已完成 600 / 1000')
    expect(card.find('[data-test=rate]').text()).toContain('25')
    expect(card.find('[data-test=eta]').text()).toContain('0:16')
    await card.find('[data-test=pause]').trigger('click')
    await settle()
    expect(fake.op('batches.pause')).toHaveBeenCalledWith({ id: 9 })
    expect(w.find('[data-test=status]').text()).toBe('已暂停')
  })

  it('the result rows follow the counters while the batch runs, at most once a second', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      mountScreen(BatchSyncView)
      const store = useBatchStore()
      store.listen()
      store.currentId = 9
      fake.emit('batch.progress', event())
      await vi.advanceTimersByTimeAsync(1500)
      const items = fake.op('batches.items')
      const before = items.mock.calls.length
      // A burst of events within a second: one reload at once, one after the second is up.
      for (let done = 300; done <= 700; done += 100) {
        fake.emit('batch.progress', event({ done }))
        await vi.advanceTimersByTimeAsync(50)
      }
      expect(items.mock.calls.length - before).toBe(1)
      await vi.advanceTimersByTimeAsync(1200)
      expect(items.mock.calls.length - before).toBe(2)
      // Nothing new, nothing asked.
      await vi.advanceTimersByTimeAsync(5000)
      expect(items.mock.calls.length - before).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
