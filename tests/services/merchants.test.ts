import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import { say } from '../../src/shared/messages'
import { profileSchema, type MerchantProfile } from '../../src/shared/profiles'
import { createAdapter } from '../../src/main/gateways/registry'
import { selfSignedCertificate } from '../../src/main/gateways/simulator/x509'
import { dispatch } from '../../src/main/services/index'
import { keyProblem } from '../../src/main/services/profile-key-check'
import {
  addMerchant,
  listMerchantViews,
  removeMerchantProfile,
  testMerchant,
  updateMerchantProfile,
} from '../../src/main/services/merchants'
import { getMerchant } from '../../src/main/store/merchants'
import { createWorld, type World } from '../helpers/world'

// Merchant profiles through the services, on a real SQLite file: which fields stay sealed, which
// keys are refused on the way in, and what a test or a sync records of a call that never went out.

const TOKEN = 'app-auth-token-201901BB0123456789abcdef'
const GARBAGE_KEY = 'not-a-key-'.repeat(10)

let w: World
let base: Record<string, unknown>
/** A loopback "gateway" that only notes the requests it gets. */
let capture: { url: string; requests: string[]; close: () => Promise<void> }

beforeAll(async () => {
  w = await createWorld({
    merchants: [
      { name: 'ali', channel: 'alipay' },
      // No payscore service id: a payscore order's query is answered without asking WeChat.
      { name: 'wx', channel: 'wechat', ids: { payscoreServiceId: '' } },
    ],
  })
  base = w.sim.profiles().find((p) => p.channel === 'alipay')!
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  capture = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
})
afterAll(async () => {
  await capture.close()
  await w.close()
})

function row(id: number) {
  return getMerchant(w.ctx.db, id)!
}
async function opened(id: number): Promise<Record<string, string>> {
  return (await w.ctx.secretBox()).open(row(id).secrets!)
}
/** The database as it lies on disk, write-ahead log included. */
function fileBytes(): Buffer {
  const wal = `${w.dbFile}-wal`
  return Buffer.concat([
    fs.readFileSync(w.dbFile),
    fs.existsSync(wal) ? fs.readFileSync(wal) : Buffer.alloc(0),
  ])
}
/** Every answer a window or a script gets that shows profiles. */
async function answers(): Promise<string> {
  return JSON.stringify([
    await dispatch(w.ctx, 'merchants.list', {}),
    await dispatch(w.ctx, 'overview.get', {}),
  ])
}
/** What the merchant form sends on edit when nothing secret was typed. */
function formEdit(id: number): Record<string, unknown> {
  const view = listMerchantViews(w.ctx).find((m) => m.id === id)!
  return { name: view.name, channel: view.channel, endpoint: view.endpoint, ...view.settings }
}
/** A profile saved before appAuthToken was a secret: the token sits in its public settings. */
function makeLegacy(id: number): void {
  w.ctx.db
    .prepare(
      `UPDATE merchants SET settings = json_set(settings, '$.appAuthToken', ?), secret_names = '["appPrivateKey"]'
       WHERE id = ?`,
    )
    .run(TOKEN, id)
}

