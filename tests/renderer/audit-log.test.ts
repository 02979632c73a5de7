import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditView, RepairRecordView } from '../../src/shared/entity-views'
import { setLang } from '../../src/renderer/src/i18n'
import { routes } from '../../src/renderer/src/router'
import AuditLogView from '../../src/renderer/src/views/AuditLogView.vue'
import RepairsView from '../../src/renderer/src/views/RepairsView.vue'
import { installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// 审计日志 and the who of the lists (issue 14 item 16): who (the declared operator and the computer's
// user), how (desktop app, browser, command line, schedule), what and on what.

let fake: FakeApi

const changed: AuditView = {
  id: 2,
  createdAt: '2026-11-20T10:05:00.000+08:00',
  operator: '李会计',
  systemUser: 'zhang.san',
  transport: 'electron',
  event: 'merchant_changed',
  subject: 'shop-alipay',
  detail: JSON.stringify({
    secretsChanged: ['appPrivateKey'],
    endpoint: {
      from: 'https://openapi.alipay.com/gateway.do',
      to: 'https://openapi-sandbox.dl.alipaydev.com/gateway.do',
    },
    publicKeys: { alipayPublicKey: { from: 'sha256:0123456789abcdef', to: 'sha256:fedcba9876543210' } },
  }),
}
const renamed: AuditView = {
  id: 1,
  createdAt: '2026-11-20T10:00:00.000+08:00',
  operator: '李会计',
  systemUser: 'zhang.san',
  transport: 'http',
  event: 'settings_changed',
  subject: null,
  detail: JSON.stringify({ operatorName: { from: '李会计', to: '王会计' } }),
}

describe('审计日志', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('audit.list', { total: 2, items: [changed, renamed] })
  })
  afterEach(() => {
    document.body.innerHTML = ''
    setLang('zh-CN')
  })

  it('has its own menu entry', () => {
    expect(routes.find((r) => r.path === '/audit')?.meta?.menu).toBe('menu.audit')
  })

  it('shows who, how, what and on what, with the details in words', async () => {
    const w = mountScreen(AuditLogView)
    await settle()
    expect(fake.op('audit.list')).toHaveBeenCalledWith({ limit: 50, offset: 0 })
    const headers = w.findAll('th').map((th) => th.text())
    expect(headers).toEqual(['时间', '操作人', '系统用户', '方式', '事件', '对象', '详情'])
    const rows = w.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()))
    expect(rows[0]!.slice(0, 6)).toEqual([
      '2026-11-20 10:05:00',
      '李会计',
      'zhang.san',
      '桌面应用',
      '修改商户配置',
      'shop-alipay',
    ])
    expect(rows[0]![6]).toBe(
      '更换的密钥: 应用私钥; 网关地址: https://openapi.alipay.com/gateway.do → ' +
        'https://openapi-sandbox.dl.alipaydev.com/gateway.do; 网关公钥指纹: (支付宝公钥: sha256:0123456789abcdef → sha256:fedcba9876543210)',
    )
    expect(rows[1]!.slice(3, 5)).toEqual(['浏览器', '修改设置'])
    expect(rows[1]![6]).toBe('操作人: 李会计 → 王会计')
    expect(w.find('[data-test=audit-hint]').text()).toContain('任何人都可以填写')
  })

  it('filters by event', async () => {
    const w = mountScreen(AuditLogView)
    await settle()
    await settle()
    const select = w.findComponent({ name: 'Select' })
    select.vm.$emit('update:value', 'settings_changed')
    await w.find('[data-test=search]').trigger('click')
    await settle()
    expect(fake.op('audit.list')).toHaveBeenLastCalledWith({
      event: 'settings_changed',
      limit: 50,
      offset: 0,
    })
  })

  it('speaks English when switched', async () => {
    setLang('en-US')
    const w = mountScreen(AuditLogView)
    await settle()
    expect(w.findAll('th').map((th) => th.text())).toEqual([
      'Time',
      'Operator',
      'System user',
      'Via',
      'Event',
      'Subject',
      'Details',
    ])
    const first = w
      .findAll('tbody tr')[0]!
      .findAll('td')
      .map((td) => td.text())
    expect(first.slice(3, 5)).toEqual(['Desktop app', 'Merchant changed'])
    expect(first[6]).toContain('Secrets replaced: App private key; Endpoint: https://openapi.alipay.com')
  })
})

describe('修复记录 names who and how', () => {
  beforeEach(() => {
    fake = installFakeApi()
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('a repair of the schedule, with its operator and the computer user', async () => {
    const repair: RepairRecordView = {
      id: 1,
      repairNo: 'R2611200001',
      tradeType: 'pay',
      tradeId: 3,
      tradeNo: 'DEMO-A-0003',
      source: 'schedule',
      way: 'pay_success',
      channel: 'alipay',
      merchant: 'demo-alipay',
      beforeStatus: 'progress',
      afterStatus: 'success',
      remark: null,
      operator: '李会计',
      systemUser: 'zhang.san',
      transport: 'schedule',
      syncRecordId: 7,
      createdAt: '2026-11-20T10:00:00.000+08:00',
      amount: 12_50,
    }
    fake.answer('repairs.list', { total: 1, amount: 12_50, items: [repair] })
    const w = mountScreen(RepairsView)
    await settle()
    const headers = w.findAll('th').map((th) => th.text())
    const cells = w
      .findAll('tbody tr')[0]!
      .findAll('td')
      .map((td) => td.text())
    const at = (title: string) => cells[headers.indexOf(title)]
    expect([at('操作人'), at('系统用户'), at('方式')]).toEqual(['李会计', 'zhang.san', '定时任务'])
  })
})
