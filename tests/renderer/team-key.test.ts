import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { KeyStoreInfo } from '../../src/shared/contract'
import { ApiError } from '../../src/shared/errors'
import { say } from '../../src/shared/messages'
import type { TeamDbCopyView, TeamDbReport } from '../../src/shared/team-db'
import TeamDatabaseCard from '../../src/renderer/src/components/settings/TeamDatabaseCard.vue'
import { setLang } from '../../src/renderer/src/i18n'
import { useAppStore } from '../../src/renderer/src/stores/app'
import type { VueWrapper } from '@vue/test-utils'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// The team passphrase in 设置 → 团队数据库 (docs/team-mode.md B8.7): set and changed from the card,
// chosen twice and long enough; and asked for right there when main refuses a copy whose merchant
// secrets would open on no other desktop, the copy going on once it is set.

let fake: FakeApi
const TEAM = 'Team-Pass for 2026!'
const ADDRESS = 'postgres://finance:pw-123@db.example:5432/books'
const MASKED = 'postgres://finance:***@db.example:5432/books'

const keyStore = (schemes: string[]): KeyStoreInfo => ({
  backend: 'gnome_libsecret',
  secure: true,
  schemes,
  keyFileName: 'paysync.key',
  headless: false,
  needsPassphrase: false,
})

const READY: TeamDbReport = {
  ok: true,
  state: 'empty',
  schema: null,
  server: '15.18',
  id: 'teamDb.empty',
  params: { host: 'db.example', port: '5432', database: 'books' },
  address: MASKED,
  knows: 22,
  message: say('teamDb.empty', { host: 'db.example', port: '5432', database: 'books' }),
  messageZh: say('teamDb.empty', { host: 'db.example', port: '5432', database: 'books' }, 'zh-CN'),
}
const COPIED: TeamDbCopyView = {
  outcome: 'copied',
  to: MASKED,
  tables: [{ table: 'merchants', rows: 1, sha256: 'a'.repeat(64) }],
  rows: 1,
  ms: 30,
}

beforeEach(() => {
  setLang('zh-CN')
  fake = installFakeApi()
})
afterEach(() => {
  setLang('zh-CN')
  document.body.innerHTML = ''
})
// naive-ui's messages hide on a timer that outlives the page: let the last one go first.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 3_200)))

const dialog = () => document.body.querySelector('[data-test=team-key-dialog]')
async function type(field: string, value: string): Promise<void> {
  const input = document.body.querySelector(`[data-test=team-key-${field}] input`) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  await settle()
}
const submit = () => document.body.querySelector('[data-test=team-key-submit]') as HTMLButtonElement

function card(schemes: string[]): VueWrapper {
  const w = mountScreen(TeamDatabaseCard)
  useAppStore().info = appInfo({ transport: 'electron', keyStore: keyStore(schemes) })
  return w
}

