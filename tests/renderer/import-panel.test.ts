import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { NInputNumber } from 'naive-ui'
import { BATCH_LIMITS, type ImportPreview } from '../../src/shared/contract'
import type { ImportSummary } from '../../src/shared/domain'
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
  headers: ['商户订单号', '商户', '金额(元)', '备注'],
  columns: [
    { header: '商户订单号', field: 'orderNo' },
    { header: '商户', field: 'merchant' },
    { header: '金额(元)', field: 'amountYuan' },
    { header: '备注', field: null },
  ],
  rows: [
    { line: 2, cells: ['E-1', 'demo-alipay', '1.00', ''], error: null },
    { line: 3, cells: ['E-2', 'demo-alipay', 'abc', ''], error: 'bad amount' },
  ],
  unknownHeaders: ['备注'],
  missing: [],
  summary: { rows: 2, inserted: 1, updated: 0, unchanged: 0, rejected: 1 },
  errors: [{ line: 3, column: '金额(元)', reason: 'bad amount' }],
  ...over,
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
  rejected: 1,
  errors: [],
  batchId: 12,
  batchTotal: 1,
}

const startButton = (w: ReturnType<typeof mountScreen>) => w.find('[data-test=start]')

describe('批量同步 import panel', () => {
  beforeEach(() => {
    localStorage.clear()
    fake = installFakeApi()
    fake.answer('files.pickOpen', { supported: true, file: HANDLE, name: NAME })
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
    expect(fake.op('imports.preview')).toHaveBeenLastCalledWith({ file: HANDLE, type: 'pay', rows: 20 })
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
    await w
      .findAll('button')
      .find((b) => b.text() === '按此映射重新预览')!
      .trigger('click')
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
    })

    await startButton(w).trigger('click')
    await settle()
    expect(fake.op('imports.run')).toHaveBeenCalledWith({
      file: HANDLE,
      type: 'pay',
      mapping,
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

  it('offers a saved mapping that names every header of the file', async () => {
    const w = mountScreen(ImportPanel)
    await w.find('[data-test=choose]').trigger('click')
    await settle()
    await w.find('[data-test=mapping-name] input').setValue('订单系统导出')
    await w
      .findAll('button')
      .find((b) => b.text() === '保存映射')!
      .trigger('click')
    await settle()
    expect(JSON.parse(localStorage.getItem('paysync-mappings')!)).toMatchObject({
      订单系统导出: { type: 'pay', columns: { 商户订单号: 'orderNo', 备注: null } },
    })

    // The same headers again, in a new window: the saved mapping is suggested.
    document.body.innerHTML = ''
    const again = mountScreen(ImportPanel)
    await again.find('[data-test=choose]').trigger('click')
    await settle()
    expect(again.text()).toContain('已保存的映射“订单系统导出”与此文件的表头一致')
  })
})