describe('the Alipay app auth token is a secret', () => {
  it('is sealed like the private key, never comes back, and reaches the adapter', async () => {
    const privateLine = String(base.appPrivateKey).split('\n')[1]!
    const view = await addMerchant(w.ctx, {
      ...base,
      name: 'isv',
      endpoint: capture.url,
      appAuthToken: TOKEN,
    })
    expect(view.settings).not.toHaveProperty('appAuthToken')
    expect(view.secrets).toEqual({ appPrivateKey: true, appAuthToken: true })
    expect(JSON.stringify(view)).not.toContain(TOKEN)
    const everything = await answers()
    for (const secret of [TOKEN, privateLine]) expect(everything).not.toContain(secret)
    expect(row(view.id).settings).not.toContain(TOKEN)
    expect(fileBytes().includes(Buffer.from(TOKEN))).toBe(false)
    expect(await opened(view.id)).toMatchObject({ appAuthToken: TOKEN })

    // The form sends no secret on edit: the token is kept, as the private key is.
    const edited = await updateMerchantProfile(w.ctx, view.id, { ...formEdit(view.id), qps: 5 })
    expect(edited.secrets).toEqual({ appPrivateKey: true, appAuthToken: true })
    expect(await opened(view.id)).toMatchObject({ appAuthToken: TOKEN })

    capture.requests.length = 0
    await testMerchant(w.ctx, view.id)
    expect(new URL(capture.requests[0]!, 'http://x').searchParams.get('app_auth_token')).toBe(TOKEN)
  })

  it('shows as not set on a profile without one', () => {
    const ali = listMerchantViews(w.ctx).find((m) => m.name === 'ali')!
    expect(ali.secrets).toEqual({ appPrivateKey: true, appAuthToken: false })
  })

  it('of a profile saved before it was a secret is never shown, and is sealed when main next opens the secrets', async () => {
    const view = await addMerchant(w.ctx, { ...base, name: 'legacy-open', endpoint: capture.url })
    makeLegacy(view.id)
    expect(await answers()).not.toContain(TOKEN)
    expect(listMerchantViews(w.ctx).find((m) => m.id === view.id)!.secrets.appAuthToken).toBe(true)

    w.ctx.forgetAdapter(view.id)
    capture.requests.length = 0
    await testMerchant(w.ctx, view.id)
    // The adapter had it all along (joinProfile takes either half) ...
    expect(new URL(capture.requests[0]!, 'http://x').searchParams.get('app_auth_token')).toBe(TOKEN)
    // ... and now it is sealed, out of the clear settings.
    expect(row(view.id).settings).not.toContain(TOKEN)
    expect((JSON.parse(row(view.id).secret_names) as string[]).sort()).toEqual([
      'appAuthToken',
      'appPrivateKey',
    ])
    expect(await opened(view.id)).toMatchObject({
      appAuthToken: TOKEN,
      appPrivateKey: String(base.appPrivateKey).trim(),
    })
    expect(listMerchantViews(w.ctx).find((m) => m.id === view.id)!.secrets.appAuthToken).toBe(true)
  })

  it('of a profile saved before it was a secret is sealed by the next save, which keeps it', async () => {
    const view = await addMerchant(w.ctx, { ...base, name: 'legacy-save', endpoint: capture.url })
    makeLegacy(view.id)
    const saved = await updateMerchantProfile(w.ctx, view.id, formEdit(view.id))
    expect(JSON.stringify(saved)).not.toContain(TOKEN)
    expect(saved.secrets).toEqual({ appPrivateKey: true, appAuthToken: true })
    expect(row(view.id).settings).not.toContain(TOKEN)
    expect(await opened(view.id)).toMatchObject({ appAuthToken: TOKEN })
  })

  it('of a removed profile saved before it was a secret is forgotten with the other secrets', async () => {
    const view = await addMerchant(w.ctx, { ...base, name: 'legacy-gone', endpoint: capture.url })
    makeLegacy(view.id)
    await removeMerchantProfile(w.ctx, view.id)
    expect(row(view.id).settings).not.toContain(TOKEN)
    expect(row(view.id).secrets).toBeNull()
  })
})

