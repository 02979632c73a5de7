import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import SettingsView from '../../src/renderer/src/views/SettingsView.vue'
import { setLang } from '../../src/renderer/src/i18n'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import type { AppInfo } from '../../src/shared/contract'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// 设置 → 定时任务 says which process runs the schedules (docs/domain.md section 7): one per database,
// so a second window on the same books names the first one's owner instead of running them again.

let fake: FakeApi

async function leaderLine(leader: AppInfo['schedules']['leader'], running = true) {
  fake.answer('app.info', appInfo({ schedules: { enabled: true, running, lastRunAt: null, leader } }))
  const w = mountScreen(SettingsView)
  await useAppStore().load()
  await settle()
  const line = w.find('[data-test=schedules-leader]')
  return line.exists() ? line.text() : null
}

describe('定时任务 执行进程', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
    fake.answer('settings.get', { ...DEFAULT_SETTINGS })
  })
  afterEach(() => {
    setLang('zh-CN')
    document.body.innerHTML = ''
  })

  it('names this process, or the other one that leads, in Chinese and in English', async () => {
    expect(await leaderLine({ self: true, owner: 'desk-1:4242:0a1b2c3d' })).toBe('本进程')
    document.body.innerHTML = ''
    expect(await leaderLine({ self: false, owner: 'desk-2:777:ffee0011' })).toBe(
      '另一进程 desk-2:777:ffee0011（同一数据库的定时任务只由一个进程执行）',
    )
    setLang('en-US')
    await settle()
    expect(document.querySelector('[data-test=schedules-leader]')?.textContent).toBe(
      'Another process, desk-2:777:ffee0011 (one process runs the schedules of a database)',
    )
  })

  it('waits for the first tick, and says nothing when this start runs no schedules', async () => {
    expect(await leaderLine(null)).toBe('下一次检查时确定')
    document.body.innerHTML = ''
    expect(await leaderLine(null, false)).toBeNull()
  })
})
