import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import AutoReconcileCard from '../../src/renderer/src/components/settings/AutoReconcileCard.vue'
import SettingsView from '../../src/renderer/src/views/SettingsView.vue'
import { setLang } from '../../src/renderer/src/i18n'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// 每日自动对账 in 设置 (docs/reconcile.md A12, A15.6): on by default at 10:30 Beijing, part of the form,
// saved with the rest; a host that runs no schedules says the switch waits for its next start.

let fake: FakeApi

describe('每日自动对账 settings', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('settings.get', { ...DEFAULT_SETTINGS })
    fake.answer('app.info', appInfo())
    fake.op('settings.set').mockImplementation(async (patch) => ({ ...DEFAULT_SETTINGS, ...patch }))
  })
  afterEach(() => {
    setLang('zh-CN')
    document.body.innerHTML = ''
  })

  it('shows the switch on and the time 10:30, and the time waits while the switch is off', async () => {
    const enabled = ref(true)
    const time = ref('10:30')
    const Host = defineComponent({
      setup: () => () =>
        h(AutoReconcileCard, {
          enabled: enabled.value,
          'onUpdate:enabled': (v: boolean) => (enabled.value = v),
          time: time.value,
          'onUpdate:time': (v: string) => (time.value = v),
        }),
    })
    const w = mountScreen(Host)
    await settle()
    const card = w.find('[data-test=auto-reconcile]')
    expect(card.text()).toContain('每日自动对账')
    expect(card.text()).toContain('每 30 分钟重试，至 14:00 为止')
    const input = w.find('[data-test=auto-reconcile-time] input')
    expect((input.element as HTMLInputElement).value).toBe('10:30')
    expect(input.attributes('disabled')).toBeUndefined()

    await w.find('[data-test=auto-reconcile-enabled]').trigger('click')
    await settle()
    expect(enabled.value).toBe(false)
    expect(w.find('[data-test=auto-reconcile-time] input').attributes('disabled')).toBeDefined()

    time.value = '11:15'
    setLang('en-US')
    await settle()
    expect((w.find('[data-test=auto-reconcile-time] input').element as HTMLInputElement).value).toBe('11:15')
    expect(w.find('[data-test=auto-reconcile]').text()).toContain('Daily reconciliation')
  })

  it('is saved with the settings form', async () => {
    const w = mountScreen(SettingsView)
    await useAppStore().load()
    await settle()
    await w.find('[data-test=auto-reconcile-enabled]').trigger('click')
    await settle()
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(fake.op('settings.set')).toHaveBeenCalledWith(
      expect.objectContaining({ autoReconcileEnabled: false, autoReconcileTime: '10:30' }),
    )
  })

  it('says when this start runs no schedules', async () => {
    fake.answer(
      'app.info',
      appInfo({ schedules: { enabled: true, running: false, lastRunAt: null, leader: null } }),
    )
    const w = mountScreen(SettingsView)
    await useAppStore().load()
    await settle()
    expect(w.find('[data-test=auto-reconcile-off]').exists()).toBe(true)
  })

  it('on a team database: the daily reconciliation runs on the desktop that leads, named', async () => {
    fake.answer(
      'app.info',
      appInfo({
        team: 'db.example:5432/books',
        schedules: {
          enabled: true,
          running: true,
          lastRunAt: null,
          leader: { self: false, owner: 'pc-2:41:ab' },
        },
      }),
    )
    const w = mountScreen(SettingsView)
    await useAppStore().load()
    await settle()
    expect(w.find('[data-test=schedules-off]').exists()).toBe(false)
    expect(w.find('[data-test=schedules-leader]').text()).toContain('pc-2:41:ab')
    expect(w.find('[data-test=auto-reconcile-off]').exists()).toBe(false)
    const team = w.find('[data-test=auto-reconcile-team]').text()
    expect(team).toContain('为整个团队下载并核对账单')
    expect(team).toContain('pc-2:41:ab')
    expect(team).not.toContain('暂不自动对账')
  })

  const teamInfo = (running: boolean) =>
    appInfo({
      team: 'db.example:5432/books',
      schedules: {
        enabled: true,
        running,
        lastRunAt: null,
        leader: running ? { self: true, owner: 'me:1:a' } : null,
      },
    })

  it('on a team database where this desktop leads: says so', async () => {
    fake.answer('app.info', teamInfo(true))
    const w = mountScreen(SettingsView)
    await useAppStore().load()
    await settle()
    expect(w.find('[data-test=auto-reconcile-team]').text()).toContain('当前执行：本进程')
  })

  it('on a team database without the schedules (--no-schedules): the warning, not the team note', async () => {
    fake.answer('app.info', teamInfo(false))
    const w = mountScreen(SettingsView)
    await useAppStore().load()
    await settle()
    expect(w.find('[data-test=auto-reconcile-off]').text()).toContain('--no-schedules')
    expect(w.find('[data-test=auto-reconcile-team]').exists()).toBe(false)
  })
})
