import { describe, expect, it } from 'vitest'
import { GATEWAYS, gatewayOf } from '../../src/main/gateways/channels'
import { createAdapter } from '../../src/main/gateways/registry'
import { makeSimMerchant, merchantProfile } from '../../src/main/gateways/simulator/merchants'
import { keyProblem } from '../../src/main/services/profile-key-check'
import { CHANNEL_INFO, profileIds } from '../../src/shared/channels'
import { CHANNELS } from '../../src/shared/domain'
import { LABELS } from '../../src/shared/labels'
import { say } from '../../src/shared/messages'
import { profileSchema } from '../../src/shared/profiles'
import { hasStatements } from '../../src/shared/statements'

// The channel registry: the compiler sees that every channel has its entries; these check what it
// cannot, that the entries of one channel fit together and do not collide with another's.

describe('the channel registry', () => {
  it.each(CHANNELS)(
    '%s: the simulated merchant gives a profile its schema, key check and adapter take',
    async (c) => {
      const m = await makeSimMerchant({ name: `reg-${c}`, channel: c })
      const profile = profileSchema.parse(merchantProfile(m, 'http://127.0.0.1:9'))
      expect(profile.channel).toBe(c)
      expect(keyProblem(profile)).toBeNull()
      const adapter = createAdapter(profile)
      expect(adapter.channel).toBe(c)
      // A channel reconciliation asks for bills has a download, and only such a channel has one.
      expect(typeof adapter.downloadStatement === 'function').toBe(hasStatements(c))
      // Every id the channel names is one the simulated profile has, in its public settings.
      const settings = Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, String(v)]))
      const named = (CHANNEL_INFO[c].idKeys as readonly string[]).filter((k) => k in profile)
      expect(profileIds(c, settings).map(([k]) => k)).toEqual(named)
      expect(named.length).toBeGreaterThan(0)
    },
  )

  it('no word an import may use names two channels, nor another channel by its code', () => {
    const seen = new Map<string, string>()
    for (const c of CHANNELS) {
      for (const word of [c, ...CHANNEL_INFO[c].importAliases]) {
        const key = word.toLowerCase()
        expect(seen.get(key) ?? c, `${word} (${c})`).toBe(c)
        seen.set(key, c)
      }
    }
  })

  it('secret, PEM and id fields are fields of the channel profile, and no id is a secret', () => {
    for (const c of CHANNELS) {
      const info = CHANNEL_INFO[c]
      const fields = Object.keys(info.profileSchema.shape)
      for (const f of [...info.secretFields, ...info.pemFields, ...info.idKeys])
        expect(fields, c).toContain(f)
      for (const id of info.idKeys) expect(info.secretFields as readonly string[], c).not.toContain(id)
    }
  })

  it("every label is of a field of the channel's profile, and a field two channels share is named alike", () => {
    const named = new Map<string, string>()
    for (const c of CHANNELS) {
      const info = CHANNEL_INFO[c]
      const fields = Object.keys(info.profileSchema.shape)
      for (const [field, pair] of Object.entries(info.labels.fields)) {
        expect(fields, `${c}.${field}`).toContain(field)
        const said = JSON.stringify(pair)
        expect(named.get(field) ?? said, `${c}.${field}`).toBe(said)
        named.set(field, said)
      }
      for (const f of fields) if (f !== 'channel') expect(LABELS.profileField, `${c}.${f}`).toHaveProperty(f)
    }
  })

  it.each(CHANNELS)("%s: a key main cannot use is named by its field's label", async (c) => {
    const m = await makeSimMerchant({ name: `keys-${c}`, channel: c })
    const profile = profileSchema.parse(merchantProfile(m, 'http://127.0.0.1:9'))
    for (const f of gatewayOf(c).keyFields(profile)) {
      const params = { field: f.field, keyFields: f.field, serial: f.serial ?? '' }
      const [zh, en] = LABELS.profileField[f.field as keyof typeof LABELS.profileField]
      expect(say(f.id, params, 'zh-CN'), f.field).toMatch(new RegExp(`^${zh}`))
      // "Platform public keys" names a list; its sentence speaks of one key of it.
      expect(say(f.id, params, 'en-US'), f.field).toMatch(new RegExp(`^${en.replace(/s$/, '')}`))
      expect(f.id.startsWith('merchant.key.'), f.id).toBe(true)
    }
  })

  it('each simulated gateway numbers its trades its own way', () => {
    const tags = CHANNELS.map((c) => GATEWAYS[c].tradeNoTag)
    expect(new Set(tags).size).toBe(tags.length)
  })

  it("each channel's demo orders and refunds belong to that channel's demo merchants", () => {
    const tags = CHANNELS.map((c) => GATEWAYS[c].demo.tag)
    expect(new Set(tags).size).toBe(tags.length)
    for (const c of CHANNELS) {
      const { merchants, orders, refunds, tag } = GATEWAYS[c].demo
      expect(tag, c).toMatch(/^[A-Z]$/)
      expect(
        orders.some((o) => o.orderNo.startsWith(`DEMO-${tag}-`)),
        c,
      ).toBe(true)
      const names = new Set(merchants.map((m) => m.name))
      for (const o of orders) expect(names, `${c} ${o.orderNo}`).toContain(o.merchant)
      for (const r of refunds) {
        expect(names, `${c} ${r.refundNo}`).toContain(r.merchant)
        expect(orders.map((o) => o.orderNo)).toContain(r.orderNo)
      }
    }
  })
})
