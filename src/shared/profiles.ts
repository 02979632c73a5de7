import { z } from 'zod'
import { CHANNEL_INFO } from './channels'
import { CHANNELS, type Channel } from './domain'
// Merchant profiles of every channel as one (docs/cli.md section 2), from the channel registry
// (./channels.ts): the union the command line and the form are checked against, which fields are
// secrets (stored encrypted in main and never leaving it again), and the split into what may be shown
// and what must stay sealed.

export {
  alipayProfileSchema,
  daxpayProfileSchema,
  unionpayProfileSchema,
  wechatProfileSchema,
} from './profile-schemas'

type ProfileSchema = (typeof CHANNEL_INFO)[Channel]['profileSchema']

// discriminatedUnion wants a non-empty tuple; CHANNELS is one, which map() does not carry through.
export const profileSchema = z.discriminatedUnion(
  'channel',
  CHANNELS.map((c): ProfileSchema => CHANNEL_INFO[c].profileSchema) as [ProfileSchema, ...ProfileSchema[]],
)

export type MerchantProfile = z.infer<typeof profileSchema>
/** The profile of one channel. */
export type ProfileOf<C extends Channel> = Extract<MerchantProfile, { channel: C }>
export type WechatProfile = ProfileOf<'wechat'>
export type DaxpayProfile = ProfileOf<'daxpay'>
export type UnionpayProfile = ProfileOf<'unionpay'>

/** The fields of each channel that are secrets. */
export const SECRET_FIELDS = Object.fromEntries(CHANNELS.map((c) => [c, CHANNEL_INFO[c].secretFields])) as {
  readonly [C in Channel]: (typeof CHANNEL_INFO)[C]['secretFields']
}

export function isSecretField(channel: Channel, field: string): boolean {
  return (SECRET_FIELDS[channel] as readonly string[]).includes(field)
}

/**
 * Stored public settings as they may be shown. A profile saved before one of its fields became a
 * secret (appAuthToken) still holds it here in the clear until main moves it; no answer carries it.
 */
export function shownSettings(channel: Channel, settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).filter(([k]) => !isSecretField(channel, k)))
}

/** Splits a profile into what may be shown and what must stay sealed. */
export function splitProfile(p: MerchantProfile): {
  publicSettings: Record<string, string>
  secrets: Record<string, string>
} {
  const publicSettings: Record<string, string> = {}
  const secrets: Record<string, string> = {}
  for (const [k, v] of Object.entries(p)) {
    if (['name', 'channel', 'mode', 'endpoint'].includes(k) || v === undefined) continue
    const text = typeof v === 'string' ? v : JSON.stringify(v)
    if (isSecretField(p.channel, k)) secrets[k] = text
    else publicSettings[k] = text
  }
  return { publicSettings, secrets }
}

/** Rebuilds a full profile from its stored halves, for the adapter in main. */
export function joinProfile(
  base: { name: string; channel: string; mode: string; endpoint: string },
  publicSettings: Record<string, string>,
  secrets: Record<string, string>,
): MerchantProfile {
  const raw: Record<string, unknown> = { name: base.name, channel: base.channel, endpoint: base.endpoint }
  if (base.channel === 'wechat') raw.mode = base.mode
  for (const [k, v] of Object.entries({ ...publicSettings, ...secrets })) {
    raw[k] = k === 'platformPublicKeys' ? JSON.parse(v) : k === 'qps' ? Number(v) : v
  }
  return profileSchema.parse(raw)
}
