import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { NSelect } from 'naive-ui'
import type { AnomalyDetail } from '../../src/shared/contract'
import type { AnomalyView, BatchView, PayOrderView, SyncRecordDetail } from '../../src/shared/entity-views'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import AnomalyDetailView from '../../src/renderer/src/components/AnomalyDetail.vue'
import BatchSyncView from '../../src/renderer/src/views/BatchSyncView.vue'
import RecordsView from '../../src/renderer/src/views/RecordsView.vue'
import TradeList from '../../src/renderer/src/components/TradeList.vue'

// The window's side of docs/domain.md 6.6 and 6.7: the two answers of a reopened anomaly, the note on
// a record that repeats a decided answer, the question when cancelling, and the trades a schedule skips.

let fake: FakeApi
beforeEach(() => {
  fake = installFakeApi()
})
afterEach(() => {
  document.body.innerHTML = ''
})

const anomaly = (over: Partial<AnomalyView>): AnomalyView => ({
  id: 8,
  tradeType: 'pay',
  tradeId: 12,
  tradeNo: 'MM202612030001',
  channel: 'alipay',
  merchant: '门店-支付宝',
  kind: 'amount_mismatch',
  detail: '网关金额与本地金额不一致：不能补单为成功，请线下处理差额并备注',
  localStatus: 'progress',
  gatewayStatus: 'TRADE_SUCCESS',
  localAmount: 15000,
  gatewayAmount: 2500,
  syncRecordId: 41,
  answerStatus: 'pay_success',
  followsId: 3,
  occurrences: 1,
  seenAfterDecision: 0,
  status: 'open',
  resolution: null,
  action: null,
  repairNo: null,
  operator: null,
  systemUser: null,
  transport: null,
  createdAt: '2026-12-03T10:00:00.000+08:00',
  lastSeenAt: '2026-12-03T10:00:00.000+08:00',
  resolvedAt: null,
  ...over,
})

const record = (id: number, over: Partial<SyncRecordDetail> = {}): SyncRecordDetail => ({
  id,
  tradeType: 'pay',
  tradeId: 12,
  tradeNo: 'MM202612030001',
  bizTradeNo: 'MM202612030001',
  gatewayTradeNo: '2026120322001',
  channel: 'alipay',
  merchantId: 1,
  merchant: '门店-支付宝',
  gatewayStatus: 'pay_success',
  gatewayRawStatus: 'TRADE_SUCCESS',
  outcome: 'anomaly',
  repairNo: null,
  anomalyId: 8,
  errorCode: null,
  errorMsg: null,
  clientIp: null,
  operator: null,
  source: 'schedule',
  batchId: null,
  durationMs: 30,
  createdAt: '2026-12-03T10:00:00.000+08:00',
  syncInfo: null,
  actionInfo: null,
  syncInfoCut: null,
  actionInfoCut: null,
  amount: 150_00,
  repeated: false,
  repairs: [],
  ...over,
})

const decided = anomaly({
  id: 3,
  gatewayAmount: 1500,
  followsId: null,
  status: 'resolved',
  action: 'acknowledge',
  resolution: '差额已线下核对',
  operator: '李会计',
  seenAfterDecision: 4,
  resolvedAt: '2026-12-02T09:00:00.000+08:00',
  lastSeenAt: '2026-12-03T09:00:00.000+08:00',
})

