import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import ExportButton from '../../src/renderer/src/components/ExportButton.vue'

let fake: FakeApi

describe('导出', () => {
  beforeEach(() => {
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('in the desktop app asks for a file named after the list and the day, then writes the filter there', async () => {
    // The handle main keeps for the path the person chose: the page never sees the path itself.
    fake.answer('files.pickSave', { supported: true, file: 'save-handle-1', name: '同步记录.csv' })
    fake.answer('export.run', {
      file: '/home/f/同步记录.csv',
      rows: 12,
      bytes: 900,
      downloadPath: null,
    })
    const w = mountScreen(ExportButton, { spec: { kind: 'records', filter: { channel: 'alipay' } } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    const pick = fake.op('files.pickSave').mock.calls[0]![0]
    expect(pick.defaultName).toMatch(/^同步记录_\d{8}\.csv$/)
    expect(fake.op('export.run')).toHaveBeenCalledWith({
      kind: 'records',
      filter: { channel: 'alipay' },
      file: 'save-handle-1',
    })
    expect(fake.download).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('已导出 12 行')
  })

  it('does nothing when the save dialog is cancelled', async () => {
    fake.answer('files.pickSave', { supported: true, file: null, name: null })
    const w = mountScreen(ExportButton, { spec: { kind: 'orders', filter: {} } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.op('export.run')).not.toHaveBeenCalled()
  })

  it('in browser mode exports without a file and downloads what main wrote', async () => {
    fake.answer('files.pickSave', { supported: false, file: null, name: null })
    fake.answer('export.run', {
      file: '修复记录_20261120_101500.csv',
      rows: 3,
      bytes: 300,
      downloadPath: '/downloads/%E4%BF%AE.csv',
    })
    const w = mountScreen(ExportButton, { spec: { kind: 'repairs', filter: { no: 'R1' } } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.op('export.run')).toHaveBeenCalledWith({ kind: 'repairs', filter: { no: 'R1' } })
    expect(fake.download).toHaveBeenCalledWith('/downloads/%E4%BF%AE.csv')
  })

  it("in browser mode also downloads a batch's problem rows and the open anomalies", async () => {
    fake.answer('files.pickSave', { supported: false, file: null, name: null })
    fake.answer('export.run', {
      file: '批量同步结果_20261120_101500.csv',
      rows: 2,
      bytes: 200,
      downloadPath: '/downloads/b.csv',
    })
    const w = mountScreen(ExportButton, { spec: { kind: 'batch', batchId: 4, problemsOnly: true } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.op('export.run')).toHaveBeenCalledWith({
      kind: 'batch',
      batchId: 4,
      problemsOnly: true,
    })
    expect(fake.download).toHaveBeenCalledWith('/downloads/b.csv')

    const a = mountScreen(ExportButton, { spec: { kind: 'anomalies', filter: { status: 'open' } } })
    await a.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.op('export.run')).toHaveBeenLastCalledWith({
      kind: 'anomalies',
      filter: { status: 'open' },
    })
    expect(fake.download).toHaveBeenCalledTimes(2)
  })
})
