import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import type { StatementDetail } from '../../src/shared/statements'
import { setLang } from '../../src/renderer/src/i18n'
import { useDetailStore } from '../../src/renderer/src/stores/details'
import AnomalyDetail from '../../src/renderer/src/components/AnomalyDetail.vue'
import ReconcileDialog from '../../src/renderer/src/components/statements/ReconcileDialog.vue'
import StatementDetailView from '../../src/renderer/src/components/statements/StatementDetail.vue'
import StatementLines from '../../src/renderer/src/components/statements/StatementLines.vue'
import OrdersView from '../../src/renderer/src/views/OrdersView.vue'
import StatementsView from '../../src/renderer/src/views/StatementsView.vue'
import { anomaly, order } from './fixtures'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { diff, line, merchant, run, statement } from './statement-fixtures'

// The 对账 screens (docs/reconcile.md A15) against the fake API: the calendar and the list, the
// statement drawer with its differences and lines, 开始对账 with its progress and an uploaded bill,
// the 对账 column of the orders, and a statement anomaly's bill side.

let fake: FakeApi

/** November 2026: the 18th unbalanced, the 17th never reconciled, the others balanced. */
function november() {
  return {
    merchant: 'shop-alipay',
    month: '2026-11',
    days: Array.from({ length: 30 }, (_, i) => {
      const date = `2026-11-${String(i + 1).padStart(2, '0')}`
      if (date === '2026-11-18') return { date, state: 'unbalanced' as const, statementId: 3, openDiffs: 1 }
      if (date === '2026-11-17')
        return { date, state: 'not_reconciled' as const, statementId: null, openDiffs: 0 }
      return { date, state: 'balanced' as const, statementId: 100 + i, openDiffs: 0 }
    }),
  }
}

function detail(over: Partial<StatementDetail> = {}): StatementDetail {
  return {
    statement: statement(),
    file: {
      name: '2088_20261118.csv.zip',
      sha256: 'ab'.repeat(32),
      bytes: 1024,
      encoding: 'gb18030',
      format: 'alipay-detail',
      layout: null,
      account: '2088000000000001',
      verified: true,
      gatewayHash: null,
      hashMatchedOn: null,
    },
    checks: [
      { item: '#交易合计 笔数', entry: null, line: 9, declared: '2', parsed: '2', ok: true, binding: true },
    ],
    notices: [],
    carryOver: { from: [], into: [] },
    ...over,
  }
}

const body = () => document.body.textContent ?? ''
const inBody = <T extends Element = HTMLElement>(selector: string) => document.body.querySelector<T>(selector)

/** Types into a naive-ui input that sits outside the wrapper (a modal is teleported to the body). */
async function type(selector: string, value: string): Promise<void> {
  const el = inBody<HTMLInputElement | HTMLTextAreaElement>(selector)!
  el.value = value
  el.dispatchEvent(new Event('input'))
  await settle()
}

describe('对账 calendar and list', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('merchants.list', [merchant()])
    fake.answer('statements.calendar', november())
    fake.answer('statements.list', { total: 1, amount: 0, items: [statement()] })
  })
  afterEach(() => {
    document.body.innerHTML = ''
    setLang('zh-CN')
  })

  it('colours each day by its result and opens the day’s statement', async () => {
    const w = mountScreen(StatementsView)
    await settle()
    expect(fake.op('statements.calendar')).toHaveBeenCalledWith(
      expect.objectContaining({ merchant: 'shop-alipay', month: expect.stringMatching(/^\d{4}-\d\d$/) }),
    )
    const day = w.find('[data-test="day-2026-11-18"]')
    expect(day.classes()).toContain('cell--unbalanced')
    expect(day.text()).toBe('18不平 1 笔')
    expect(w.find('[data-test="day-2026-11-03"]').classes()).toContain('cell--balanced')
    // November 1st 2026 is a Sunday: six empty cells before it, weeks starting on Monday.
    expect(w.findAll('.cell.blank')).toHaveLength(6)

    await day.trigger('click')
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['statement', 3]])
  })

  it('a past day never reconciled offers 开始对账 for that day', async () => {
    const w = mountScreen(StatementsView)
    await settle()
    expect(w.find('[data-test="day-2026-11-17"]').text()).toBe('17未对账')
    await w.find('[data-test="day-2026-11-17"]').trigger('click')
    await settle()
    expect(inBody<HTMLInputElement>('[data-test=rec-date] input')?.value).toBe('2026-11-17')
    expect(body()).toContain('shop-alipay')
  })

  it('the list shows each statement with both sides and its open differences', async () => {
    const w = mountScreen(StatementsView)
    await settle()
    await w.find('[data-test=view-list] input').trigger('click')
    await settle()
    expect(fake.op('statements.list')).toHaveBeenCalledWith({ limit: 50, offset: 0 })
    const row = w.find('.n-data-table-tbody tr')
    expect(row.text()).toContain('2026-11-18')
    expect(row.text()).toContain('不平')
    expect(row.text()).toContain('2 笔 ¥53.80')
    expect(row.text()).toContain('1 笔 ¥18.00')
    expect(w.find('[data-test=list-totals]').text()).toBe('共 1 条')
  })

  it('speaks English after the switch', async () => {
    setLang('en-US')
    const w = mountScreen(StatementsView)
    await settle()
    expect(w.find('[data-test="day-2026-11-18"]').text()).toBe('18Unbalanced: 1')
    expect(w.find('[data-test=start]').text()).toBe('Reconcile a day')
  })
})

