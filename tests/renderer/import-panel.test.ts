import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { NInputNumber } from 'naive-ui'
import { BATCH_LIMITS, type ImportPreview } from '../../src/shared/contract'
import type { ImportSummary } from '../../src/shared/import-report'
import { ApiError } from '../../src/shared/errors'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import ImportPanel from '../../src/renderer/src/components/import/ImportPanel.vue'
import MappingEditor from '../../src/renderer/src/components/import/MappingEditor.vue'
import BatchStartBar from '../../src/renderer/src/components/import/BatchStartBar.vue'

let fake: FakeApi

/** What main answers for a chosen file: a handle to pass back, and the name to show; never the path. */
const HANDLE = 'open-handle-1'
const NAME = '11月订单.csv'

/** Three columns main recognised, a fourth it did not, one bad row among two. */
const preview = (over: Partial<ImportPreview> = {}): ImportPreview => ({
  file: NAME,
  encoding: 'utf-8',
  headerLine: 1,
  headers: ['商户订单号', '商户', '金额(元)', '备注'],
  columns: [
    { header: '商户订单号', field: 'orderNo' },
    { header: '商户', field: 'merchant' },
    { header: '金额(元)', field: 'amountYuan' },
    { header: '备注', field: null },
  ],
  amountColumns: [
    { index: 2, header: '金额(元)', field: 'amountYuan', unit: 'yuan', from: 'header', question: false },
  ],
  rows: [
    { line: 2, cells: ['E-1', 'demo-alipay', '1.00', ''], error: null, amount: 100, notes: [] },
    { line: 3, cells: ['E-2', 'demo-alipay', 'abc', ''], error: 'bad amount', amount: null, notes: [] },
  ],
  unknownHeaders: ['备注'],
  missing: [],
  summary: {
    rows: 2,
    inserted: 1,
    updated: 0,
    unchanged: 0,
    duplicates: 0,
    conflicts: 0,
    skipped: 0,
    rejected: 1,
    warnings: 0,
  },
  errors: [{ line: 3, column: '金额(元)', reason: 'bad amount' }],
  notes: [],
  merchantColumnIgnored: [],
  ...over,
})

/** A shop export whose `amount` column holds whole numbers only: the unit is the person's to say. */
const wholeAmounts = (): ImportPreview =>
  preview({
    headers: ['orderNo', 'amount'],
    columns: [
      { header: 'orderNo', field: 'orderNo' },
      { header: 'amount', field: 'amountYuan' },
    ],
    amountColumns: [
      { index: 1, header: 'amount', field: 'amountYuan', unit: 'yuan', from: 'assumed', question: true },
    ],
    rows: [{ line: 2, cells: ['AMT-1', '100'], error: null, amount: 10000, notes: [] }],
    unknownHeaders: [],
    errors: [],
  })

const summary: ImportSummary = {
  importId: 4,
  file: NAME,
  encoding: 'utf-8',
  type: 'pay',
  rows: 2,
  inserted: 1,
  updated: 0,
  unchanged: 0,
  duplicates: 0,
  conflicts: 0,
  skipped: 0,
  rejected: 1,
  warnings: 0,
  headerLine: 1,
  amountColumns: [],
  merchantColumnIgnored: [],
  errors: [],
  notes: [],
  batchId: 12,
  batchTotal: 1,
}

const startButton = (w: ReturnType<typeof mountScreen>) => w.find('[data-test=start]')
const button = (w: ReturnType<typeof mountScreen>, text: string) =>
  w.findAll('button').find((b) => b.text() === text)!

