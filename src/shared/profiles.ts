import { z } from 'zod'

// Merchant profiles as cli.md section 2 lists them: the file `merchant add --config` reads, the form
// the profile screen fills. Each channel names which of its fields are secrets: those are stored
// encrypted in main and never leave it again.

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/

/** Gateway endpoints must be https, except on loopback (the simulator). */
export const endpointSchema = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        const u = new URL(v)
        return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.test(u.hostname))
      } catch {
        return false
      }
    },
    { message: 'must be an https:// address (plain http only on loopback, for the simulator)' },
  )

const pem = (what: string) =>
  z
    .string()
    .trim()
    .min(64, `${what} is too short to be a key`)
    .refine(
      (v) => !/^-----BEGIN/.test(v) || /-----END [A-Z ]+-----$/.test(v),
      `${what} is a cut-off PEM block`,
    )

const name = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(64)
  .regex(/^[^\s/\\]+$/, 'name may not contain spaces or slashes')
const qps = z.number().positive().max(10_000).optional()

export const alipayProfileSchema = z.object({
  name,
  channel: z.literal('alipay'),
  endpoint: endpointSchema,
  appId: z
    .string()
    .trim()
    .regex(/^\d{8,32}$/, 'appId is the numeric application id (APPID)'),
  appPrivateKey: pem('appPrivateKey'),
  alipayPublicKey: pem('alipayPublicKey'),
  appAuthToken: z.string().trim().optional(),
  qps,
})

export const wechatProfileSchema = z.object({
  name,
  channel: z.literal('wechat'),
  mode: z.enum(['direct', 'partner']).default('direct'),
  endpoint: endpointSchema,
  mchid: z
    .string()
    .trim()
    .regex(/^\d{6,32}$/, 'mchid is the numeric merchant id (sp_mchid in partner mode)'),
  subMchid: z
    .string()
    .trim()
    .regex(/^\d{6,32}$/)
    .optional(),
  appId: z.string().trim().optional(),
  serialNo: z
    .string()
    .trim()
    .regex(/^[0-9A-Fa-f]{8,64}$/, 'serialNo is the merchant API certificate serial (hex)'),
  privateKey: pem('privateKey'),
  apiV3Key: z
    .string()
    .refine((v) => new TextEncoder().encode(v).length === 32, 'apiV3Key must be exactly 32 characters'),
  platformPublicKeys: z.record(z.string(), pem('platform public key')).default({}),
  payscoreServiceId: z.string().trim().optional(),
  region: z.enum(['domestic', 'global']).default('domestic'),
  qps,
})

export const daxpayProfileSchema = z.object({
  name,
  channel: z.literal('daxpay'),
  endpoint: endpointSchema,
  version: z
    .union([z.literal('2'), z.literal('3'), z.literal(2), z.literal(3)])
    .transform((v) => String(v) as '2' | '3'),
  mchNo: z.string().trim().optional(),
  appId: z.string().trim().optional(),
  signType: z.enum(['md5', 'hmac_sha256']),
  signSecret: z.string().min(1, 'signSecret is required'),
  qps,
})

export const unionpayProfileSchema = z.object({
  name,
  channel: z.literal('unionpay'),
  endpoint: endpointSchema,
  merId: z
    .string()
    .trim()
    .regex(/^\d{15}$/, 'merId is the 15-digit UnionPay merchant id'),
  certId: z.string().trim().min(1),
  privateKey: pem('privateKey'),
  unionpayPublicKey: pem('unionpayPublicKey'),
  qps,
})

export const profileSchema = z.discriminatedUnion('channel', [
  alipayProfileSchema,
  wechatProfileSchema,
  daxpayProfileSchema,
  unionpayProfileSchema,
])
export type MerchantProfile = z.infer<typeof profileSchema>
export type WechatProfile = z.infer<typeof wechatProfileSchema>
export type DaxpayProfile = z.infer<typeof daxpayProfileSchema>
export type UnionpayProfile = z.infer<typeof unionpayProfileSchema>

/**
 * The fields of each channel that are secrets. Alipay's app_auth_token lets a third-party app act for
 * the merchant, so it is a credential like the private key, though optional.
 */
export const SECRET_FIELDS = {
  alipay: ['appPrivateKey', 'appAuthToken'],
  wechat: ['privateKey', 'apiV3Key'],
  daxpay: ['signSecret'],
  unionpay: ['privateKey'],
} as const satisfies Record<MerchantProfile['channel'], readonly string[]>

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

/** What `merchants.update` takes: a whole profile, except that a secret not typed again is kept. */
export const profileUpdateSchema = z.discriminatedUnion('channel', [
  withSecretsKept(alipayProfileSchema, SECRET_FIELDS.alipay),
  withSecretsKept(wechatProfileSchema, SECRET_FIELDS.wechat),
  withSecretsKept(daxpayProfileSchema, SECRET_FIELDS.daxpay),
  withSecretsKept(unionpayProfileSchema, SECRET_FIELDS.unionpay),
])
/** A profile as a caller writes it (before defaults and trimming): what the form sends. */
export type ProfileInput = z.input<typeof profileSchema>
export type ProfileUpdateInput = z.input<typeof profileUpdateSchema>

export function isSecretField(channel: MerchantProfile['channel'], field: string): boolean {
  return (SECRET_FIELDS[channel] as readonly string[]).includes(field)
}

/**
 * Stored public settings as they may be shown. A profile saved before one of its fields became a
 * secret (appAuthToken) still holds it here in the clear until main moves it; no answer carries it.
 */
export function shownSettings(
  channel: MerchantProfile['channel'],
  settings: Record<string, string>,
): Record<string, string> {
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
