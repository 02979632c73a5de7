// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeApi, mountScreen, settle } from './helpers'

const fake = vi.hoisted(() => ({
  current: null as ReturnType<typeof import('./helpers').fakeApi> | null,
  download: null as ((path: string) => void) | null,
}))
vi.mock('../../src/renderer/src/bridge', () => ({
  get api() {
    return fake.current!.api
  },
  download: (path: string) => fake.download!(path),
}))

import ExportButton from '../../src/renderer/src/components/ExportButton.vue'

describe('导出', () => {
  beforeEach(() => {
    fake.current = fakeApi()
    fake.download = vi.fn<(path: string) => void>()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('in the desktop app asks for a file named after the list and the day, then writes the filter there', async () => {
    fake.current!.api.files.pickSave.mockResolvedValue({ supported: true, file: '/home/f/同步记录.csv' })
    fake.current!.api.export.run.mockResolvedValue({
      file: '/home/f/同步记录.csv',
      rows: 12,
      bytes: 900,
      downloadPath: null,
    })
    const w = mountScreen(ExportButton, { spec: { kind: 'records', filter: { channel: 'alipay' } } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    const pick = fake.current!.api.files.pickSave.mock.calls[0]![0] as { defaultName: string }
    expect(pick.defaultName).toMatch(/^同步记录_\d{8}\.csv$/)
    expect(fake.current!.api.export.run).toHaveBeenCalledWith({
      kind: 'records',
      filter: { channel: 'alipay' },
      file: '/home/f/同步记录.csv',
    })
    expect(fake.download).not.toHaveBeenCalled()
    expect(document.body.textContent).toContain('已导出 12 行')
  })

  it('does nothing when the save dialog is cancelled', async () => {
    fake.current!.api.files.pickSave.mockResolvedValue({ supported: true, file: null })
    const w = mountScreen(ExportButton, { spec: { kind: 'orders', filter: {} } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.current!.api.export.run).not.toHaveBeenCalled()
  })

  it('in browser mode exports without a file and downloads what main wrote', async () => {
    fake.current!.api.files.pickSave.mockResolvedValue({ supported: false, file: null })
    fake.current!.api.export.run.mockResolvedValue({
      file: '/data/exports/修复记录_20261120_101500.csv',
      rows: 3,
      bytes: 300,
      downloadPath: '/downloads/%E4%BF%AE.csv',
    })
    const w = mountScreen(ExportButton, { spec: { kind: 'repairs', filter: { no: 'R1' } } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.current!.api.export.run).toHaveBeenCalledWith({ kind: 'repairs', filter: { no: 'R1' } })
    expect(fake.download).toHaveBeenCalledWith('/downloads/%E4%BF%AE.csv')
  })

  it("in browser mode also downloads a batch's problem rows and the open anomalies", async () => {
    fake.current!.api.files.pickSave.mockResolvedValue({ supported: false, file: null })
    fake.current!.api.export.run.mockResolvedValue({
      file: '/data/exports/批量同步结果_20261120_101500.csv',
      rows: 2,
      bytes: 200,
      downloadPath: '/downloads/b.csv',
    })
    const w = mountScreen(ExportButton, { spec: { kind: 'batch', batchId: 4, problemsOnly: true } })
    await w.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.current!.api.export.run).toHaveBeenCalledWith({
      kind: 'batch',
      batchId: 4,
      problemsOnly: true,
    })
    expect(fake.download).toHaveBeenCalledWith('/downloads/b.csv')

    const a = mountScreen(ExportButton, { spec: { kind: 'anomalies', filter: { status: 'open' } } })
    await a.find('[data-test=export]').trigger('click')
    await settle()
    expect(fake.current!.api.export.run).toHaveBeenLastCalledWith({
      kind: 'anomalies',
      filter: { status: 'open' },
    })
    expect(fake.download).toHaveBeenCalledTimes(2)
  })
})
