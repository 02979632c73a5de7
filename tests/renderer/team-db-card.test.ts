import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import TeamDatabaseCard from '../../src/renderer/src/components/settings/TeamDatabaseCard.vue'
import SettingsView from '../../src/renderer/src/views/SettingsView.vue'
import { setLang } from '../../src/renderer/src/i18n'
import { DEFAULT_SETTINGS } from '../../src/shared/settings'
import { say, type MessageId, type Params } from '../../src/shared/messages'
import type { TeamDbCopyView, TeamDbReport, TeamDbState } from '../../src/shared/team-db'
import type { VueWrapper } from '@vue/test-utils'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'

// 设置 → 团队数据库 (docs/screens.md section 10): the check's sentence in the window's language with
// its status, copying only after a check that says the database can be used, the copy's progress and
// its result, and the sentence that the desktop keeps working on its own file.

let fake: FakeApi
const ADDRESS = 'postgres://finance:pw-123@db.example:5432/books'
const MASKED = 'postgres://finance:***@db.example:5432/books'
const WHERE = { host: 'db.example', port: '5432', database: 'books' }

function report(state: TeamDbState, id: MessageId, params: Params, ok: boolean): TeamDbReport {
  return {
    ok,
    state,
    schema: ok ? 22 : null,
    server: ok ? '15.18' : null,
    id,
    params,
    address: MASKED,
    knows: 22,
    message: say(id, params),
    messageZh: say(id, params, 'zh-CN'),
  }
}

const REPORTS: Array<[TeamDbState, TeamDbReport, string]> = [
  ['ready', report('ready', 'teamDb.ready', { ...WHERE, found: 22 }, true), '可以使用'],
  ['empty', report('empty', 'teamDb.empty', WHERE, true), '空库'],
  [
    'foreign',
    report('foreign', 'teamDb.foreign', { ...WHERE, tables: 'invoices' }, false),
    '不是 PaySync 数据库',
  ],
  [
    'newer_schema',
    report('newer_schema', 'teamDb.newerSchema', { ...WHERE, found: 30, known: 22 }, false),
    '结构版本更新',
  ],
  [
    'unreachable',
    report('unreachable', 'teamDb.unreachable', { ...WHERE, detail: 'connection refused' }, false),
    '连接不上',
  ],
  ['auth', report('auth', 'teamDb.auth', { ...WHERE, user: 'finance' }, false), '密码或用户不对'],
]

async function typeAddress(w: VueWrapper, value = ADDRESS): Promise<void> {
  const input = w.find('[data-test=team-db-address] input')
  // The address holds the password: masked unless the person asks to see it.
  expect(input.attributes('type')).toBe('password')
  await input.setValue(value)
  await settle()
}

const copyButton = (w: VueWrapper) => w.find('[data-test=team-db-copy]')
const useButton = (w: VueWrapper) => w.find('[data-test=team-db-use]')

/** The confirmation, teleported to the body: its button that says `text`. */
function dialogButton(text: string): HTMLElement {
  const buttons = [...document.body.querySelectorAll<HTMLElement>('.n-dialog__action .n-button')]
  const b = buttons.find((x) => x.textContent?.includes(text))
  if (!b) throw new Error(`no dialog button ${text}`)
  return b
}

