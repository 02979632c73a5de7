import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConnectionReport } from '../../src/shared/contract'
import type { MerchantView } from '../../src/shared/entity-views'
import { ApiError } from '../../src/shared/errors'
import { MESSAGES, say } from '../../src/shared/messages'
import { LABELS } from '../../src/shared/labels'
import { setLang } from '../../src/renderer/src/i18n'
import { appInfo, installFakeApi, mountScreen, settle, type FakeApi } from './helpers'
import MerchantForm from '../../src/renderer/src/components/MerchantForm.vue'
import MerchantsView from '../../src/renderer/src/views/MerchantsView.vue'

let fake: FakeApi

const PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(64)}\n${'B'.repeat(64)}\n-----END PUBLIC KEY-----`

const alipay: MerchantView = {
  id: 3,
  name: 'shop-alipay',
  channel: 'alipay',
  mode: 'direct',
  endpoint: 'https://openapi.alipay.com/gateway.do',
  settings: { appId: '2021000000000001', alipayPublicKey: PUBLIC_KEY },
  secrets: { appPrivateKey: true },
  enabled: true,
  lastOkAt: null,
  lastError: null,
  clockSkewMs: null,
  lastLatencyMs: null,
  lastErrorCode: null,
  createdAt: '2026-11-20T10:00:00.000+08:00',
  updatedAt: '2026-11-20T10:00:00.000+08:00',
}

const wechat: MerchantView = {
  ...alipay,
  id: 4,
  name: 'shop-wechat',
  channel: 'wechat',
  endpoint: 'https://api.mch.weixin.qq.com',
  settings: {
    mchid: '1900000001',
    serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    platformPublicKeys: JSON.stringify({ PUB_KEY_ID_0114232134912410000000000000: PUBLIC_KEY }),
    region: 'domestic',
    qps: '50',
  },
  secrets: { privateKey: true, apiV3Key: false },
}

describe('商户配置 form', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.op('merchants.update').mockImplementation(async () => alipay)
    fake.op('merchants.add').mockImplementation(async () => alipay)
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('on edit shows no secret value, only that one is set', async () => {
    const w = mountScreen(MerchantForm, { merchant: alipay })
    await settle()
    const secret = w.find('[data-test=secret-appPrivateKey] textarea')
    expect((secret.element as HTMLTextAreaElement).value).toBe('')
    expect(secret.attributes('placeholder')).toContain('已设置')
    expect(w.text()).toContain('留空则保留原值')
    // Public settings are filled in.
    const values = w.findAll('input').map((i) => (i.element as HTMLInputElement).value)
    expect(values).toContain('2021000000000001')
    expect(values).toContain('shop-alipay')
  })

  it('on edit leaves an empty secret out of what it sends', async () => {
    const w = mountScreen(MerchantForm, { merchant: alipay })
    await settle()
    await w.find('[data-test=save]').trigger('click')
    await settle()
    const update = fake.op('merchants.update')
    expect(update).toHaveBeenCalledTimes(1)
    const { id, profile } = update.mock.calls[0]![0] as { id: number; profile: Record<string, unknown> }
    expect(id).toBe(3)
    expect(profile).not.toHaveProperty('appPrivateKey')
    expect(profile).toMatchObject({
      channel: 'alipay',
      name: 'shop-alipay',
      appId: '2021000000000001',
      alipayPublicKey: PUBLIC_KEY,
    })
  })

  it('on edit sends a secret the person typed', async () => {
    const w = mountScreen(MerchantForm, { merchant: alipay })
    await settle()
    const key = `-----BEGIN PRIVATE KEY-----\n${'C'.repeat(70)}\n-----END PRIVATE KEY-----`
    await w.find('[data-test=secret-appPrivateKey] textarea').setValue(key)
    await w.find('[data-test=save]').trigger('click')
    await settle()
    const { profile } = fake.op('merchants.update').mock.calls[0]![0] as {
      profile: Record<string, unknown>
    }
    expect(profile.appPrivateKey).toBe(key)
  })

  it('says in Chinese what to fix in a field the schema refuses, not its English rule', async () => {
    const w = mountScreen(MerchantForm, { merchant: alipay })
    await settle()
    await w.find('[data-test=secret-appPrivateKey] textarea').setValue('abc')
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(fake.op('merchants.update')).not.toHaveBeenCalled()
    const text = w.find('[data-test=field-appPrivateKey]').text()
    expect(text).toContain('请粘贴完整的 PEM')
    expect(text).not.toContain('too short')
  })

  it('asks for 子商户号 in 服务商 mode only', async () => {
    const w = mountScreen(MerchantForm, { merchant: wechat })
    await settle()
    expect(w.find('[data-test=field-subMchid]').exists()).toBe(false)
    const partner = mountScreen(MerchantForm, { merchant: { ...wechat, mode: 'partner' } })
    await settle()
    expect(partner.find('[data-test=field-subMchid]').exists()).toBe(true)
  })

  it('a secret that is not stored yet is required', async () => {
    const w = mountScreen(MerchantForm, { merchant: wechat })
    await settle()
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(fake.op('merchants.update')).not.toHaveBeenCalled()
    expect(w.find('[data-test=field-apiV3Key]').text()).toContain('必填')
    // The stored private key is not asked for again.
    expect(w.find('[data-test=field-privateKey]').text()).not.toContain('必填')
  })

  it('keeps the WeChat platform keys and numbers as they were', async () => {
    const w = mountScreen(MerchantForm, { merchant: wechat })
    await settle()
    await w.find('[data-test=secret-apiV3Key] input').setValue('0123456789abcdef0123456789abcdef')
    await w.find('[data-test=save]').trigger('click')
    await settle()
    const { profile } = fake.op('merchants.update').mock.calls[0]![0] as {
      profile: Record<string, unknown>
    }
    expect(profile).not.toHaveProperty('privateKey')
    expect(profile.apiV3Key).toBe('0123456789abcdef0123456789abcdef')
    expect(profile.platformPublicKeys).toEqual({ PUB_KEY_ID_0114232134912410000000000000: PUBLIC_KEY })
    expect(profile.qps).toBe(50)
    expect(profile.mode).toBe('direct')
  })

  it('keeps the app auth token write-only: shown only as set, kept when left empty, sent when typed', async () => {
    const isv: MerchantView = { ...alipay, secrets: { appPrivateKey: true, appAuthToken: true } }
    const w = mountScreen(MerchantForm, { merchant: isv })
    await settle()
    const token = w.find('[data-test=secret-appAuthToken] input')
    expect((token.element as HTMLInputElement).type).toBe('password')
    expect((token.element as HTMLInputElement).value).toBe('')
    expect(token.attributes('placeholder')).toContain('已设置')
    expect(w.find('[data-test=field-appAuthToken]').text()).toContain('留空则保留原值')
    await w.find('[data-test=save]').trigger('click')
    await settle()
    const sent = fake.op('merchants.update').mock.calls[0]![0] as { profile: Record<string, unknown> }
    expect(sent.profile).not.toHaveProperty('appAuthToken')

    await token.setValue('201901BB0123456789abcdef')
    await w.find('[data-test=save]').trigger('click')
    await settle()
    const typed = fake.op('merchants.update').mock.calls[1]![0] as { profile: Record<string, unknown> }
    expect(typed.profile.appAuthToken).toBe('201901BB0123456789abcdef')
  })

  it('shows an app auth token that is not stored as not set, and does not ask for it', async () => {
    const w = mountScreen(MerchantForm, {
      merchant: { ...alipay, secrets: { appPrivateKey: true, appAuthToken: false } },
    })
    await settle()
    expect(w.find('[data-test=field-appAuthToken]').text()).toContain('未设置')
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(fake.op('merchants.update')).toHaveBeenCalledTimes(1)
  })

  it("names a key main cannot use under its field, in the window's language", async () => {
    const id = 'merchant.key.private'
    const params = { field: 'appPrivateKey', keyFields: 'appPrivateKey' }
    fake
      .op('merchants.update')
      .mockRejectedValue(new ApiError({ code: 'invalid_input', message: say(id, params), id, params }))
    const w = mountScreen(MerchantForm, { merchant: alipay })
    await settle()
    await w
      .find('[data-test=secret-appPrivateKey] textarea')
      .setValue(`-----BEGIN PRIVATE KEY-----\n${'C'.repeat(70)}\n-----END PRIVATE KEY-----`)
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(w.find('[data-test=field-appPrivateKey]').text()).toContain(
      '应用私钥不是可用的 RSA 私钥：请粘贴完整的 PEM（-----BEGIN PRIVATE KEY----- …）',
    )
    expect(w.find('[data-test=field-alipayPublicKey]').text()).not.toContain('RSA')
  })

  it("main's key sentences name each field by the form's own label, in both languages", () => {
    const keyEntries = Object.entries(MESSAGES).filter(([id]) => id.startsWith('merchant.key.'))
    expect(keyEntries.map(([id]) => id).sort()).toEqual([
      'merchant.key.platformPublicKeys',
      'merchant.key.private',
      'merchant.key.public',
      'merchant.key.publicOrCertificate',
    ])
    for (const id of [
      'merchant.key.private',
      'merchant.key.public',
      'merchant.key.publicOrCertificate',
    ] as const)
      for (const field of ['appPrivateKey', 'alipayPublicKey', 'privateKey', 'unionpayPublicKey'] as const) {
        const [zhLabel, enLabel] = LABELS.profileField[field]
        expect(say(id, { keyFields: field }, 'zh-CN'), id).toMatch(new RegExp(`^${zhLabel}不是可用的 RSA `))
        expect(say(id, { keyFields: field }, 'en-US'), id).toMatch(
          new RegExp(`^${enLabel} is not a usable RSA `),
        )
      }
    const platform = MESSAGES['merchant.key.platformPublicKeys']
    // "Platform public keys" names a list; its sentence speaks of one key of it.
    expect(platform.zh).toMatch(new RegExp(`^${LABELS.profileField.platformPublicKeys[0]} `))
    expect(platform.en).toMatch(
      new RegExp(`^${LABELS.profileField.platformPublicKeys[1].replace(/s$/, '')} `),
    )
  })

  it('changing the endpoint says before saving which secrets to enter again, and asks for them', async () => {
    const isv: MerchantView = { ...alipay, secrets: { appPrivateKey: true, appAuthToken: true } }
    const w = mountScreen(MerchantForm, { merchant: isv })
    await settle()
    expect(w.find('[data-test=rebind]').exists()).toBe(false)
    await w.find('[data-test=field-endpoint] input').setValue('https://evil.example.com/gateway.do')
    await settle()
    expect(w.find('[data-test=rebind]').text()).toBe(
      '已更改网关地址：已保存的密钥只能用于原来的网关地址、商户号和网关公钥，保存前请重新填写应用私钥、应用授权令牌。',
    )
    expect(w.find('[data-test=field-appPrivateKey]').text()).toContain('须重新填写')
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(fake.op('merchants.update')).not.toHaveBeenCalled()

    setLang('en-US')
    await settle()
    expect(w.find('[data-test=rebind]').text()).toBe(
      'You changed Endpoint: the stored secrets work only with the old endpoint, ids and gateway keys, so enter App private key and App auth token again before saving.',
    )
    setLang('zh-CN')

    const key = `-----BEGIN PRIVATE KEY-----\n${'C'.repeat(70)}\n-----END PRIVATE KEY-----`
    await w.find('[data-test=secret-appPrivateKey] textarea').setValue(key)
    await w.find('[data-test=secret-appAuthToken] input').setValue('201901BB0123456789abcdef')
    await settle()
    expect(w.find('[data-test=rebind]').exists()).toBe(false)
    await w.find('[data-test=save]').trigger('click')
    await settle()
    const { profile } = fake.op('merchants.update').mock.calls[0]![0] as {
      profile: Record<string, unknown>
    }
    expect(profile).toMatchObject({ endpoint: 'https://evil.example.com/gateway.do', appPrivateKey: key })
  })

  it('a changed gateway key or id asks too; the name, the rate limit and a path on the same host do not', async () => {
    const w = mountScreen(MerchantForm, { merchant: alipay })
    await settle()
    await w.find('[data-test=field-name] input').setValue('shop-2')
    await w.find('[data-test=field-endpoint] input').setValue('https://openapi.alipay.com/v2/gateway.do')
    await settle()
    expect(w.find('[data-test=rebind]').exists()).toBe(false)
    // The same key wrapped anew is the same key.
    await w.find('[data-test=field-alipayPublicKey] textarea').setValue(PUBLIC_KEY.replaceAll('\n', '\n\n'))
    await settle()
    expect(w.find('[data-test=rebind]').exists()).toBe(false)
    await w.find('[data-test=field-appId] input').setValue('2021000000000002')
    await settle()
    expect(w.find('[data-test=rebind]').text()).toContain('已更改APPID')
  })

  it("marks the secrets main asks for again when it refuses a save (another window's change)", async () => {
    const id = 'merchant.anchorsChanged'
    fake.op('merchants.update').mockRejectedValue(
      new ApiError({
        code: 'invalid_input',
        message: 'refused',
        id,
        params: { name: 'shop-alipay', secretFields: 'appPrivateKey' },
      }),
    )
    const w = mountScreen(MerchantForm, { merchant: alipay })
    await settle()
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(w.find('[data-test=field-appPrivateKey]').text()).toContain('须重新填写')
  })

  it('a new profile needs its secrets and sends them', async () => {
    const w = mountScreen(MerchantForm, { merchant: null })
    await settle()
    await w.find('[data-test=save]').trigger('click')
    await settle()
    expect(fake.op('merchants.add')).not.toHaveBeenCalled()
    expect(w.find('[data-test=field-appPrivateKey]').text()).toContain('必填')
  })
})

describe('商户配置 screen', () => {
  beforeEach(() => {
    fake = installFakeApi()
    fake.answer('merchants.list', [alipay, wechat])
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('warns when the system has no secure key store, and shows secrets only as set or not set', async () => {
    fake.answer(
      'app.info',
      appInfo({
        transport: 'electron',
        keyStore: {
          backend: 'basic_text',
          secure: false,
          schemes: ['safestorage'],
          keyFileName: 'p.key',
          headless: false,
          needsPassphrase: false,
        },
      }),
    )
    const w = mountScreen(MerchantsView)
    await settle()
    expect(w.find('[data-test=insecure]').text()).toContain('当前密钥存储为 basic_text')
    const text = w.text()
    expect(text).toContain('应用私钥 已设置')
    expect(text).toContain('APIv3 密钥 未设置')
    expect(text).not.toContain('BEGIN')
  })

  it("says a failed test's sentence in the window's language, and no latency as —", async () => {
    const report: ConnectionReport = {
      ok: false,
      signatureValid: null,
      clockSkewMs: null,
      latencyMs: null,
      message: say('merchant.key.private', { keyFields: 'appPrivateKey' }),
      id: 'merchant.key.private',
      params: { field: 'appPrivateKey', keyFields: 'appPrivateKey' },
    }
    fake.answer('merchants.test', report)
    const w = mountScreen(MerchantsView)
    await settle()
    const button = w.findAll('button').find((b) => b.text() === '测试连接')!
    await button.trigger('click')
    await settle()
    const dialog = document.body.querySelector('.n-modal')!
    expect(dialog.querySelector('[data-test=test-message]')!.textContent!.trim()).toBe(
      '应用私钥不是可用的 RSA 私钥：请粘贴完整的 PEM（-----BEGIN PRIVATE KEY----- …）',
    )
    expect(dialog.textContent).not.toContain('0 ms')
    expect(dialog.textContent).toMatch(/延迟\s*—/)
  })

  it("on a team database says the team key keeps the secrets, not this computer's key store", async () => {
    const keyStore = {
      backend: 'passphrase',
      secure: false,
      schemes: ['passphrase'],
      keyFileName: null,
      headless: false,
      needsPassphrase: false,
    }
    fake.answer('app.info', appInfo({ team: 'db.example:5432/books', keyStore }))
    const w = mountScreen(MerchantsView)
    await settle()
    expect(w.find('[data-test=insecure]').exists()).toBe(false)
    expect(w.find('[data-test=team-key]').text()).toContain('团队每台电脑凭团队口令或团队密钥文件都能使用')
    w.unmount()
    fake.answer(
      'app.info',
      appInfo({ team: 'db.example:5432/books', keyStore: { ...keyStore, needsPassphrase: true } }),
    )
    const locked = mountScreen(MerchantsView)
    await settle()
    expect(locked.find('[data-test=team-key]').text()).toContain('请先在窗口顶部输入团队口令')
  })

  it('says nothing about the key store when it is secure', async () => {
    fake.answer(
      'app.info',
      appInfo({
        transport: 'electron',
        keyStore: {
          backend: 'keychain',
          secure: true,
          schemes: ['safestorage'],
          keyFileName: 'p.key',
          headless: false,
          needsPassphrase: false,
        },
      }),
    )
    const w = mountScreen(MerchantsView)
    await settle()
    expect(w.find('[data-test=insecure]').exists()).toBe(false)
  })
})