describe('对账单 drawer', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('statements.get', detail())
    fake.answer('statements.diffs', { total: 1, amount: 0, items: [diff()] })
    fake.answer('statements.lines', { total: 1, amount: 0, items: [line()] })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('opens an unbalanced statement on its differences, the reason on the row, the anomaly linked', async () => {
    const w = mountScreen(StatementDetailView, { id: 3 })
    await settle()
    expect(fake.op('statements.diffs')).toHaveBeenCalledWith({ id: 3, status: 'open', limit: 50, offset: 0 })
    const row = w.find('[data-test=diffs] .n-data-table-tbody tr')
    expect(row.text()).toContain('通道有、本地无')
    expect(row.text()).toContain('通道有、本地无：GW-ONLY-0001，金额 35.80 元')
    await row.find('button.cell-link').trigger('click')
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['anomaly', 9]])
  })

  it('dismisses selected differences only with a remark that says why', async () => {
    fake.answer('statements.dismissDiffs', { changed: 1, items: [diff({ status: 'dismissed' })] })
    const w = mountScreen(StatementDetailView, { id: 3 })
    await settle()
    expect(w.find('[data-test=dismiss]').attributes('disabled')).toBeDefined()
    await w.find('[data-test=diffs] .n-data-table-tbody .n-checkbox').trigger('click')
    await settle()
    await w.find('[data-test=dismiss]').trigger('click')
    await settle()
    inBody<HTMLButtonElement>('[data-test=dismiss-confirm]')!.click()
    await settle()
    expect(body()).toContain('请填写备注')
    expect(fake.op('statements.dismissDiffs')).not.toHaveBeenCalled()

    await type('[data-test=dismiss-remark] textarea', '非本系统订单，已与财务核实')
    inBody<HTMLButtonElement>('[data-test=dismiss-confirm]')!.click()
    await settle()
    expect(fake.op('statements.dismissDiffs')).toHaveBeenCalledWith({
      ids: [11],
      remark: '非本系统订单，已与财务核实',
    })
  })

  it('概要 puts the channel beside the books with the difference, and the file’s own totals', async () => {
    const w = mountScreen(StatementDetailView, { id: 3 })
    await settle()
    const summaryTab = w.findAll('.n-tabs-tab').find((t) => t.text() === '概要')!
    await summaryTab.trigger('click')
    await settle()
    const sides = w.find('[data-test=sides]').text()
    expect(sides).toContain('收款金额¥53.80¥18.00¥35.80')
    expect(sides).toContain('0.01234')
    expect(w.find('[data-test=integrity]').text()).toContain('账单自检通过')
    expect(w.find('[data-test=integrity]').text()).toContain('#交易合计 笔数')
  })

  it('通道明细 shows a line’s raw text with its tabs made visible', async () => {
    const w = mountScreen(StatementLines, { statementId: 3 })
    await settle()
    expect(w.text()).toContain('差异')
    const show = w.findAll('button.cell-link').find((b) => b.text() === '查看')!
    await show.trigger('click')
    await settle()
    expect(inBody('[data-test=raw-line]')?.textContent).toBe('2026111822001\\t,GW-ONLY-0001\\t,交易,35.80')
    // Each tab is marked as one, not left to look like spaces.
    expect(document.body.querySelectorAll('[data-test=raw-line] .tab')).toHaveLength(2)
  })
})

describe('对账单 other lines and fees', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('statements.lines', { total: 1, amount: 0, items: [line({ matchState: 'foreign' })] })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('非本系统 / 重复 / 其他 always asks for one of those states, foreign first', async () => {
    mountScreen(StatementLines, { statementId: 3, only: 'others' })
    await settle()
    expect(fake.op('statements.lines')).toHaveBeenCalledWith({
      id: 3,
      state: 'foreign',
      limit: 50,
      offset: 0,
    })
  })

  it('手续费 asks for the lines with a fee and shows the day’s total', async () => {
    const w = mountScreen(StatementLines, { statementId: 3, only: 'fees', feeTotalE5: 1234 })
    await settle()
    expect(fake.op('statements.lines')).toHaveBeenCalledWith({ id: 3, withFee: true, limit: 50, offset: 0 })
    expect(w.find('[data-test=fee-total]').text()).toBe('0.01234')
  })
})