describe('团队口令 in the team database card', () => {
  it('sets it: twice alike, at least 12 characters, then says so and forgets what was typed', async () => {
    const w = card(['safestorage'])
    await settle()
    expect(w.find('[data-test=team-key-state]').text()).toBe('未设置')
    expect(w.find('[data-test=team-key-text]').text()).toContain('只由本机的系统密钥库或密钥文件保护')
    await w.find('[data-test=team-key-open]').trigger('click')
    await settle()
    expect(dialog()!.textContent).toContain('设置团队口令')
    expect(dialog()!.textContent).toContain('团队口令至少 12 个字符')
    // No current passphrase to give: there is none yet.
    expect(document.body.querySelector('[data-test=team-key-current]')).toBeNull()
    expect(document.body.querySelector('[data-test=team-key-why]')).toBeNull()

    await type('new', 'eleven char')
    await type('repeat', 'eleven char')
    expect(dialog()!.textContent).toContain('口令至少 12 个字符')
    expect(submit().disabled).toBe(true)
    await type('new', TEAM)
    expect(dialog()!.textContent).toContain('两次输入的口令不一致')
    expect(submit().disabled).toBe(true)
    await type('repeat', TEAM)
    expect(submit().disabled).toBe(false)

    fake.answer('keys.setPassphrase', keyStore(['passphrase', 'safestorage']))
    fake.answer('app.info', appInfo({ keyStore: keyStore(['passphrase', 'safestorage']) }))
    submit().click()
    await settle()
    expect(fake.op('keys.setPassphrase')).toHaveBeenCalledWith({ passphrase: TEAM })
    expect(document.body.textContent).toContain('团队口令已设置')
    expect(w.find('[data-test=team-key-state]').text()).toBe('已设置')
    expect(w.find('[data-test=team-key-open]').text()).toBe('更改团队口令')
    expect(document.body.innerHTML).not.toContain(TEAM)
  })

  it('changes it with the current one; a wrong current one is said, and the dialog stays', async () => {
    const w = card(['passphrase', 'safestorage'])
    await settle()
    await w.find('[data-test=team-key-open]').trigger('click')
    await settle()
    expect(dialog()!.textContent).toContain('更改团队口令')
    await type('new', 'a newer team passphrase')
    await type('repeat', 'a newer team passphrase')
    // The current one is needed first.
    expect(submit().disabled).toBe(true)
    await type('current', 'not the one')
    fake.op('keys.setPassphrase').mockRejectedValueOnce(
      new ApiError({
        code: 'secrets_locked',
        message: say('secrets.wrongPassphrase'),
        id: 'secrets.wrongPassphrase',
      }),
    )
    submit().click()
    await settle()
    expect(fake.op('keys.setPassphrase')).toHaveBeenCalledWith({
      passphrase: 'a newer team passphrase',
      current: 'not the one',
    })
    expect(document.body.textContent).toContain('口令不对，打不开这份账本的商户密钥')
    expect(dialog()).not.toBeNull()
    const current = document.body.querySelector('[data-test=team-key-current] input') as HTMLInputElement
    expect(current.value).toBe('')

    await type('current', TEAM)
    fake.answer('keys.setPassphrase', keyStore(['passphrase', 'safestorage']))
    fake.answer('app.info', appInfo({ keyStore: keyStore(['passphrase', 'safestorage']) }))
    submit().click()
    await settle()
    expect(document.body.textContent).toContain('团队口令已更改，旧口令不再能打开商户密钥')
  })

  it('asks for it when main refuses a copy, then copies; another refusal is a failure', async () => {
    const w = card(['safestorage'])
    fake.answer('teamDb.check', READY)
    await w.find('[data-test=team-db-address] input').setValue(ADDRESS)
    await w.find('[data-test=team-db-check]').trigger('click')
    await settle()
    fake.op('teamDb.copyIn').mockRejectedValueOnce(
      new ApiError({
        code: 'conflict',
        message: say('dbCopy.secretsStayHere'),
        id: 'dbCopy.secretsStayHere',
      }),
    )
    await w.find('[data-test=team-db-copy]').trigger('click')
    await settle()
    expect(dialog()).not.toBeNull()
    expect(document.body.querySelector('[data-test=team-key-why]')!.textContent).toContain(
      '这份账本的商户密钥只有本机能打开',
    )
    // Asked for, not shown as a failure as well.
    expect(document.body.textContent).not.toContain(say('dbCopy.secretsStayHere', {}, 'zh-CN'))
    expect(submit().textContent).toContain('设置并复制')

    await type('new', TEAM)
    await type('repeat', TEAM)
    fake.answer('keys.setPassphrase', keyStore(['passphrase', 'safestorage']))
    fake.answer('app.info', appInfo({ keyStore: keyStore(['passphrase', 'safestorage']) }))
    fake.answer('teamDb.copyIn', COPIED)
    submit().click()
    await settle()
    expect(fake.op('keys.setPassphrase')).toHaveBeenCalledWith({ passphrase: TEAM })
    expect(fake.op('teamDb.copyIn')).toHaveBeenCalledTimes(2)
    expect(w.find('[data-test=team-db-result]').text()).toContain(`已复制 1 张表、1 行到 ${MASKED}`)

    // Another refusal is a failure, said as such.
    fake
      .op('teamDb.copyIn')
      .mockRejectedValueOnce(
        new ApiError({ code: 'conflict', message: say('teamDb.copyBusy'), id: 'teamDb.copyBusy' }),
      )
    await w.find('[data-test=team-db-copy]').trigger('click')
    await settle()
    expect(document.body.textContent).toContain(say('teamDb.copyBusy', {}, 'zh-CN'))
    expect(fake.op('keys.setPassphrase')).toHaveBeenCalledTimes(1)
  })

  it('speaks English too', async () => {
    setLang('en-US')
    const w = card(['passphrase'])
    await settle()
    expect(w.find('[data-test=team-key]').text()).toContain('Team passphrase')
    expect(w.find('[data-test=team-key-state]').text()).toBe('Set')
    expect(w.find('[data-test=team-key-text]').text()).toContain(
      'Once it is changed, the old one opens nothing',
    )
    await w.find('[data-test=team-key-open]').trigger('click')
    await settle()
    expect(dialog()!.textContent).toContain('Current team passphrase')
    expect(dialog()!.textContent).toContain('At least 12 characters')
  })
})
