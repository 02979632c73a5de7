import { z } from 'zod'
import { CHANNEL_INFO, type ChannelInfo } from './channels'
import { CHANNELS, type Channel } from './domain'
// Merchant profiles of every channel as one (docs/cli.md section 2), from the channel registry
// (./channels.ts): the union the command line and the form are checked against, which fields are
// secrets (stored encrypted in main and never leaving it again), and the split into what may be shown
// and what must stay sealed.

import {
  alipayProfileSchema,
  daxpayProfileSchema,
  unionpayProfileSchema,
  wechatProfileSchema,
} from './profile-schemas'

export { alipayProfileSchema, daxpayProfileSchema, unionpayProfileSchema, wechatProfileSchema }

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

/** A secret on update: left out, empty or null, the stored one is kept (services/merchants.ts). */
type Kept<S extends z.core.$ZodType> = z.ZodOptional<z.ZodUnion<readonly [S, z.ZodLiteral<''>, z.ZodNull]>>
const kept = <S extends z.core.$ZodType>(secret: S): Kept<S> =>
  z.union([secret, z.literal(''), z.null()]).optional()

/** A channel's profile as an update sends it: each of its SECRET_FIELDS may be left out. */
function withSecretsKept<Shape extends z.ZodRawShape, K extends keyof Shape & string>(
  schema: z.ZodObject<Shape>,
  secrets: readonly K[],
): z.ZodObject<Omit<Shape, K> & { [P in K]: Kept<Shape[P]> }> {
  const shape: Record<string, z.core.$ZodType> = {}
  for (const k of secrets) shape[k] = kept(schema.shape[k]!)
  // zod cannot follow a computed shape through extend(); the signature above says what it builds.
  return schema.extend(shape) as unknown as z.ZodObject<Omit<Shape, K> & { [P in K]: Kept<Shape[P]> }>
}

/** A channel's update schema: its profile schema with each of its secret fields made keepable. */
type UpdateSchemaOf<C extends Channel> =
  (typeof CHANNEL_INFO)[C]['profileSchema'] extends z.ZodObject<infer Shape>
    ? z.ZodObject<
        Omit<Shape, SecretOf<C>> & { [P in SecretOf<C>]: Kept<Shape[P & keyof Shape] & z.core.$ZodType> }
      >
    : never
type SecretOf<C extends Channel> = (typeof CHANNEL_INFO)[C]['secretFields'][number]

/** One channel's update schema, from its registry entry. */
function updateSchemaOf<C extends Channel>(channel: C): UpdateSchemaOf<C> {
  const info: ChannelInfo = CHANNEL_INFO[channel]
  // The compiler cannot follow the entry that `channel` picks through withSecretsKept's generics;
  // UpdateSchemaOf says, channel by channel, what it builds.
  return withSecretsKept(info.profileSchema, info.secretFields) as unknown as UpdateSchemaOf<C>
}

// Made from the registry, so a new channel needs nothing here.
const UPDATE_SCHEMAS = Object.fromEntries(CHANNELS.map((c) => [c, updateSchemaOf(c)])) as unknown as {
  readonly [C in Channel]: UpdateSchemaOf<C>
}
type UpdateSchema = (typeof UPDATE_SCHEMAS)[Channel]

/** What `merchants.update` takes: a whole profile, except that a secret not typed again is kept. */
export const profileUpdateSchema = z.discriminatedUnion(
  'channel',
  CHANNELS.map((c): UpdateSchema => UPDATE_SCHEMAS[c]) as [UpdateSchema, ...UpdateSchema[]],
)
/** A profile as a caller writes it (before defaults and trimming): what the form sends. */
export type ProfileInput = z.input<typeof profileSchema>
export type ProfileUpdateInput = z.input<typeof profileUpdateSchema>

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
    raw[k] =
      k === 'platformPublicKeys' ? JSON.parse(v) : k === 'qps' || k === 'amountToleranceFen' ? Number(v) : v
  }
  return profileSchema.parse(raw)
}