describe('团队数据库 card', () => {
  beforeEach(() => {
    setLang('zh-CN')
    fake = installFakeApi()
  })
  afterEach(() => {
    setLang('zh-CN')
    document.body.innerHTML = ''
  })

  it.each(REPORTS)('says the %s check in the window language with its status', async (state, r, tag) => {
    fake.answer('teamDb.check', r)
    const w = mountScreen(TeamDatabaseCard)
    await typeAddress(w)
    await w.find('[data-test=team-db-check]').trigger('click')
    await settle()
    expect(fake.op('teamDb.check')).toHaveBeenCalledWith({ address: ADDRESS })
    expect(w.find('[data-test=team-db-state]').text()).toBe(tag)
    expect(w.find('[data-test=team-db-sentence]').text()).toBe(r.messageZh)
    // Copying waits for a check that says the database can be used.
    const usable = state === 'ready' || state === 'empty'
    expect(copyButton(w).attributes('disabled')).toBe(usable ? undefined : '')
    expect(w.find('[data-test=team-db-copy-hint]').exists()).toBe(!usable)

    setLang('en-US')
    await settle()
    expect(w.find('[data-test=team-db-sentence]').text()).toBe(r.message)
    expect(w.text()).not.toContain('pw-123')
  })

  it('keeps copy off until a good check, and again once the address changes', async () => {
    fake.answer('teamDb.check', REPORTS[0]![1])
    const w = mountScreen(TeamDatabaseCard)
    expect(copyButton(w).attributes('disabled')).toBe('')
    expect(w.find('[data-test=team-db-check]').attributes('disabled')).toBe('')
    await typeAddress(w)
    expect(copyButton(w).attributes('disabled')).toBe('')
    await w.find('[data-test=team-db-check]').trigger('click')
    await settle()
    expect(copyButton(w).attributes('disabled')).toBeUndefined()
    await typeAddress(w, 'postgres://finance:pw-123@other.example/books')
    expect(copyButton(w).attributes('disabled')).toBe('')
    expect(w.find('[data-test=team-db-report]').exists()).toBe(false)
  })

  it('shows the progress while copying, then the result, and says the desktop keeps its file', async () => {
    fake.answer('teamDb.check', REPORTS[1]![1])
    let finish: (v: TeamDbCopyView) => void = () => {}
    fake.op('teamDb.copyIn').mockImplementation(() => new Promise((resolve) => (finish = resolve)))
    const w = mountScreen(TeamDatabaseCard)
    expect(w.find('[data-test=team-db-still-file]').text()).toContain('本机仍在自己的数据库文件上工作')
    await typeAddress(w)
    await w.find('[data-test=team-db-check]').trigger('click')
    await settle()
    await copyButton(w).trigger('click')
    await settle()
    expect(fake.op('teamDb.copyIn')).toHaveBeenCalledWith({ address: ADDRESS })

    fake.emit('teamDb.progress', {
      phase: 'copy',
      table: 'pay_orders',
      index: 5,
      tables: 10,
      done: 1_000,
      total: 2_000,
    })
    await settle()
    const bar = w.find('[data-test=team-db-progress]')
    expect(bar.text()).toContain('正在复制 pay_orders：1,000 / 2,000 行')
    expect(bar.find('[role=progressbar]').attributes('aria-valuenow')).toBe('55')

    finish({
      outcome: 'copied',
      to: MASKED,
      tables: [
        { table: 'merchants', rows: 2, sha256: 'a'.repeat(64) },
        { table: 'pay_orders', rows: 2_000, sha256: 'b'.repeat(64) },
      ],
      rows: 2_002,
      ms: 900,
    })
    await settle()
    expect(w.find('[data-test=team-db-progress]').exists()).toBe(false)
    // The check is asked again once the books are in.
    expect(fake.op('teamDb.check')).toHaveBeenCalledTimes(2)
    expect(w.find('[data-test=team-db-result]').text()).toContain(
      `已复制 2 张表、2,002 行到 ${MASKED}，两边的行数和校验和一致`,
    )
  })

  it('says a second run wrote nothing, in English too', async () => {
    setLang('en-US')
    fake.answer('teamDb.check', REPORTS[0]![1])
    fake.answer('teamDb.copyIn', {
      outcome: 'equal',
      to: MASKED,
      tables: [
        { table: 'merchants', rows: 1, sha256: 'd'.repeat(64) },
        { table: 'pay_orders', rows: 3, sha256: 'c'.repeat(64) },
      ],
      rows: 4,
      ms: 40,
    })
    const w = mountScreen(TeamDatabaseCard)
    await typeAddress(w)
    await w.find('[data-test=team-db-check]').trigger('click')
    await settle()
    await copyButton(w).trigger('click')
    await settle()
    expect(w.find('[data-test=team-db-result]').text()).toContain(
      `${MASKED} already holds the same rows as this desktop (2 tables, 4 rows; counts and checksums equal): nothing was written`,
    )
    expect(w.find('[data-test=team-db-still-file]').text()).toContain(
      'This desktop keeps working on its own database file',
    )
  })

  it('in the desktop app: works on a database the check found usable, after asking, and restarts', async () => {
    fake.answer('teamDb.check', REPORTS[1]![1])
    fake.answer('teamDb.use', { books: MASKED, restarting: true })
    const w = mountScreen(TeamDatabaseCard)
    useAppStore().info = appInfo({ transport: 'electron' })
    await settle()
    expect(w.find('[data-test=team-db-still-file]').text()).toContain('在此团队数据库上工作')
    expect(useButton(w).attributes('disabled')).toBe('')
    await typeAddress(w)
    await w.find('[data-test=team-db-check]').trigger('click')
    await settle()
    // An empty database holds no books yet: copied into first.
    expect(useButton(w).attributes('disabled')).toBe('')
    fake.answer('teamDb.check', REPORTS[0]![1])
    await w.find('[data-test=team-db-check]').trigger('click')
    await settle()
    expect(useButton(w).attributes('disabled')).toBeUndefined()
    await useButton(w).trigger('click')
    await settle()
    expect(document.body.querySelector('.n-dialog')!.textContent).toContain(
      `应用将重启，并在 ${MASKED} 上打开`,
    )
    expect(fake.op('teamDb.use')).not.toHaveBeenCalled()
    dialogButton('重启并切换').click()
    await settle()
    expect(fake.op('teamDb.use')).toHaveBeenCalledWith({ address: ADDRESS })
    expect(w.find('[data-test=team-db-restarting]').text()).toContain('应用正在重启')
  })

  it('on a team database: says which, leads back to the file, and offers no copy', async () => {
    fake.answer('teamDb.leave', { books: 'file', restarting: true })
    const w = mountScreen(TeamDatabaseCard)
    useAppStore().info = appInfo({ transport: 'electron', team: 'db.example:5432/books' })
    await settle()
    expect(w.find('[data-test=team-db-current]').text()).toContain(
      '本机正在团队数据库 db.example:5432/books 上工作',
    )
    expect(copyButton(w).exists()).toBe(false)
    // The team's own passphrase, set from here or changed: for the team's books, not a copy's.
    expect(w.find('[data-test=team-key-state]').text()).toBe('未设置')
    expect(w.find('[data-test=team-key-text]').text()).toContain('只能用团队密钥文件打开')
    expect(w.find('[data-test=team-db-still-file]').exists()).toBe(false)
    await w.find('[data-test=team-db-leave]').trigger('click')
    await settle()
    dialogButton('重启并回到本机').click()
    await settle()
    expect(fake.op('teamDb.leave')).toHaveBeenCalledTimes(1)

    // Browser mode was started on its books: it says so instead of offering to switch.
    w.unmount()
    const served = mountScreen(TeamDatabaseCard)
    useAppStore().info = appInfo({ team: 'db.example:5432/books' })
    await settle()
    expect(served.find('[data-test=team-db-leave]').exists()).toBe(false)
    expect(useButton(served).exists()).toBe(false)
    expect(served.find('[data-test=team-db-current]').text()).toContain('paysync serve --db')
  })

  it("on a team database changes the team's passphrase with the current one", async () => {
    const keyStore = {
      backend: 'passphrase',
      secure: false,
      schemes: ['passphrase'],
      keyFileName: null,
      headless: false,
      needsPassphrase: false,
    }
    fake.answer('keys.setPassphrase', keyStore)
    const w = mountScreen(TeamDatabaseCard)
    useAppStore().info = appInfo({ team: 'db.example:5432/books', keyStore })
    await settle()
    expect(w.find('[data-test=team-key-state]').text()).toBe('已设置')
    expect(w.find('[data-test=team-key-text]').text()).toContain('更新各电脑上的 PAYSYNC_PASSPHRASE')
    await w.find('[data-test=team-key-open]').trigger('click')
    await settle()
    expect(document.body.textContent).toContain('当前团队口令')
  })

  it('is a card of 设置', async () => {
    fake.answer('settings.get', { ...DEFAULT_SETTINGS })
    fake.answer('app.info', appInfo())
    const w = mountScreen(SettingsView)
    await settle()
    expect(w.find('[data-test=team-db]').text()).toContain('团队数据库')
  })
})