describe('keys are read on the way in', () => {
  it('a garbage private key is refused on add, naming the field in both languages', async () => {
    const err = await addMerchant(w.ctx, { ...base, name: 'garbage', appPrivateKey: GARBAGE_KEY }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      code: 'invalid_input',
      id: 'merchant.key.private',
      params: { field: 'appPrivateKey' },
      message:
        'App private key is not a usable RSA private key: paste the whole PEM block (-----BEGIN PRIVATE KEY----- ...)',
    })
    const { id, params } = err as AppError
    expect(say(id!, params, 'zh-CN')).toBe(
      '应用私钥不是可用的 RSA 私钥：请粘贴完整的 PEM（-----BEGIN PRIVATE KEY----- …）',
    )
    expect(listMerchantViews(w.ctx).some((m) => m.name === 'garbage')).toBe(false)
  })

  it('and on update, where a kept key saved before the check is named too', async () => {
    const view = await addMerchant(w.ctx, { ...base, name: 'update-keys', endpoint: capture.url })
    await expect(
      updateMerchantProfile(w.ctx, view.id, { ...formEdit(view.id), alipayPublicKey: GARBAGE_KEY }),
    ).rejects.toMatchObject({ id: 'merchant.key.public', params: { field: 'alipayPublicKey' } })
    // The private half of a key pair in the public-key field: OpenSSL would take it, and it would be shown.
    await expect(
      updateMerchantProfile(w.ctx, view.id, { ...formEdit(view.id), alipayPublicKey: base.appPrivateKey }),
    ).rejects.toMatchObject({ id: 'merchant.key.public', params: { field: 'alipayPublicKey' } })
    expect(JSON.stringify(listMerchantViews(w.ctx))).not.toContain(String(base.appPrivateKey).split('\n')[1])

    const box = await w.ctx.secretBox()
    w.ctx.db
      .prepare('UPDATE merchants SET secrets = ? WHERE id = ?')
      .run(box.seal({ appPrivateKey: GARBAGE_KEY }), view.id)
    await expect(updateMerchantProfile(w.ctx, view.id, formEdit(view.id))).rejects.toMatchObject({
      id: 'merchant.key.private',
      params: { field: 'appPrivateKey' },
    })
    // A new key typed in fixes it.
    const fixed = await updateMerchantProfile(w.ctx, view.id, {
      ...formEdit(view.id),
      appPrivateKey: base.appPrivateKey,
    })
    expect(fixed.secrets.appPrivateKey).toBe(true)
  })

  it('a test of a profile whose key was saved before the check names the key, and shows no latency', async () => {
    const view = await addMerchant(w.ctx, { ...base, name: 'old-garbage' })
    const good = await testMerchant(w.ctx, view.id)
    expect(good.ok).toBe(true)
    expect(typeof listMerchantViews(w.ctx).find((m) => m.id === view.id)!.lastLatencyMs).toBe('number')

    const box = await w.ctx.secretBox()
    w.ctx.db
      .prepare('UPDATE merchants SET secrets = ? WHERE id = ?')
      .run(box.seal({ appPrivateKey: GARBAGE_KEY }), view.id)
    const report = await testMerchant(w.ctx, view.id)
    expect(report).toMatchObject({
      ok: false,
      latencyMs: null,
      id: 'merchant.key.private',
      message:
        'App private key is not a usable RSA private key: paste the whole PEM block (-----BEGIN PRIVATE KEY----- ...)',
    })
    expect(report.message).not.toMatch(/DECODER|error:/)
    const after = listMerchantViews(w.ctx).find((m) => m.id === view.id)!
    expect(after.lastLatencyMs).toBeNull()
    expect(after.lastError).toBe(report.message)
  })

  it('any other failure before a call keeps its own sentence, and no latency either', async () => {
    const view = await addMerchant(w.ctx, { ...base, name: 'switched-off' })
    await dispatch(w.ctx, 'merchants.setEnabled', { id: view.id, enabled: false })
    const report = await testMerchant(w.ctx, view.id)
    expect(report).toMatchObject({
      ok: false,
      latencyMs: null,
      id: 'merchant.disabled',
      message: 'merchant switched-off is disabled',
    })
  })
})

