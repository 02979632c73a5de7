import type { z } from 'zod'
import { CHANNEL_LABELS, type COMMON_FIELD_LABELS } from './channel-labels'
import type { Channel } from './domain'
import {
  alipayProfileSchema,
  daxpayProfileSchema,
  unionpayProfileSchema,
  wechatProfileSchema,
} from './profile-schemas'

// The channel registry, the half every layer may read: what the window, the command line, the
// import and the store know of each channel. The main process's half (adapters, simulator, keys)
// is src/main/gateways/channels.ts. A channel added to CHANNELS in ./domain.ts is a compile error
// here until it has its entry (docs/adding-a-gateway.md).

/** The names of a profile's fields, `channel` aside. */
type FieldOf<S extends z.ZodObject> = Exclude<Extract<keyof S['shape'], string>, 'channel'>

type Pair = readonly [zh: string, en: string]

/** The fields every profile names alike (./channel-labels.ts). */
type CommonField = keyof typeof COMMON_FIELD_LABELS

/** What every layer knows of a channel. */
export interface ChannelInfo {
  /** What the screens, the CSV export and main's sentences call it and its fields (./channel-labels.ts). */
  labels: { name: Pair; fields: Readonly<Record<string, Pair>> }
  /** The merchant profile (docs/cli.md section 2). */
  profileSchema: z.ZodObject
  /** Fields that are secrets: stored sealed in main and never sent out again. */
  secretFields: readonly string[]
  /** Fields that hold a PEM key: edited as a block of lines, trimmed. */
  pemFields: readonly string[]
  /** The public ids a profile is known by (APPID, merchant number...), most telling first. */
  idKeys: readonly string[]
  /**
   * Fields that hold the gateway's own public keys, which its answers are verified with. With the
   * endpoint and the ids they are the profile's trust anchors (./anchors.ts): the sealed secrets
   * are bound to them.
   */
  gatewayKeyFields: readonly string[]
  /**
   * Words an import file may write for the channel besides its code: Chinese and English names,
   * matched as written or in lower case (docs/cli.md section 3).
   */
  importAliases: readonly string[]
}

/**
 * An entry whose field lists name fields of its own profile schema. The secret fields keep their
 * literal names: what an update may leave out is typed from them.
 */
interface Entry<S extends z.ZodObject, Secret extends readonly FieldOf<S>[]> {
  /** Every field of the schema but the common ones has its label: one missing is a compile error here. */
  labels: { name: Pair; fields: { readonly [F in Exclude<FieldOf<S>, CommonField>]: Pair } }
  profileSchema: S
  secretFields: Secret
  pemFields: readonly FieldOf<S>[]
  idKeys: readonly FieldOf<S>[]
  gatewayKeyFields: readonly FieldOf<S>[]
  importAliases: readonly string[]
}

/** One entry, its field lists checked against its own profile schema. */
const entry = <S extends z.ZodObject, const Secret extends readonly FieldOf<S>[]>(
  info: Entry<S, Secret>,
): Entry<S, Secret> => info

const ENTRIES = {
  alipay: entry({
    labels: CHANNEL_LABELS.alipay,
    profileSchema: alipayProfileSchema,
    // app_auth_token lets a third-party app act for the merchant: a credential like the private key,
    // though optional.
    secretFields: ['appPrivateKey', 'appAuthToken'],
    pemFields: ['appPrivateKey', 'alipayPublicKey'],
    idKeys: ['appId'],
    gatewayKeyFields: ['alipayPublicKey'],
    importAliases: ['ali_pay', '支付宝'],
  }),
  wechat: entry({
    labels: CHANNEL_LABELS.wechat,
    profileSchema: wechatProfileSchema,
    secretFields: ['privateKey', 'apiV3Key'],
    pemFields: ['privateKey'],
    // A partner's profile is one sub-merchant of its mchid: both tell which.
    idKeys: ['mchid', 'subMchid', 'appId'],
    gatewayKeyFields: ['platformPublicKeys'],
    importAliases: ['wechat_pay', 'wxpay', '微信', '微信支付'],
  }),
  daxpay: entry({
    labels: CHANNEL_LABELS.daxpay,
    profileSchema: daxpayProfileSchema,
    secretFields: ['signSecret'],
    pemFields: [],
    idKeys: ['mchNo', 'appId'],
    // Answers are signed with the shared sign secret, itself sealed: no public key to pin.
    gatewayKeyFields: [],
    importAliases: [],
  }),
  unionpay: entry({
    labels: CHANNEL_LABELS.unionpay,
    profileSchema: unionpayProfileSchema,
    secretFields: ['privateKey'],
    pemFields: ['privateKey', 'unionpayPublicKey'],
    idKeys: ['merId'],
    gatewayKeyFields: ['unionpayPublicKey'],
    importAliases: ['union_pay', '银联', '云闪付'],
  }),
} as const satisfies {
  // Each entry's schema is the profile of that very channel.
  [C in Channel]: ChannelInfo & { profileSchema: { shape: { channel: z.ZodLiteral<C> } } }
}

type Entries = typeof ENTRIES

/**
 * The registry as its readers see it: each channel's own entry. A channel without one is a compile
 * error above and here, and nowhere else, since every reader takes whatever entries there are.
 */
export const CHANNEL_INFO: { readonly [C in Channel]: C extends keyof Entries ? Entries[C] : never } = ENTRIES

/** Every field of every channel's profile, `channel` aside. */
export type ProfileField = {
  [C in keyof Entries]: FieldOf<Entries[C]['profileSchema']>
}[keyof Entries]

/** The ids a profile's public settings hold, in the order its channel names them. */
export function profileIds(
  channel: Channel,
  settings: Readonly<Record<string, string>>,
): Array<[key: ProfileField, value: string]> {
  const keys: readonly ProfileField[] = CHANNEL_INFO[channel].idKeys
  return keys.flatMap((k) => {
    const value = settings[k]
    return value ? [[k, value] as [ProfileField, string]] : []
  })
}