describe('批量同步 import panel', () => {
  beforeEach(() => {
    localStorage.clear()
    fake = installFakeApi()
    fake.answer('files.pickOpen', { supported: true, file: HANDLE, name: NAME })
    fake.answer('files.pickSave', { supported: false, file: null, name: null })
    fake.answer('imports.preview', preview())
    fake.answer('imports.run', summary)
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('previews a chosen file as main reads it, then as the person mapped it, and starts only after', async () => {
    const started = vi.fn()
    const w = mountScreen(ImportPanel, { onStarted: started })
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    expect(fake.op('imports.preview')).toHaveBeenLastCalledWith({
      file: HANDLE,
      type: 'pay',
      rows: 20,
      taskId: expect.stringMatching(/^import-[0-9a-f]{24}$/),
    })
    expect(w.find('[data-test=preview]').text()).toContain('utf-8')
    expect(w.text()).toContain('11月订单.csv')
    expect(startButton(w).attributes('disabled')).toBeUndefined()

    // A changed mapping holds the start until it is previewed.
    w.findComponent(MappingEditor).vm.$emit('setField', '备注', 'title')
    fake.answer(
      'imports.preview',
      preview({
        columns: [...preview().columns.slice(0, 3), { header: '备注', field: 'title' }],
        unknownHeaders: [],
      }),
    )
    await settle()
    expect(startButton(w).attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('映射修改后需先重新预览')
    await button(w, '按此映射重新预览').trigger('click')
    await settle()
    const mapping = {
      columns: { 商户订单号: 'orderNo', 商户: 'merchant', '金额(元)': 'amountYuan', 备注: 'title' },
      defaults: {},
    }
    expect(fake.op('imports.preview')).toHaveBeenLastCalledWith({
      file: HANDLE,
      type: 'pay',
      mapping,
      rows: 20,
      taskId: expect.any(String),
    })

    await startButton(w).trigger('click')
    await settle()
    expect(fake.op('imports.run')).toHaveBeenCalledWith({
      file: HANDLE,
      type: 'pay',
      mapping,
      taskId: expect.any(String),
      sync: {
        concurrency: DEFAULT_SETTINGS.defaultConcurrency,
        qps: DEFAULT_SETTINGS.defaultQps,
        name: '11月订单.csv',
      },
    })
    expect(started).toHaveBeenCalledWith(12, summary)
    expect(w.find('[data-test=import-result]').text()).toContain('新增 1')
    expect(document.body.textContent).toContain('批次 #12 开始同步 1 笔')
  })

  it('in browser mode uploads the file and names it by the upload id from then on, never by a path', async () => {
    fake.answer('files.pickOpen', { supported: false, file: null, name: null })
    fake.answer('files.upload', { file: 'upload-id-1', name: NAME })
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    const input = w.find('[data-test=file-input]')
    const picked = new File(['商户订单号,金额(元)\nE-1,1.00\n'], NAME, { type: 'text/csv' })
    Object.defineProperty(input.element, 'files', { value: [picked], configurable: true })
    await input.trigger('change')
    await settle()
    expect(fake.op('files.upload').mock.calls[0]![0]).toMatchObject({ name: NAME })
    expect(fake.op('imports.preview')).toHaveBeenLastCalledWith({
      file: 'upload-id-1',
      type: 'pay',
      rows: 20,
      taskId: expect.stringMatching(/^import-[0-9a-f]{24}$/),
    })
    expect(w.text()).toContain(NAME)
    await startButton(w).trigger('click')
    await settle()
    expect(fake.op('imports.run').mock.calls[0]![0]).toMatchObject({ file: 'upload-id-1' })
  })

  it('holds the start while a required column is missing, and names it', async () => {
    fake.answer('imports.preview', preview({ missing: ['orderNo', 'amount'], summary: null }))
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    expect(w.find('[data-test=missing]').text()).toContain('商户订单号、金额')
    expect(startButton(w).attributes('disabled')).toBeDefined()
  })

  it('offers concurrency and QPS within the bounds main accepts', async () => {
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    const [concurrency, qps] = w.findComponent(BatchStartBar).findAllComponents(NInputNumber)
    expect([concurrency!.props('min'), concurrency!.props('max')]).toEqual([...BATCH_LIMITS.concurrency])
    expect([qps!.props('min'), qps!.props('max')]).toEqual([...BATCH_LIMITS.qps])
  })

  it("says why a preview failed, in the window's language, and shows no stale preview", async () => {
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    expect(w.find('[data-test=preview]').exists()).toBe(true)

    fake
      .op('imports.preview')
      .mockRejectedValue(new ApiError({ code: 'invalid_input', message: 'the file is empty' }))
    // 退款订单: the type is part of the preview, so it is asked again.
    await w.findAll('.n-radio-button input').at(1)!.setValue(true)
    await settle()
    expect(document.body.textContent).toContain('the file is empty')
    expect(w.find('[data-test=preview]').exists()).toBe(false)
    expect(startButton(w).exists()).toBe(false)
  })

  it('saves a mapping in the database and offers it for a file with the same headers', async () => {
    fake.op('mappings.save').mockImplementation(async (m) => ({
      name: m.name,
      type: m.type ?? 'pay',
      mapping: { columns: m.mapping.columns ?? {}, defaults: {} },
      savedAt: '2026-12-03T10:00:00.000+08:00',
    }))
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    await w.find('[data-test=mapping-name] input').setValue('订单系统导出')
    await button(w, '保存映射').trigger('click')
    await settle()
    expect(fake.op('mappings.save')).toHaveBeenCalledWith({
      name: '订单系统导出',
      type: 'pay',
      mapping: {
        columns: { 商户订单号: 'orderNo', 商户: 'merchant', '金额(元)': 'amountYuan', 备注: null },
        defaults: {},
      },
    })
    expect(localStorage.getItem('paysync-mappings')).toBeNull()

    // A new window (browser mode on another port) reads it from main.
    document.body.innerHTML = ''
    fake.answer('mappings.list', [
      {
        name: '订单系统导出',
        type: 'pay',
        mapping: {
          columns: { 商户订单号: 'orderNo', 商户: 'merchant', '金额(元)': 'amountYuan', 备注: null },
          defaults: {},
        },
        savedAt: '2026-12-03T10:00:00.000+08:00',
      },
    ])
    const again = mountScreen(ImportPanel)
    await settle()
    await again.find('[data-test=choose]').trigger('click')
    await settle()
    expect(again.text()).toContain('已保存的映射“订单系统导出”与此文件的表头一致')
  })

  it('moves a mapping an earlier version kept in localStorage into the database', async () => {
    localStorage.setItem(
      'paysync-mappings',
      JSON.stringify({ 旧映射: { type: 'refund', columns: { SO: 'orderNo' }, savedAt: '2026-11-01' } }),
    )
    fake.answer('mappings.save', {
      name: '旧映射',
      type: 'refund',
      mapping: { columns: { SO: 'orderNo' }, defaults: {} },
      savedAt: '2026-12-03T10:00:00.000+08:00',
    })
    mountScreen(ImportPanel)
    await settle()
    expect(fake.op('mappings.save')).toHaveBeenCalledWith({
      name: '旧映射',
      type: 'refund',
      mapping: { columns: { SO: 'orderNo' }, defaults: {} },
    })
    expect(localStorage.getItem('paysync-mappings')).toBeNull()
  })

  it('asks the unit of a whole-number amount column, holds the start until told, and shows the amount stored', async () => {
    fake.answer('imports.preview', wholeAmounts())
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    expect(w.find('[data-test=unit-question-1]').text()).toContain('100 按元是 ¥100.00，按分是 ¥1.00')
    expect(startButton(w).attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('先选择金额单位')
    // The stored amount beside the cell it is read from, on the tab of the first rows.
    const rowsTab = () => w.findAll('.n-tabs-tab').find((tab) => tab.text().startsWith('前 '))!
    await rowsTab().trigger('click')
    await settle()
    expect(w.find('[data-test=stored]').text()).toBe('100→ ¥100.00')
    await w.findAll('.n-tabs-tab').at(0)!.trigger('click')
    await settle()

    // A change elsewhere in the mapping does not make the assumed unit the person's.
    w.findComponent(MappingEditor).vm.$emit('setField', 'orderNo', 'orderNo')
    await settle()
    await button(w, '按此映射重新预览').trigger('click')
    await settle()
    expect(fake.op('imports.preview')).toHaveBeenLastCalledWith(
      expect.objectContaining({ mapping: { columns: { orderNo: 'orderNo' }, defaults: {} } }),
    )

    fake.answer(
      'imports.preview',
      preview({
        ...wholeAmounts(),
        columns: [
          { header: 'orderNo', field: 'orderNo' },
          { header: 'amount', field: 'amountFen' },
        ],
        amountColumns: [
          { index: 1, header: 'amount', field: 'amountFen', unit: 'fen', from: 'mapping', question: false },
        ],
        rows: [{ line: 2, cells: ['AMT-1', '100'], error: null, amount: 100, notes: [] }],
      }),
    )
    await w.find('[data-test=unit-fen]').trigger('click')
    await settle()
    expect(fake.op('imports.preview')).toHaveBeenLastCalledWith(
      expect.objectContaining({
        mapping: { columns: { orderNo: 'orderNo', amount: 'amountFen' }, defaults: {} },
      }),
    )
    expect(w.find('[data-test=unit-question-1]').exists()).toBe(false)
    await rowsTab().trigger('click')
    await settle()
    expect(w.find('[data-test=stored]').text()).toBe('100→ ¥1.00')
    expect(startButton(w).attributes('disabled')).toBeUndefined()
  })

  it('says the merchant chosen applies to every row when the file has a merchant column', async () => {
    fake.answer('merchants.list', [])
    fake.answer('imports.preview', preview({ merchantColumnIgnored: ['sim-alipay'] }))
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    expect(w.find('[data-test=merchant-applies]').exists()).toBe(false)
    // The select's value, as a person's choice sets it.
    w.findComponent({ name: 'Select' }).vm.$emit('update:value', '门店-支付宝')
    await settle()
    const notice = w.find('[data-test=merchant-applies]').text()
    expect(notice).toContain('已选商户“门店-支付宝”：每一行都按此商户导入，文件中的商户列不读取。')
    expect(notice).toContain('文件的商户列写的是：sim-alipay')
    expect(fake.op('imports.preview')).toHaveBeenLastCalledWith(
      expect.objectContaining({ merchant: '门店-支付宝' }),
    )
  })

  it('exports the rows the preview would refuse, the rows the import refused, and a template', async () => {
    fake.answer('export.run', {
      file: '/x/被拒绝的行.csv',
      rows: 1,
      bytes: 10,
      downloadPath: '/downloads/x.csv',
    })
    fake.answer('imports.template', {
      file: '/x/t.csv',
      rows: 2,
      bytes: 10,
      downloadPath: '/downloads/t.csv',
    })
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    await w.find('[data-test=export-rejected]').trigger('click')
    await settle()
    expect(fake.op('export.run')).toHaveBeenLastCalledWith({
      kind: 'rejected',
      source: {
        file: HANDLE,
        type: 'pay',
        mapping: {
          columns: { 商户订单号: 'orderNo', 商户: 'merchant', '金额(元)': 'amountYuan', 备注: null },
          defaults: {},
        },
      },
    })
    expect(fake.download).toHaveBeenLastCalledWith('/downloads/x.csv')

    await startButton(w).trigger('click')
    await settle()
    await w.find('[data-test=export-result-rejected]').trigger('click')
    await settle()
    expect(fake.op('export.run')).toHaveBeenLastCalledWith({ kind: 'rejected', importId: 4 })

    await w.find('[data-test=template-refund]').trigger('click')
    await settle()
    expect(fake.op('imports.template')).toHaveBeenLastCalledWith({ type: 'refund' })
    expect(fake.download).toHaveBeenLastCalledWith('/downloads/t.csv')
  })

  it('shows the progress of a long preview and cancels it by its task id', async () => {
    let finish: (p: ImportPreview) => void = () => undefined
    fake.op('imports.preview').mockImplementation(() => new Promise((resolve) => (finish = resolve)))
    fake.answer('imports.cancel', { cancelled: true })
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    const taskId = fake.op('imports.preview').mock.calls[0]![0].taskId!
    fake.emit('task.progress', {
      taskId,
      kind: 'import',
      done: 40_000,
      total: null,
      finished: false,
      error: null,
    })
    await settle()
    expect(w.find('[data-test=progress]').text()).toContain('已读 40000 行')
    await w.find('[data-test=cancel]').trigger('click')
    await settle()
    expect(fake.op('imports.cancel')).toHaveBeenCalledWith({ taskId })
    finish(preview())
    await settle()
    expect(w.find('[data-test=progress]').exists()).toBe(false)
  })
})
