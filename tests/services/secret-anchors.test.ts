import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHANNEL_INFO } from '../../src/shared/channels'
import { CHANNELS } from '../../src/shared/domain'
import { say } from '../../src/shared/messages'
import { gatewayOf } from '../../src/main/gateways/channels'
import { makeSimMerchant, merchantProfile } from '../../src/main/gateways/simulator/merchants'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import {
  addMerchant,
  listMerchantViews,
  testMerchant,
  updateMerchantProfile,
} from '../../src/main/services/merchants'
import { anchorDigest } from '../../src/main/store/anchors'
import { openStore } from '../../src/main/store/connection'
import { unlockSecrets } from '../../src/main/store/keyring'
import { getMerchant } from '../../src/main/store/merchants'
import { MIGRATIONS } from '../../src/main/store/migrations'
import { profileSchema, splitProfile } from '../../src/shared/profiles'
import { createWorld, tempDir, type World } from '../helpers/world'

// Review H2: a profile's endpoint and gateway public key could be changed without its secrets, which
// stayed sealed and followed the profile. The review sent the write-only app auth token to its own
// host, and made an unpaid order "paid" with an answer signed by its own key. Secrets are now bound
// to the profile's trust anchors (the endpoint's origin, the app and merchant ids, the gateway's
// public keys): a change of any of them needs every secret typed again, and a blob whose anchors are
// not the profile's is never used.

const TOKEN = '202612BB-SECRET-AUTH-TOKEN-0001'

let w: World
/** A loopback host of the attacker's that notes what reaches it. */
let attacker: { url: string; requests: string[]; close: () => Promise<void> }
let attackerKey: string

beforeAll(async () => {
  w = await createWorld({
    merchants: [
      { name: 'ali', channel: 'alipay' },
      { name: 'wx', channel: 'wechat' },
      { name: 'wxp', channel: 'wechat', mode: 'partner' },
      { name: 'dax', channel: 'daxpay' },
      { name: 'union', channel: 'unionpay' },
    ],
  })
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  attacker = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  attackerKey = crypto
    .generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString()
})
afterAll(async () => {
  await attacker.close()
  await w.close()
})

const profileOf = (name: string) => w.sim.profiles().find((p) => p.name === name)!
/** What the merchant form sends on edit when no secret was typed. */
function formEdit(id: number): Record<string, unknown> {
  const view = listMerchantViews(w.ctx).find((m) => m.id === id)!
  const settings: Record<string, unknown> = { ...view.settings }
  if (settings.platformPublicKeys)
    settings.platformPublicKeys = JSON.parse(String(settings.platformPublicKeys))
  if (settings.qps) settings.qps = Number(settings.qps)
  return { name: view.name, channel: view.channel, mode: view.mode, endpoint: view.endpoint, ...settings }
}
const row = (id: number) => getMerchant(w.ctx.db, id)!

