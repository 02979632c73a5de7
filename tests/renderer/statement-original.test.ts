import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setLang } from '../../src/renderer/src/i18n'
import StatementsView from '../../src/renderer/src/views/StatementsView.vue'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { merchant, statement } from './statement-fixtures'

// The 对账 list's 来源 filter and its row action 下载原始文件 (docs/reconcile.md A15.1): the bill file a
// statement keeps, through the save dialog in the window, as a download in browser mode.

let fake: FakeApi

async function listView() {
  const w = mountScreen(StatementsView)
  await settle()
  await w.find('[data-test=view-list] input').trigger('click')
  await settle()
  return w
}
const originalLink = (w: Awaited<ReturnType<typeof listView>>) =>
  w
    .findAll('.n-data-table-tbody tr a, .n-data-table-tbody tr button, .n-data-table-tbody tr span')
    .find((e) => e.text() === '下载原始文件')

describe('对账 list: 来源 and the original file', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('merchants.list', [merchant()])
    fake.answer('statements.calendar', { merchant: 'shop-alipay', month: '2026-11', days: [] })
    fake.answer('statements.list', { total: 1, amount: 0, items: [statement()] })
    fake.answer('statements.original', {
      file: '2088_20261118.csv.zip',
      rows: 0,
      bytes: 1234,
      downloadPath: '/downloads/abc/2088_20261118.csv.zip',
    })
  })
  afterEach(() => {
    document.body.innerHTML = ''
    setLang('zh-CN')
  })

  it('downloads a statement’s kept bill file in browser mode', async () => {
    fake.answer('files.pickSave', { supported: false, file: null, name: null })
    const w = await listView()
    expect(w.find('[data-test=source]').exists()).toBe(true)
    const action = originalLink(w)
    expect(action).toBeDefined()
    await action!.trigger('click')
    await settle()
    expect(fake.op('files.pickSave')).toHaveBeenCalledWith(
      expect.objectContaining({ defaultName: '2088_20261118.csv.zip' }),
    )
    expect(fake.op('statements.original')).toHaveBeenCalledWith({ id: statement().id, file: undefined })
    expect(fake.download).toHaveBeenCalledWith('/downloads/abc/2088_20261118.csv.zip')
  })

  it('writes it where the save dialog says in the window, and offers nothing without a file', async () => {
    fake.answer('files.pickSave', { supported: true, file: 'save-handle-1', name: 'x.zip' })
    fake.answer('statements.original', {
      file: '/home/u/x.zip',
      rows: 0,
      bytes: 1234,
      downloadPath: null,
    })
    let w = await listView()
    await originalLink(w)!.trigger('click')
    await settle()
    expect(fake.op('statements.original')).toHaveBeenCalledWith({ id: statement().id, file: 'save-handle-1' })
    expect(document.body.textContent).toContain('原始账单文件已保存到 /home/u/x.zip')
    w.unmount()

    fake.answer('statements.list', { total: 1, amount: 0, items: [{ ...statement(), fileName: null }] })
    w = await listView()
    expect(originalLink(w)).toBeUndefined()
  })
})
