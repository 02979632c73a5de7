import { z } from 'zod'

// Each channel's merchant profile as docs/cli.md section 2 lists it: the file `merchant add --config`
// reads, the form the profile screen fills. The channel registry (./channels.ts) names which fields
// are secrets, keys and ids; ./profiles.ts joins the channels into one profile.

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
/**
 * Reconciliation (docs/reconcile.md A6): the order-number prefixes of this system's orders when one
 * account serves several systems (`PS,XY`; empty or `all`: every line is ours), and the fen by which
 * amounts may differ for a channel that rounds (default 0).
 */
const statementScope = z
  .string()
  .trim()
  .max(500)
  .regex(/^[A-Za-z0-9_,\s-]*$/, 'statementScope is a comma-separated list of order-number prefixes')
  .optional()
const amountToleranceFen = z.number().int().min(0).max(100).optional()
/**
 * The channel's fee rate as its bills print it (`0.60%`): a percentage of at most 100 with up to four
 * decimals, or empty for none. When set, lines whose fee is more than a fen off the rate are reported
 * (docs/reconcile.md A7 `fee_deviation`); without one, fees are shown and exported, not checked.
 */
const feeRate = z
  .string()
  .trim()
  .regex(
    /^(?:(?:100(?:\.0{1,4})?|\d{1,2}(?:\.\d{1,4})?)%)?$/,
    'feeRate is a percentage with up to 4 decimals, e.g. 0.60%',
  )
  .optional()

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
  statementScope,
  amountToleranceFen,
  feeRate,
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
  statementScope,
  amountToleranceFen,
  feeRate,
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
  statementScope,
  amountToleranceFen,
  feeRate,
})