describe('待处理: a changed answer after a decision', () => {
  it('shows the answer decided on beside the answer now, the changed amount marked', async () => {
    const detail: AnomalyDetail = {
      anomaly: anomaly({}),
      record: record(41),
      order: null,
      refund: null,
      actions: ['close_order', 'acknowledge', 'dismiss'],
      previous: { anomaly: decided, record: record(20, { createdAt: '2026-12-02T08:59:00.000+08:00' }) },
      followedBy: null,
      statement: null,
    }
    fake.answer('anomalies.get', detail)
    const w = mountScreen(AnomalyDetailView, { id: 8 })
    await settle()
    const changed = w.find('[data-test=changed]')
    expect(changed.text()).toContain('网关答复已变：与已决定的异常 #3 不同')
    expect(changed.text()).toContain('李会计')
    expect(changed.text()).toContain('已线下处理')
    expect(changed.text()).toContain('差额已线下核对')
    expect(w.find('[data-test=gateway-view]').text()).toBe('网关（现在）')
    expect(w.find('[data-test=gateway-decided]').text()).toBe('网关（决定时 #3）')
    const amounts = w.findAll('[data-test=amount]').map((c) => c.text())
    expect(amounts).toEqual(['¥150.00', '¥25.00'])
    const before = w.find('[data-test=decided-amount]')
    expect(before.text()).toBe('¥15.00')
    // Marked as the difference between the two answers; the status, the same in both, is not.
    expect(before.attributes('style')).toMatch(/font-weight: 600/)
    expect(w.find('[data-test=decided-status]').attributes('style')).toBeUndefined()
  })

  it('a decided anomaly says how often the same answer came since, and what a changed one opened', async () => {
    fake.answer('anomalies.get', {
      anomaly: decided,
      record: record(20),
      order: null,
      refund: null,
      actions: [],
      previous: null,
      followedBy: 8,
      statement: null,
    })
    const w = mountScreen(AnomalyDetailView, { id: 3 })
    await settle()
    expect(w.find('[data-test=seen-after]').text()).toBe(
      '决定后又查询到相同答复 4 次（最近 2026-12-03 09:00:00），未重新打开',
    )
    expect(w.find('[data-test=followed-by]').text()).toBe('网关答复已变，已打开异常 #8')
    expect(w.find('[data-test=gateway-decided]').exists()).toBe(false)
  })
})

describe('同步记录: a record of an answer already decided', () => {
  it('reads as decided, not as something waiting for a decision', async () => {
    const { syncInfo, actionInfo, repairs, ...view } = record(50, { outcome: 'decided', anomalyId: 3 })
    void [syncInfo, actionInfo, repairs]
    fake.answer('records.list', { total: 1, amount: 150_00, items: [view] })
    const w = mountScreen(RecordsView)
    await settle()
    const row = w.find('.n-data-table-tbody .n-data-table-tr')
    expect(row.text()).toContain('已决定')
    expect(row.text()).not.toContain('待处理')
  })
})

const batch: BatchView = {
  id: 12,
  name: '20-big-2000.csv',
  sourceFile: '20-big-2000.csv',
  source: 'batch',
  concurrency: 8,
  qps: 20,
  status: 'running',
  total: 2000,
  done: 206,
  counts: { consistent: 0, repaired: 0, anomaly: 0, decided: 0, waiting: 206, error: 0, skipped: 0 },
  importId: null,
  importRejected: 0,
  amounts: { total: 0, paid: 0, refunded: 0, repaired: 0, anomaly: 0 },
  held: 0,
  createdAt: '2026-12-03T10:00:00.000+08:00',
  startedAt: '2026-12-03T10:00:00.000+08:00',
  finishedAt: null,
  operator: null,
}

async function openBatch() {
  fake.answer('batches.get', batch)
  fake.answer('batches.openTrades', { trades: 1794 })
  const w = mountScreen(BatchSyncView)
  // As the history's 查看 or a link does: the batch named in the address.
  await w.vm.$router.push({ query: { batch: '12' } })
  await settle()
  return w
}

function dialogButton(text: string): HTMLButtonElement {
  const buttons = [...document.body.querySelectorAll<HTMLButtonElement>('.n-dialog__action button')]
  const b = buttons.find((x) => x.textContent?.includes(text))
  if (!b) throw new Error(`no dialog button ${text}`)
  return b
}

