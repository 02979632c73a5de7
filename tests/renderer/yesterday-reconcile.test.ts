import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Router } from 'vue-router'
import YesterdayReconcile from '../../src/renderer/src/components/statements/YesterdayReconcile.vue'
import { useDetailStore } from '../../src/renderer/src/stores/details'
import { setLang } from '../../src/renderer/src/i18n'
import type { YesterdayReconcile as Yesterday } from '../../src/shared/statements'
import { installFakeApi, mountScreen, settle } from './helpers'

// The overview's 昨日对账 (docs/reconcile.md A15.4): each merchant's yesterday as 平 / 不平 / 未生成, a
// bill the daily run gave up on at 14:00 told apart (A12), and the open statement differences.

const data: Yesterday = {
  billDate: '2026-10-03',
  merchants: [
    { merchant: 'shop-alipay', channel: 'alipay', state: 'balanced', statementId: 11, openDiffs: 0 },
    { merchant: 'shop-wechat', channel: 'wechat', state: 'unbalanced', statementId: 12, openDiffs: 3 },
    { merchant: 'shop-union', channel: 'unionpay', state: 'never_came', statementId: 13, openDiffs: 0 },
    { merchant: 'shop-late', channel: 'wechat', state: 'not_reconciled', statementId: null, openDiffs: 0 },
  ],
  openDiffs: 5,
}

describe('昨日对账 on the overview', () => {
  beforeEach(() => {
    installFakeApi()
  })
  afterEach(() => {
    setLang('zh-CN')
    document.body.innerHTML = ''
  })

  it('says each merchant’s day, the differences, and a bill that never came', async () => {
    const w = mountScreen(YesterdayReconcile, { data })
    await settle()
    const card = w.find('[data-test=yesterday]')
    expect(card.text()).toContain('昨日对账（2026-10-03）')
    expect(w.find('[data-test=yesterday-shop-alipay]').text()).toContain('平')
    expect(w.find('[data-test=yesterday-shop-wechat]').text()).toContain('不平')
    expect(w.find('[data-test=yesterday-shop-wechat]').text()).toContain('3 处差异')
    expect(w.find('[data-test=yesterday-shop-union]').text()).toContain('账单未生成（14:00 后不再重试）')
    expect(w.find('[data-test=yesterday-shop-late]').text()).toContain('未对账')
    expect(w.find('[data-test=open-statement-diffs]').text()).toBe('未处理对账差异 5')
    expect(card.text()).toContain('每日 10:30 自动对账昨日账单')

    setLang('en-US')
    await settle()
    expect(w.find('[data-test=yesterday-shop-union]').text()).toContain('No bill (no retry after 14:00)')
    expect(w.find('[data-test=open-statement-diffs]').text()).toBe('Open statement differences: 5')
  })

  it('opens a merchant’s statement, or its calendar when it has none', async () => {
    const w = mountScreen(YesterdayReconcile, { data })
    await settle()
    await w.find('[data-test=yesterday-shop-wechat]').trigger('click')
    expect(useDetailStore().stack.at(-1)).toMatchObject({ kind: 'statement', id: 12 })

    const router = (w.vm as unknown as { $router: Router }).$router
    await w.find('[data-test=yesterday-shop-late]').trigger('click')
    await settle()
    expect(router.currentRoute.value.path).toBe('/statements')
    expect(router.currentRoute.value.query).toEqual({ merchant: 'shop-late' })
  })
})
