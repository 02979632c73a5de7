import type { z } from 'zod'
import type { Channel } from '../../../shared/domain'
import {
  alipayProfileSchema,
  daxpayProfileSchema,
  SECRET_FIELDS,
  unionpayProfileSchema,
  wechatProfileSchema,
} from '../../../shared/profiles'

// The merchant form's fields per channel, read from the profile schemas in shared/profiles.ts (so a
// field added there shows up here), with how each is edited.

export type FieldKind = 'text' | 'pem' | 'secret' | 'secretPem' | 'select' | 'number' | 'keys'
export interface FieldSpec {
  key: string
  kind: FieldKind
  required: boolean
  options?: Array<{ value: string; labelKey?: string; label?: string }>
}

const SCHEMAS: Record<Channel, z.ZodObject> = {
  alipay: alipayProfileSchema,
  wechat: wechatProfileSchema,
  daxpay: daxpayProfileSchema,
  unionpay: unionpayProfileSchema,
}

const PEM_FIELDS = new Set(['alipayPublicKey', 'unionpayPublicKey', 'appPrivateKey', 'privateKey'])
const SELECTS: Record<string, FieldSpec['options']> = {
  mode: [{ value: 'direct' }, { value: 'partner' }],
  region: [
    { value: 'domestic', labelKey: 'merchants.region.domestic' },
    { value: 'global', labelKey: 'merchants.region.global' },
  ],
  version: [
    { value: '3', label: 'DaxPay 3.x' },
    { value: '2', label: 'DaxPay 2.x' },
  ],
  signType: [
    { value: 'md5', label: 'MD5' },
    { value: 'hmac_sha256', label: 'HMAC-SHA256' },
  ],
}

export function isSecret(channel: Channel, key: string): boolean {
  return (SECRET_FIELDS[channel] as readonly string[]).includes(key)
}

export function schemaOf(channel: Channel): z.ZodObject {
  return SCHEMAS[channel]
}

export function fieldsOf(channel: Channel): FieldSpec[] {
  const shape = SCHEMAS[channel].shape as Record<string, z.ZodType>
  return Object.keys(shape)
    .filter((key) => key !== 'channel')
    .map((key) => {
      const required = !shape[key]!.safeParse(undefined).success
      const secret = isSecret(channel, key)
      let kind: FieldKind = 'text'
      if (key === 'platformPublicKeys') kind = 'keys'
      else if (key === 'qps') kind = 'number'
      else if (SELECTS[key]) kind = 'select'
      else if (secret) kind = PEM_FIELDS.has(key) ? 'secretPem' : 'secret'
      else if (PEM_FIELDS.has(key)) kind = 'pem'
      return { key, kind, required, options: SELECTS[key] }
    })
}