describe('批量同步: cancelling asks about the schedules', () => {
  it('asks whether to stop the scheduled syncs of the N trades not final yet, yes by default', async () => {
    fake.answer('batches.cancel', { ...batch, status: 'cancelled', held: 1794 })
    const w = await openBatch()
    // What main holds after the cancel, for the screen's reloads of the batch.
    fake.answer('batches.get', { ...batch, status: 'cancelled', held: 1794 })
    await w.find('[data-test=cancel]').trigger('click')
    await settle()
    expect(fake.op('batches.openTrades')).toHaveBeenCalledWith({ id: 12 })
    const dialog = document.body.querySelector('[data-test=cancel-dialog]')!
    expect(dialog.textContent).toContain('同时停止这 1794 笔交易的定时同步')
    expect(dialog.querySelector('.n-checkbox--checked')).not.toBeNull()
    expect(fake.op('batches.cancel')).not.toHaveBeenCalled()
    dialogButton('取消批次').click()
    await settle()
    expect(fake.op('batches.cancel')).toHaveBeenCalledWith({ id: 12, holdSchedule: true })
    // The card then says how many the schedules leave alone, and offers to take them back.
    expect(w.find('[data-test=held]').text()).toContain('定时同步已暂停 1794 笔')
    fake.answer('schedule.release', { released: 1794 })
    fake.answer('batches.get', { ...batch, status: 'cancelled', held: 0 })
    await w.find('[data-test=release]').trigger('click')
    await settle()
    expect(fake.op('schedule.release')).toHaveBeenCalledWith({ batchId: 12 })
    expect(w.find('[data-test=held]').exists()).toBe(false)
  })

  it('unticked, the cancel leaves the trades to the schedules', async () => {
    fake.answer('batches.cancel', { ...batch, status: 'cancelled' })
    const w = await openBatch()
    await w.find('[data-test=cancel]').trigger('click')
    await settle()
    document.body.querySelector<HTMLElement>('[data-test=hold-schedule]')!.click()
    await settle()
    dialogButton('取消批次').click()
    await settle()
    expect(fake.op('batches.cancel')).toHaveBeenCalledWith({ id: 12, holdSchedule: false })
  })
})

const order = (over: Partial<PayOrderView>): PayOrderView => ({
  id: 1,
  orderNo: 'BIG-0001',
  bizOrderNo: 'BIG-0001',
  gatewayTradeNo: null,
  merchantId: 1,
  merchant: '门店-支付宝',
  channel: 'alipay',
  kind: 'pay',
  title: '',
  amount: 1000,
  status: 'progress',
  refundStatus: 'no_refund',
  refundableAmount: 0,
  createdAt: '2026-12-03T10:00:00.000+08:00',
  expiredAt: null,
  paidAt: null,
  closedAt: null,
  version: 0,
  lastSyncAt: null,
  lastSyncOutcome: null,
  lastGatewayStatus: null,
  syncErrorCount: 0,
  heldBy: null,
  reconcile: { state: 'unreconciled', statementId: null, billDate: null },
  ...over,
})

describe('支付订单: which trades a schedule skips, and why', () => {
  it('marks them, filters them, and takes the ticked ones back', async () => {
    fake.answer('orders.list', {
      total: 2,
      amount: 0,
      items: [
        order({ id: 1, heldBy: { batchId: 12, batchStatus: 'cancelled' } }),
        order({ id: 2, orderNo: 'BIG-0002' }),
      ],
    })
    fake.answer('schedule.release', { released: 1 })
    const w = mountScreen(TradeList, { type: 'pay' })
    await settle()
    const tags = w.findAll('[data-test=held]')
    expect(tags).toHaveLength(1)
    expect(tags[0]!.text()).toBe('定时同步：已暂停批次 #12 已取消')
    expect(tags[0]!.attributes('title')).toBe('定时同步：已暂停（批次 #12 已取消）')

    const list = fake.op('orders.list')
    list.mockClear()
    const filter = w.findAllComponents(NSelect).find((c) => c.attributes('data-test') === 'schedule-filter')!
    expect(filter.props('options')).toEqual([
      { label: '正常', value: 'on' },
      { label: '已暂停', value: 'held' },
    ])
    filter.vm.$emit('update:value', 'held')
    await w.find('[data-test=search]').trigger('click')
    await settle()
    expect(list).toHaveBeenLastCalledWith({ held: true, limit: 50, offset: 0 })

    // Ticking both offers to take back the one that is held.
    for (const box of w.findAll('.n-data-table-td--selection .n-checkbox')) await box.trigger('click')
    await settle()
    const release = w.find('[data-test=release-selected]')
    expect(release.text()).toBe('恢复定时同步 (1)')
    await release.trigger('click')
    await settle()
    expect(fake.op('schedule.release')).toHaveBeenCalledWith({ type: 'pay', ids: [1] })
  })
})
