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

const PEM_HINT = '不是完整的密钥：请粘贴完整的 PEM（-----BEGIN … 到 -----END …）'

/**
 * What a Chinese screen says when a field fails the profile schema. The schema's own messages are
 * English (the command line reads them) and name fields by code; these name the fix, field by field.
 */
export const ZH_FIELD_HINTS: Readonly<Record<string, string>> = {
  name: '名称必填，不能含空格或斜杠，最多 64 个字符',
  endpoint: '须为 https:// 地址（http 仅限本机，用于模拟网关）',
  appId: 'APPID 是 8 到 32 位数字',
  mchid: '商户号是 6 到 32 位数字（服务商模式填服务商商户号）',
  subMchid: '子商户号是 6 到 32 位数字',
  serialNo: '商户 API 证书序列号：8 到 64 位十六进制',
  apiV3Key: 'APIv3 密钥必须正好 32 个字符',
  merId: '银联商户代码是 15 位数字',
  certId: '证书 ID 必填',
  signSecret: '签名密钥必填',
  appPrivateKey: PEM_HINT,
  alipayPublicKey: PEM_HINT,
  privateKey: PEM_HINT,
  unionpayPublicKey: PEM_HINT,
  platformPublicKeys: PEM_HINT,
  qps: 'QPS 须为大于 0 的数',
}