describe('a profile and its audit row are one write', () => {
  it('a rename onto a removed profile\u2019s name is refused as a name in use, and nothing is written', async () => {
    const gone = await addMerchant(w.ctx, { ...base, name: 'kept-name' })
    await removeMerchantProfile(w.ctx, gone.id)
    const view = await addMerchant(w.ctx, { ...base, name: 'to-rename' })
    const audits = () => (w.ctx.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n
    const before = { row: row(view.id), audits: audits() }
    await expect(
      updateMerchantProfile(w.ctx, view.id, { ...formEdit(view.id), name: 'kept-name' }),
    ).rejects.toMatchObject({ code: 'conflict', id: 'merchant.exists', params: { name: 'kept-name' } })
    expect({ row: row(view.id), audits: audits() }).toEqual(before)
    // Added again under its old name, the removed row comes back with its history.
    expect((await addMerchant(w.ctx, { ...base, name: 'kept-name' })).id).toBe(gone.id)
  })
})

describe('a key is accepted exactly when its adapter can use it', () => {
  const rsa = () =>
    crypto.generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
  const body = (pem: string) =>
    pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('')
  const merchant = rsa()
  const gateway = rsa()
  const alipay = (over: Record<string, unknown>) =>
    profileSchema.parse({
      name: 'a',
      channel: 'alipay',
      endpoint: 'https://openapi.alipay.com/gateway.do',
      appId: '2021000000000001',
      appPrivateKey: merchant.privateKey,
      alipayPublicKey: gateway.publicKey,
      ...over,
    })
  const wechat = (over: Record<string, unknown>) =>
    profileSchema.parse({
      name: 'w',
      channel: 'wechat',
      endpoint: 'https://api.mch.weixin.qq.com',
      mchid: '1900000001',
      serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      privateKey: merchant.privateKey,
      apiV3Key: '0123456789abcdef0123456789abcdef',
      platformPublicKeys: { PUB_KEY_ID_0114232134912410000000000000: gateway.publicKey },
      ...over,
    })
  const unionpay = (over: Record<string, unknown>) =>
    profileSchema.parse({
      name: 'u',
      channel: 'unionpay',
      endpoint: 'https://gateway.95516.com/gateway/api/queryTrans.do',
      merId: '777290058110048',
      certId: '69629715588',
      privateKey: merchant.privateKey,
      unionpayPublicKey: gateway.publicKey,
      ...over,
    })
  function adapterTakes(p: MerchantProfile): boolean {
    try {
      createAdapter(p)
      return true
    } catch {
      return false
    }
  }

  it.each([
    ['Alipay, PEM blocks', alipay({})],
    [
      'Alipay, bare base64 bodies',
      alipay({ appPrivateKey: body(merchant.privateKey), alipayPublicKey: body(gateway.publicKey) }),
    ],
    [
      'UnionPay, bare base64 bodies',
      unionpay({ privateKey: body(merchant.privateKey), unionpayPublicKey: body(gateway.publicKey) }),
    ],
    [
      'UnionPay, its verify certificate',
      unionpay({
        unionpayPublicKey: selfSignedCertificate({
          serialHex: '01',
          commonName: 'UnionPay test',
          privateKeyPem: gateway.privateKey,
          notBefore: new Date(Date.now() - 86400_000),
          notAfter: new Date(Date.now() + 86400_000),
        }),
      }),
    ],
    [
      'WeChat Pay, a platform certificate',
      wechat({
        platformPublicKeys: {
          '5157F09EFDC096DE15EBE81A47057A7232F1B8E2': selfSignedCertificate({
            serialHex: '5157F09EFDC096DE15EBE81A47057A7232F1B8E2',
            commonName: 'Tenpay.com Root CA',
            privateKeyPem: gateway.privateKey,
            notBefore: new Date(Date.now() - 86400_000),
            notAfter: new Date(Date.now() + 86400_000),
          }),
        },
      }),
    ],
  ])('accepts %s, which the adapter takes', (_name, profile) => {
    expect(adapterTakes(profile)).toBe(true)
    expect(keyProblem(profile)).toBeNull()
  })

  it('refuses a bare body where the WeChat Pay adapter wants a PEM block, as the adapter would fail', () => {
    const profile = wechat({ privateKey: body(merchant.privateKey) })
    expect(adapterTakes(profile)).toBe(false)
    expect(keyProblem(profile)).toMatchObject({ id: 'merchant.key.private', params: { field: 'privateKey' } })
  })

  it('names a platform key by its serial', () => {
    const problem = keyProblem(wechat({ platformPublicKeys: { PUB_KEY_ID_BROKEN: GARBAGE_KEY } }))
    expect(problem).toMatchObject({
      id: 'merchant.key.platformPublicKeys',
      params: { serial: 'PUB_KEY_ID_BROKEN' },
    })
    expect(say(problem!.id!, problem!.params, 'zh-CN')).toMatch(
      /^平台公钥 PUB_KEY_ID_BROKEN 不是可用的 RSA 公钥/,
    )
  })

  it('refuses a key that parses but is no RSA key, and a cut-off one', () => {
    const ec = crypto.generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    expect(keyProblem(unionpay({ privateKey: ec.privateKey }))).toMatchObject({
      id: 'merchant.key.private',
      params: { field: 'privateKey' },
    })
    const publicKey = keyProblem(unionpay({ unionpayPublicKey: ec.publicKey }))
    expect(publicKey).toMatchObject({
      id: 'merchant.key.publicOrCertificate',
      params: { field: 'unionpayPublicKey' },
      message: expect.stringMatching(/^UnionPay public key is not a usable RSA public key/),
    })
    expect(say(publicKey!.id!, publicKey!.params, 'zh-CN')).toMatch(/^银联公钥不是可用的 RSA 公钥/)
    const lines = merchant.privateKey.trim().split('\n')
    const cut = [...lines.slice(0, 8), lines.at(-1)].join('\n')
    expect(keyProblem(alipay({ appPrivateKey: cut }))).toMatchObject({
      id: 'merchant.key.private',
      params: { field: 'appPrivateKey' },
    })
  })
})

describe('latency of a sync that never asked the gateway', () => {
  it('is none, not 0 ms', async () => {
    const wx = w.merchantId('wx')
    const paid = w.payOrder({ merchant: 'wx', orderNo: 'LAT-1' })
    w.gatewayOrder({ merchant: 'wx', orderNo: 'LAT-1', amount: 1000, state: 'SUCCESS' })
    await w.ctx.engine.syncPay(paid, { source: 'manual' })
    expect(row(wx).last_latency_ms).not.toBeNull()

    const payscore = w.payOrder({ merchant: 'wx', orderNo: 'LAT-2', kind: 'payscore' })
    const result = await w.ctx.engine.syncPay(payscore, { source: 'manual' })
    expect(result.outcome).toBe('error')
    expect(row(wx).last_error).toMatch(/payscoreServiceId/)
    expect(row(wx).last_latency_ms).toBeNull()
    expect(listMerchantViews(w.ctx).find((m) => m.id === wx)!.lastLatencyMs).toBeNull()
  })
})