describe('开始对账', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('merchants.list', [merchant()])
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('downloads the day, shows the phases as main reports them, then the result and its statement', async () => {
    let finish!: (r: ReturnType<typeof run>) => void
    fake.op('statements.reconcile').mockImplementation(() => new Promise((r) => (finish = r)))
    mountScreen(ReconcileDialog, { show: true, initialDate: '2026-11-18', initialMerchant: 'shop-alipay' })
    await settle()
    inBody<HTMLButtonElement>('[data-test=rec-start]')!.click()
    await settle()
    expect(fake.op('statements.reconcile')).toHaveBeenCalledWith({
      merchant: 'shop-alipay',
      date: '2026-11-18',
      dryRun: false,
      waitForSyncs: false,
    })
    fake.emit('statement.progress', { statementId: 3, phase: 'match', done: 1, total: 2 })
    await settle()
    expect(inBody('[data-test=rec-progress]')?.textContent).toContain('匹配 1 / 2')

    finish(run())
    await settle()
    const result = inBody('[data-test=rec-result]')!.textContent!
    expect(result).toContain('不平')
    expect(result).toContain('¥53.80')
    inBody<HTMLButtonElement>('[data-test=rec-open]')!.click()
    await nextTick()
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['statement', 3]])
  })

  it('reconciles a bill file dropped on it, by the handle the upload answered', async () => {
    fake.answer('files.upload', { file: 'h'.repeat(22), name: 'INN26111888ZM_898000000000001' })
    fake.answer('statements.reconcile', run({ source: 'upload', verified: false }))
    mountScreen(ReconcileDialog, { show: true, initialDate: '2026-11-18', initialMerchant: 'shop-alipay' })
    await settle()
    inBody<HTMLInputElement>('[data-test=rec-file] input')!.click()
    await settle()
    const drop = new Event('drop', { bubbles: true, cancelable: true }) as Event & { dataTransfer: unknown }
    const bill = new File(['bill bytes'], 'INN26111888ZM_898000000000001')
    Object.defineProperty(drop, 'dataTransfer', { value: { files: [bill] } })
    inBody('[data-test=drop]')!.dispatchEvent(drop)
    await expect.poll(() => fake.op('files.upload').mock.calls.length).toBe(1)
    expect(fake.op('files.upload')).toHaveBeenCalledWith({
      name: 'INN26111888ZM_898000000000001',
      contentBase64: btoa('bill bytes'),
    })
    await settle()
    expect(inBody('[data-test=rec-file-name]')?.textContent).toBe('INN26111888ZM_898000000000001')
    inBody<HTMLButtonElement>('[data-test=rec-start]')!.click()
    await settle()
    expect(fake.op('statements.reconcile')).toHaveBeenCalledWith(
      expect.objectContaining({ merchant: 'shop-alipay', date: '2026-11-18', file: 'h'.repeat(22) }),
    )
  })
})

describe('对账 elsewhere', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('支付订单 says 已对账 with the bill day, linked, and 跨日待核', async () => {
    fake.answer('orders.list', {
      total: 2,
      amount: 25_00,
      items: [
        order({ id: 1, reconcile: { state: 'reconciled', statementId: 3, billDate: '2026-11-18' } }),
        order({
          id: 2,
          orderNo: 'X2',
          reconcile: { state: 'pending_cross_day', statementId: null, billDate: null },
        }),
      ],
    })
    const w = mountScreen(OrdersView)
    await settle()
    const rows = w.findAll('.n-data-table-tbody tr')
    expect(rows[0]!.text()).toContain('已对账 2026-11-18')
    expect(rows[1]!.text()).toContain('跨日待核')
    await rows[0]!
      .findAll('button.cell-link')
      .find((b) => b.text() === '已对账 2026-11-18')!
      .trigger('click')
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['statement', 3]])
  })

  it('a statement anomaly shows the bill line beside the books, with its statement one click away', async () => {
    fake.answer('anomalies.get', {
      anomaly: anomaly({ id: 9, kind: 'statement_unknown_trade', tradeId: 0, tradeNo: 'GW-ONLY-0001' }),
      record: null,
      order: null,
      refund: null,
      actions: ['acknowledge', 'dismiss'],
      previous: null,
      followedBy: null,
      statement: { diff: diff(), line: line() },
    })
    const w = mountScreen(AnomalyDetail, { id: 9 })
    await settle()
    const side = w.find('[data-test=statement-side]')
    expect(side.text()).toContain('对账单 2026-11-18 第 6 行')
    expect(side.text()).toContain('¥35.80')
    expect(side.text()).toContain('通道有、本地无：GW-ONLY-0001，金额 35.80 元')
    expect(side.find('[data-test=bill-line]').text()).toContain('GW-ONLY-0001')
    expect(w.find('[data-test=compare]').exists()).toBe(false)
    await side.find('[data-test=open-statement]').trigger('click')
    expect(useDetailStore().stack.map((e) => [e.kind, e.id])).toEqual([['statement', 3]])
  })
})