describe('a change of a trust anchor without the secrets', () => {
  it("is refused: the review's redirect of an ISV profile to another host and key sends nothing", async () => {
    const isv = await addMerchant(w.ctx, { ...profileOf('ali'), name: 'isv', appAuthToken: TOKEN })
    const before = row(isv.id)
    const err = await updateMerchantProfile(w.ctx, isv.id, {
      ...formEdit(isv.id),
      endpoint: attacker.url,
      alipayPublicKey: attackerKey,
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'invalid_input',
      id: 'merchant.anchorsChanged',
      message:
        'the Endpoint and Alipay public key of merchant isv changed, and its stored secrets work only with ' +
        'the old ones: enter App private key and App auth token again to save',
    })
    const { id, params } = err as { id: 'merchant.anchorsChanged'; params: Record<string, string> }
    expect(say(id, params, 'zh-CN')).toBe(
      '商户“isv”的网关地址、支付宝公钥已更改，已保存的密钥只能用于原来的设置：请重新填写应用私钥、应用授权令牌后再保存',
    )
    expect(row(isv.id)).toEqual(before)

    const orderId = w.payOrder({ merchant: 'ali', orderNo: 'A1002' })
    w.ctx.db.prepare('UPDATE pay_orders SET merchant_id = ? WHERE id = ?').run(isv.id, orderId)
    w.gatewayOrder({ merchant: 'ali', orderNo: 'A1002', amount: 1000, state: 'WAIT_BUYER_PAY' })
    await dispatch(w.ctx, 'orders.sync', { ids: [orderId] })
    expect(attacker.requests).toEqual([])
  })

  it.each([
    ['ali', { endpoint: 'http://127.0.0.1:1/gateway.do' }, ['endpoint']],
    ['ali', { appId: '2021000000009999' }, ['appId']],
    ['ali', { alipayPublicKey: 'KEY' }, ['alipayPublicKey']],
    ['wx', { mchid: '1900000109' }, ['mchid']],
    ['wx', { appId: 'wx0000000000000001' }, ['appId']],
    [
      'wx',
      { platformPublicKeys: { PUB_KEY_ID_0000000000000000000000000001: 'KEY' } },
      ['platformPublicKeys'],
    ],
    ['wxp', { subMchid: '1900000110' }, ['subMchid']],
    ['dax', { mchNo: 'M0000000001' }, ['mchNo']],
    ['dax', { appId: 'A0000000001' }, ['appId']],
    ['union', { merId: '777000000000001' }, ['merId']],
    ['union', { unionpayPublicKey: 'KEY' }, ['unionpayPublicKey']],
  ] as const)('%s: %o asks for every secret again', async (name, change, anchors) => {
    const id = w.merchantId(name)
    const edit = { ...formEdit(id), ...change } as Record<string, unknown>
    for (const [k, v] of Object.entries(edit)) if (v === 'KEY') edit[k] = attackerKey
    if ('platformPublicKeys' in change)
      edit.platformPublicKeys = { ...(formEdit(id).platformPublicKeys as object), SERIAL_NEW: attackerKey }
    const before = row(id)
    const err = await updateMerchantProfile(w.ctx, id, edit).catch((e: unknown) => e)
    expect(err).toMatchObject({ id: 'merchant.anchorsChanged' })
    expect((err as { params: { changedFields: string } }).params.changedFields).toBe(anchors.join(','))
    const secrets = CHANNEL_INFO[row(id).channel].secretFields.filter((s) => profileOf(name)[s] !== undefined)
    expect((err as { params: { secretFields: string } }).params.secretFields).toBe(secrets.join(','))
    expect(row(id)).toEqual(before)
  })

  it('the name, the rate limit or a path on the same origin keep the secrets', async () => {
    const view = await addMerchant(w.ctx, { ...profileOf('ali'), name: 'renamed-later' })
    const edit = formEdit(view.id)
    const saved = await updateMerchantProfile(w.ctx, view.id, {
      ...edit,
      name: 'renamed',
      qps: 7,
      endpoint: String(edit.endpoint).replace('/gateway.do', '/gateway2.do'),
    })
    expect(saved.secrets).toEqual({ appPrivateKey: true, appAuthToken: false })
    expect(row(view.id).secrets).not.toBeNull()
  })
})

describe('a change of a trust anchor with every secret typed again', () => {
  it('is saved, and audited with the old and new endpoint and key fingerprints, never a key', async () => {
    const p = profileOf('union')
    const view = await addMerchant(w.ctx, { ...p, name: 'union-moved' })
    const saved = await updateMerchantProfile(w.ctx, view.id, {
      ...formEdit(view.id),
      endpoint: attacker.url,
      merId: '777000000000002',
      unionpayPublicKey: attackerKey,
      privateKey: p.privateKey,
    })
    expect(saved).toMatchObject({ endpoint: attacker.url, secrets: { privateKey: true } })
    const audit = w.ctx.db
      .prepare(
        "SELECT detail FROM audit_log WHERE action = 'merchant_changed' AND target = ? ORDER BY id DESC",
      )
      .get('union-moved') as { detail: string }
    const detail = JSON.parse(audit.detail) as Record<string, unknown>
    const fp = (pem: string) =>
      'sha256:' +
      crypto
        .createHash('sha256')
        .update(crypto.createPublicKey(pem).export({ type: 'spki', format: 'der' }))
        .digest('hex')
        .slice(0, 16)
    expect(detail).toEqual({
      secretsChanged: ['privateKey'],
      endpoint: { from: p.endpoint, to: attacker.url },
      ids: { merId: { from: p.merId, to: '777000000000002' } },
      publicKeys: { unionpayPublicKey: { from: fp(String(p.unionpayPublicKey)), to: fp(attackerKey) } },
    })
    const line = attackerKey.split('\n')[1]!
    expect(audit.detail).not.toContain(line)
    expect(audit.detail).not.toContain(String(p.unionpayPublicKey).split('\n')[1])
  })
})

