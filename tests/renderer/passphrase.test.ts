import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { KeyStoreInfo } from '../../src/shared/contract'
import { ApiError } from '../../src/shared/errors'
import { say } from '../../src/shared/messages'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import PassphrasePrompt from '../../src/renderer/src/components/PassphrasePrompt.vue'

// Where the computer has no secure key store (basic_text), the window asks for the passphrase that
// keeps the merchant secrets (review I1): a new one, chosen twice, the first time; the one set, at
// each start, at once.

let fake: FakeApi
const keyStore = (over: Partial<KeyStoreInfo>): KeyStoreInfo => ({
  backend: 'basic_text',
  secure: false,
  schemes: [],
  keyFileName: null,
  headless: false,
  needsPassphrase: true,
  ...over,
})

beforeEach(() => {
  fake = installFakeApi()
})
afterEach(() => {
  document.body.innerHTML = ''
})
// naive-ui hides a message with window.setTimeout and keeps the timer past unmount: let the last
// success message go while the page still exists, or its timer fires after the DOM is torn down.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 3_200)))

const dialog = () => document.body.querySelector('[data-test=passphrase-dialog]')
async function type(selector: string, value: string): Promise<void> {
  const input = document.body.querySelector(`[data-test=${selector}] input`) as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input'))
  await settle()
}
const submit = () => document.body.querySelector('[data-test=passphrase-submit]') as HTMLButtonElement

describe('the passphrase the window asks for', () => {
  it('the first time: says why, and takes a new one only long enough and typed twice alike', async () => {
    const w = mountScreen(PassphrasePrompt)
    const app = useAppStore()
    app.info = appInfo({ transport: 'electron', keyStore: keyStore({}) })
    await settle()
    const banner = w.find('[data-test=passphrase-needed]')
    expect(banner.text()).toContain('这台电脑没有安全的系统密钥库（basic_text）')
    // Nothing to open yet: the person chooses when.
    expect(dialog()).toBeNull()
    await banner.find('[data-test=passphrase-open]').trigger('click')
    await settle()
    expect(dialog()!.textContent).toContain('设置口令')

    await type('passphrase', 'short')
    expect(submit().disabled).toBe(true)
    await type('passphrase-repeat', 'short')
    expect(dialog()!.textContent).toContain('口令至少 8 个字符')
    await type('passphrase', 'correct horse')
    await type('passphrase-repeat', 'correct hors')
    expect(dialog()!.textContent).toContain('两次输入的口令不一致')
    expect(submit().disabled).toBe(true)
    await type('passphrase-repeat', 'correct horse')
    expect(submit().disabled).toBe(false)

    fake.answer('keys.unlock', keyStore({ schemes: ['passphrase'], needsPassphrase: false }))
    fake.answer(
      'app.info',
      appInfo({ keyStore: keyStore({ schemes: ['passphrase'], needsPassphrase: false }) }),
    )
    submit().click()
    await settle()
    expect(fake.op('keys.unlock')).toHaveBeenCalledWith({ passphrase: 'correct horse' })
    expect(document.body.textContent).toContain('口令已设置，商户密钥由它保护')
    expect(w.find('[data-test=passphrase-needed]').exists()).toBe(false)
  })

  it('at a later start: asks at once, and says so when the passphrase is wrong', async () => {
    mountScreen(PassphrasePrompt)
    const app = useAppStore()
    app.info = appInfo({ transport: 'electron', keyStore: keyStore({ schemes: ['passphrase'] }) })
    await settle()
    expect(dialog()!.textContent).toContain('输入口令')
    expect(document.body.querySelector('[data-test=passphrase-repeat]')).toBeNull()

    fake.op('keys.unlock').mockRejectedValueOnce(
      new ApiError({
        code: 'secrets_locked',
        message: say('secrets.wrongPassphrase'),
        id: 'secrets.wrongPassphrase',
      }),
    )
    await type('passphrase', 'wrong horse')
    submit().click()
    await settle()
    expect(document.body.textContent).toContain('口令不对，打不开这份账本的商户密钥')
    expect(dialog()).not.toBeNull()

    fake.answer('keys.unlock', keyStore({ schemes: ['passphrase'], needsPassphrase: false }))
    fake.answer(
      'app.info',
      appInfo({ keyStore: keyStore({ schemes: ['passphrase'], needsPassphrase: false }) }),
    )
    await type('passphrase', 'correct horse')
    submit().click()
    await settle()
    expect(document.body.textContent).toContain('商户密钥已解锁')
  })

  it("a team window asks for the team's passphrase, in the team's words, and never for a new one", async () => {
    const w = mountScreen(PassphrasePrompt)
    useAppStore().info = appInfo({
      team: '10.0.0.5:5432/books',
      keyStore: keyStore({ backend: 'passphrase', schemes: ['passphrase', 'keyfile'] }),
    })
    await settle()
    const banner = w.find('[data-test=passphrase-needed]')
    expect(banner.text()).toContain('团队数据库的商户密钥需要团队口令')
    // Not the desktop's story of a missing key store.
    expect(banner.text()).not.toContain('这台电脑没有安全的系统密钥库')
    expect(dialog()!.textContent).toContain('输入团队口令')
    expect(document.body.querySelector('[data-test=passphrase-repeat]')).toBeNull()
  })

  it('a team whose key only its key file opens: says what opens it, and asks for nothing', async () => {
    const w = mountScreen(PassphrasePrompt)
    useAppStore().info = appInfo({
      team: '10.0.0.5:5432/books',
      keyStore: keyStore({ backend: 'passphrase', schemes: ['keyfile'] }),
    })
    await settle()
    const banner = w.find('[data-test=passphrase-needed]')
    expect(banner.text()).toContain('只能用团队密钥文件打开')
    expect(banner.text()).toContain('PAYSYNC_KEY_FILE')
    expect(banner.find('[data-test=passphrase-open]').exists()).toBe(false)
    expect(dialog()).toBeNull()
  })

  it('says nothing where the key store is secure', async () => {
    const w = mountScreen(PassphrasePrompt)
    useAppStore().info = appInfo()
    await settle()
    expect(w.find('[data-test=passphrase-needed]').exists()).toBe(false)
    expect(dialog()).toBeNull()
  })
})
