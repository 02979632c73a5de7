import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StatementDetail } from '../../src/shared/statements'
import { setLang } from '../../src/renderer/src/i18n'
import StatementDetailView from '../../src/renderer/src/components/statements/StatementDetail.vue'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { diff, line, statement, summary } from './statement-fixtures'

// The 手续费 tab (docs/reconcile.md A15.2, A7 `fee_deviation`): with a fee rate on the profile, the
// lines whose fee is off the rate are listed above the lines with a fee, the reason on each row.

let fake: FakeApi

function detail(feeDeviations: number): StatementDetail {
  const s = summary()
  return {
    statement: statement({
      result: 'balanced',
      openDiffs: 0,
      summary: { ...s, diffs: { ...s.diffs, gateway_only: 0, fee_deviation: feeDeviations } },
    }),
    file: {
      name: 'bill.csv',
      sha256: 'ab'.repeat(32),
      bytes: 1024,
      encoding: 'utf-8',
      format: 'wechat-trade',
      layout: 'ALL',
      account: '1900000001',
      verified: true,
      gatewayHash: null,
      hashMatchedOn: null,
    },
    checks: [],
    notices: [],
    carryOver: { from: [], into: [] },
  }
}

const feeDiff = diff({
  kind: 'fee_deviation',
  label: '手续费不匹配',
  orderNo: 'PSF3',
  action: 'none',
  anomalyId: null,
  reason: 'fee_deviation',
  reasonText: '手续费异常：PSF3 的手续费 0.62 元，按费率应为 0.60 元',
  reasonEn: 'the fee 0.62 yuan is not the rate applied to PSF3 (0.60 yuan)',
})

describe('手续费 tab', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('statements.diffs', { total: 1, amount: 0, items: [feeDiff] })
    fake.answer('statements.lines', { total: 1, amount: 0, items: [line()] })
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('lists the fee deviations with their reason above the lines with a fee', async () => {
    fake.answer('statements.get', detail(1))
    const w = mountScreen(StatementDetailView, { id: 3 })
    await settle()
    const tab = w.findAll('.n-tabs-tab').find((t) => t.text().startsWith('手续费'))!
    await tab.trigger('click')
    await settle()
    expect(fake.op('statements.diffs')).toHaveBeenCalledWith({
      id: 3,
      kind: 'fee_deviation',
      status: 'open',
      limit: 50,
      offset: 0,
    })
    const row = w.find('[data-test=diffs] .n-data-table-tbody tr')
    expect(row.text()).toContain('手续费异常：PSF3 的手续费 0.62 元，按费率应为 0.60 元')
    expect(fake.op('statements.lines')).toHaveBeenCalledWith({ id: 3, withFee: true, limit: 50, offset: 0 })
  })

  it('asks for no differences there when no line is off the rate', async () => {
    fake.answer('statements.get', detail(0))
    const w = mountScreen(StatementDetailView, { id: 3 })
    await settle()
    fake.op('statements.diffs').mockClear()
    const tab = w.findAll('.n-tabs-tab').find((t) => t.text().startsWith('手续费'))!
    await tab.trigger('click')
    await settle()
    expect(fake.op('statements.diffs')).not.toHaveBeenCalled()
    expect(fake.op('statements.lines')).toHaveBeenCalledWith({ id: 3, withFee: true, limit: 50, offset: 0 })
  })
})
