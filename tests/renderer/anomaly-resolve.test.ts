import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AnomalyView } from '../../src/shared/entity-views'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import ResolveForm from '../../src/renderer/src/components/ResolveForm.vue'

let fake: FakeApi

/** What main answers once the anomaly is decided: the same anomaly, resolved. */
const resolved: AnomalyView = {
  id: 5,
  tradeType: 'pay',
  tradeId: 12,
  tradeNo: 'DEMO-A-0012',
  channel: 'alipay',
  merchant: 'demo-alipay',
  kind: 'amount_mismatch',
  detail: 'the gateway says 12.00, the order says 10.00',
  localStatus: 'progress',
  gatewayStatus: 'pay_success',
  localAmount: 1000,
  gatewayAmount: 1200,
  syncRecordId: 40,
  answerStatus: 'pay_success',
  followsId: null,
  occurrences: 1,
  seenAfterDecision: 0,
  status: 'resolved',
  resolution: '已与支付宝核实，买家已付款',
  action: 'mark_paid',
  repairNo: 'R2611200001',
  operator: 'finance',
  systemUser: 'zhang.san',
  transport: 'electron',
  createdAt: '2026-11-20T10:00:00.000+08:00',
  lastSeenAt: '2026-11-20T10:00:00.000+08:00',
  resolvedAt: '2026-11-20T10:05:00.000+08:00',
}

/** The confirmation dialog is teleported to the body; its positive button confirms. */
function confirmButton(): HTMLButtonElement | null {
  const buttons = [...document.body.querySelectorAll<HTMLButtonElement>('.n-dialog__action button')]
  return buttons.find((b) => b.textContent?.includes('确定')) ?? null
}

describe('待处理 resolve form', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('anomalies.resolve', resolved)
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('offers exactly the actions main allows, by name', async () => {
    const w = mountScreen(ResolveForm, { anomalyId: 5, actions: ['mark_paid', 'acknowledge', 'dismiss'] })
    await settle()
    const text = w.text()
    expect(text).toContain('补单为成功')
    expect(text).toContain('已线下处理')
    expect(text).toContain('忽略')
    expect(text).not.toContain('关闭订单')
  })

  it('refuses an empty or one-character remark and sends nothing', async () => {
    const w = mountScreen(ResolveForm, { anomalyId: 5, actions: ['mark_paid', 'dismiss'] })
    await settle()
    await w.find('[data-test=action-mark_paid] input').setValue(true)
    await w.find('[data-test=resolve]').trigger('click')
    await settle()
    expect(w.text()).toContain('请填写备注')
    expect(confirmButton()).toBeNull()

    await w.find('[data-test=remark] textarea').setValue(' 好 ')
    await w.find('[data-test=resolve]').trigger('click')
    await settle()
    expect(w.text()).toContain('请填写备注')
    expect(confirmButton()).toBeNull()
    expect(fake.op('anomalies.resolve')).not.toHaveBeenCalled()
  })

  it('asks for an action too', async () => {
    const w = mountScreen(ResolveForm, { anomalyId: 5, actions: ['mark_paid', 'dismiss'] })
    await settle()
    await w.find('[data-test=remark] textarea').setValue('已与网关核实')
    await w.find('[data-test=resolve]').trigger('click')
    await settle()
    expect(w.text()).toContain('请选择处理方式')
    expect(fake.op('anomalies.resolve')).not.toHaveBeenCalled()
  })

  it('after confirmation sends the action and the trimmed remark', async () => {
    const w = mountScreen(ResolveForm, { anomalyId: 5, actions: ['mark_paid', 'dismiss'] })
    await settle()
    await w.find('[data-test=action-mark_paid] input').setValue(true)
    await w.find('[data-test=remark] textarea').setValue('  已与支付宝核实，买家已付款  ')
    await w.find('[data-test=resolve]').trigger('click')
    await settle()
    expect(fake.op('anomalies.resolve')).not.toHaveBeenCalled()
    const ok = confirmButton()
    expect(ok).not.toBeNull()
    ok!.click()
    await settle()
    expect(fake.op('anomalies.resolve')).toHaveBeenCalledWith({
      id: 5,
      action: 'mark_paid',
      remark: '已与支付宝核实，买家已付款',
    })
  })
})
