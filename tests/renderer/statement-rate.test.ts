import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PhaseClock } from '../../src/renderer/src/components/statements/phase-rate'
import ReconcileDialog from '../../src/renderer/src/components/statements/ReconcileDialog.vue'
import { setLang } from '../../src/renderer/src/i18n'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import { merchant } from './statement-fixtures'

// The progress of 开始对账 says the phase's rate and time left (docs/reconcile.md A15.1), each phase
// counted from its own first event.

let fake: FakeApi
const inBody = (selector: string) => document.body.querySelector<HTMLElement>(selector)

describe('a phase’s rate and time left', () => {
  it('is counted from the phase’s first event, and unknown without a total', () => {
    const clock = new PhaseClock()
    expect(clock.take({ phase: 'parse', done: 5_000, total: 0 }, 0)).toEqual({ rate: null, left: null })
    expect(clock.take({ phase: 'parse', done: 25_000, total: 0 }, 2_000)).toEqual({
      rate: 10_000,
      left: null,
    })
    // A new phase starts its own count.
    expect(clock.take({ phase: 'sync', done: 0, total: 100 }, 3_000)).toEqual({ rate: null, left: null })
    expect(clock.take({ phase: 'sync', done: 20, total: 100 }, 5_000)).toEqual({ rate: 10, left: 8 })
    expect(clock.take({ phase: 'sync', done: 100, total: 100 }, 13_000)).toEqual({ rate: 10, left: 0 })
  })
})

describe('开始对账 progress', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('merchants.list', [merchant()])
    vi.useFakeTimers({ toFake: ['Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
    document.body.innerHTML = ''
  })

  it('shows the sync phase’s rate and time left as its events come', async () => {
    fake.op('statements.reconcile').mockImplementation(() => new Promise(() => undefined))
    mountScreen(ReconcileDialog, { show: true, initialDate: '2026-11-18', initialMerchant: 'shop-alipay' })
    await settle()
    inBody('[data-test=rec-start]')!.click()
    await settle()
    vi.setSystemTime(new Date('2026-11-19T02:00:00Z'))
    fake.emit('statement.progress', { statementId: 3, phase: 'sync', done: 0, total: 400 })
    await settle()
    expect(inBody('[data-test=rec-rate]')).toBeNull()
    vi.setSystemTime(new Date('2026-11-19T02:00:10Z'))
    fake.emit('statement.progress', { statementId: 3, phase: 'sync', done: 200, total: 400 })
    await settle()
    expect(inBody('[data-test=rec-progress]')!.textContent).toContain('200 / 400')
    expect(inBody('[data-test=rec-rate]')!.textContent).toContain('20 条/秒')
    expect(inBody('[data-test=rec-left]')!.textContent).toContain('剩余时间 0:10')
  })
})