describe('at use time', () => {
  it('secrets sealed for another endpoint are refused before anything is sent', async () => {
    const view = await addMerchant(w.ctx, { ...profileOf('ali'), name: 'moved-behind' })
    // Written past the service (an older build, a hand edit, a restored backup): the profile now
    // names the attacker's host, the sealed secrets still belong to the old one.
    w.ctx.db.prepare('UPDATE merchants SET endpoint = ? WHERE id = ?').run(attacker.url, view.id)
    w.ctx.forgetAdapter(view.id)
    const report = await testMerchant(w.ctx, view.id)
    expect(report).toMatchObject({ ok: false, latencyMs: null, id: 'merchant.secretsUnbound' })
    expect(report.message).toBe(
      'the secrets of merchant moved-behind were sealed for another endpoint, merchant id or gateway ' +
        'key than its profile names now, and are not used: enter them again in the profile',
    )
    expect(attacker.requests).toEqual([])
  })

  it('and so are they when the anchors beside the blob were rewritten to match: the blob carries its own', async () => {
    const view = await addMerchant(w.ctx, { ...profileOf('dax'), name: 'forged-anchor' })
    const settings = JSON.parse(row(view.id).settings) as Record<string, string>
    w.ctx.db
      .prepare('UPDATE merchants SET endpoint = ?, secrets_anchor = ? WHERE id = ?')
      .run(attacker.url, anchorDigest('daxpay', attacker.url, settings), view.id)
    w.ctx.forgetAdapter(view.id)
    const report = await testMerchant(w.ctx, view.id)
    expect(report).toMatchObject({ ok: false, id: 'merchant.secretsUnbound' })
    expect(attacker.requests).toEqual([])
  })

  it('a profile whose secrets were refused takes them typed again', async () => {
    const view = listMerchantViews(w.ctx).find((m) => m.name === 'moved-behind')!
    const p = profileOf('ali')
    await expect(updateMerchantProfile(w.ctx, view.id, formEdit(view.id))).rejects.toMatchObject({
      id: 'merchant.secretsUnbound',
    })
    await updateMerchantProfile(w.ctx, view.id, {
      ...formEdit(view.id),
      endpoint: p.endpoint,
      appPrivateKey: p.appPrivateKey,
    })
    expect((await testMerchant(w.ctx, view.id)).ok).toBe(true)
  })
})

describe('the channel registry names each gateway key', () => {
  it("as the adapters read them: every public key of a channel's keyFields is one of its gatewayKeyFields", async () => {
    for (const c of CHANNELS) {
      // A merchant of its own, not one of the world's: a new channel is checked without being added above.
      const m = await makeSimMerchant({ name: `keys-${c}`, channel: c })
      const profile = profileSchema.parse(merchantProfile(m, 'http://127.0.0.1:9'))
      const publicFields = gatewayOf(c)
        .keyFields(profile as never)
        .filter((f) => f.kind === 'public')
        .map((f) => f.field)
      expect([...new Set(publicFields)], c).toEqual([...CHANNEL_INFO[c].gatewayKeyFields])
    }
  })
})

describe('profiles sealed before binding', () => {
  it('are bound to their anchors of the day by the migration, then refused when one changes', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'old.db')
    const raw = new Database(file)
    for (const m of MIGRATIONS.slice(0, 4)) m(raw)
    raw.pragma('user_version = 4')
    raw.close()
    // Sealed the way version 4 sealed: the secrets alone, bound to nothing.
    const p = profileSchema.parse({ ...profileOf('dax'), name: 'old-dax' })
    const { publicSettings, secrets } = splitProfile(p)
    const store = new Database(file)
    const box = await unlockSecrets(store, { keyFile: path.join(dir, 'old.key') })
    store
      .prepare(
        `INSERT INTO merchants (name, channel, endpoint, settings, secrets, secret_names, created_at, updated_at)
         VALUES ('old-dax', 'daxpay', ?, ?, ?, '["signSecret"]', 1, 1)`,
      )
      .run(p.endpoint, JSON.stringify(publicSettings), box.seal(secrets))
    store.close()

    const migrated = openStore(file)
    const m = migrated.prepare("SELECT * FROM merchants WHERE name = 'old-dax'").get() as {
      secrets_anchor: string
    }
    expect(m.secrets_anchor).toBe(anchorDigest('daxpay', p.endpoint, publicSettings))
    migrated.close()

    const ctx = new ServiceContext({ dbFile: file, transport: 'cli', operator: 'test' })
    try {
      const id = listMerchantViews(ctx).find((v) => v.name === 'old-dax')!.id
      expect((await testMerchant(ctx, id)).ok).toBe(true)
      // Opened once, the blob is sealed again with its anchors inside.
      expect(getMerchant(ctx.db, id)!.secrets![0]).toBe(2)
      ctx.db.prepare('UPDATE merchants SET endpoint = ? WHERE id = ?').run(attacker.url, id)
      ctx.forgetAdapter(id)
      expect(await testMerchant(ctx, id)).toMatchObject({ ok: false, id: 'merchant.secretsUnbound' })
      expect(attacker.requests).toEqual([])
    } finally {
      await ctx.close()
    }
  })
})
