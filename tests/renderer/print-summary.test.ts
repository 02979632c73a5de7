import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLang } from '../../src/renderer/src/i18n'
import AnomaliesView from '../../src/renderer/src/views/AnomaliesView.vue'
import { anomaly } from './fixtures'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// Review p11: the day's anomalies as a sheet to print and hand over. The sheet holds the list's
// filter, each kind with its count and amounts, and the rows; printing shows nothing else.

let fake: FakeApi
beforeEach(() => {
  setLang('zh-CN')
  fake = installFakeApi()
  fake.answer('overview.get', {
    today: { syncs: 0, repairs: 0, errors: 0, openAnomalies: 3 },
    daily: [],
    byChannel: [],
    anomaliesByKind: [],
    merchants: [],
    pending: { pay: 0, refund: 0 },
    reconcile: { billDate: '2026-10-03', merchants: [], openDiffs: 0 },
  })
})
afterEach(() => {
  document.body.innerHTML = ''
  document.body.className = ''
})

/** The DOM of the tests has no print dialog: what the page shows at the moment it would open. */
function stubPrint(at: () => void) {
  const print = vi.fn(at)
  Object.defineProperty(window, 'print', { value: print, configurable: true, writable: true })
  return print
}

describe('待处理: 打印摘要', () => {
  it('prints the filtered anomalies by kind with their sums, and only that', async () => {
    const rows = [
      anomaly({ id: 1, kind: 'amount_mismatch', localAmount: 150_00, gatewayAmount: 15_00 }),
      anomaly({ id: 2, kind: 'amount_mismatch', tradeNo: 'MM2', localAmount: 50_00, gatewayAmount: 5_00 }),
      anomaly({ id: 3, kind: 'paid_after_close', tradeNo: 'MM3', localAmount: 20_00, gatewayAmount: 20_00 }),
    ]
    fake.answer('anomalies.list', { total: 3, amount: 220_00, gatewayAmount: 40_00, items: rows })
    let printedSheet = ''
    let classDuringPrint = ''
    const print = stubPrint(() => {
      printedSheet = document.body.querySelector('[data-test=print-sheet]')?.textContent ?? ''
      classDuringPrint = document.body.className
      window.dispatchEvent(new Event('afterprint'))
    })
    const w = mountScreen(AnomaliesView)
    await settle()
    await w.find('[data-test=print]').trigger('click')
    await settle()

    expect(print).toHaveBeenCalledOnce()
    // The rows of the list's own filter (open ones), up to the sheet's limit.
    expect(fake.op('anomalies.list')).toHaveBeenLastCalledWith({ status: 'open', limit: 500, offset: 0 })
    expect(classDuringPrint).toBe('printing')
    expect(printedSheet).toContain('待处理异常摘要')
    expect(printedSheet).toContain('筛选条件：待处理')
    expect(printedSheet).toMatch(/金额不一致\s*2\s*¥200\.00\s*¥20\.00/)
    expect(printedSheet).toMatch(/合计\s*3\s*¥220\.00\s*¥40\.00/)
    expect(printedSheet).toContain('MM3')
    // Printed, the sheet goes and the window is as it was.
    expect(document.body.querySelector('[data-test=print-sheet]')).toBeNull()
    expect(document.body.className).toBe('')
  })

  it('says when the sheet holds only the newest rows of a longer list', async () => {
    fake.answer('anomalies.list', { total: 1200, amount: 0, gatewayAmount: 0, items: [anomaly()] })
    let capped = ''
    stubPrint(() => {
      capped = document.body.querySelector('[data-test=print-capped]')?.textContent ?? ''
    })
    const w = mountScreen(AnomaliesView)
    await settle()
    await w.find('[data-test=print]').trigger('click')
    await settle()
    expect(capped).toContain('只列出最新的 1 条（共 1200 条）')
  })
})
