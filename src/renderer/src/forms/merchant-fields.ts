import type { z } from 'zod'
import { CHANNEL_INFO } from '../../../shared/channels'
import { CHANNELS, type Channel } from '../../../shared/domain'
import { isSecretField } from '../../../shared/profiles'
import type { MessageKey } from '../i18n'
import { zh } from '../i18n/zh'

// The merchant form's fields per channel, read from the profile schemas of the channel registry
// (shared/channels.ts, so a field added there shows up here), with how each is edited.

export type FieldKind = 'text' | 'pem' | 'secret' | 'secretPem' | 'select' | 'number' | 'keys'
export interface FieldSpec {
  key: string
  kind: FieldKind
  required: boolean
  options?: Array<{ value: string; labelKey?: string; label?: string }>
}

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
  return isSecretField(channel, key)
}

function isPem(channel: Channel, key: string): boolean {
  return (CHANNEL_INFO[channel].pemFields as readonly string[]).includes(key)
}

export function schemaOf(channel: Channel): z.ZodObject {
  return CHANNEL_INFO[channel].profileSchema
}

export function fieldsOf(channel: Channel): FieldSpec[] {
  const shape = schemaOf(channel).shape as Record<string, z.ZodType>
  return Object.keys(shape)
    .filter((key) => key !== 'channel')
    .map((key) => {
      const required = !shape[key]!.safeParse(undefined).success
      const secret = isSecret(channel, key)
      let kind: FieldKind = 'text'
      if (key === 'platformPublicKeys') kind = 'keys'
      else if (key === 'qps' || key === 'amountToleranceFen') kind = 'number'
      else if (SELECTS[key]) kind = 'select'
      else if (secret) kind = isPem(channel, key) ? 'secretPem' : 'secret'
      else if (isPem(channel, key)) kind = 'pem'
      return { key, kind, required, options: SELECTS[key] }
    })
}

/** The dictionary's hint for a field the profile schema refuses; every key field shares one. */
function hintKey(channel: Channel, key: string): MessageKey | null {
  const hint =
    isPem(channel, key) || key === 'platformPublicKeys' ? 'merchants.hint.pem' : `merchants.hint.${key}`
  return hint in zh ? (hint as MessageKey) : null
}

/**
 * What a Chinese screen says when a field fails the profile schema. The schema's own messages are
 * English (the command line reads them) and name fields by code; these name the fix, field by field.
 */
export const ZH_FIELD_HINTS: Readonly<Record<string, string>> = Object.fromEntries(
  CHANNELS.flatMap((channel) =>
    fieldsOf(channel).flatMap(({ key }) => {
      const hint = hintKey(channel, key)
      return hint ? [[key, zh[hint]]] : []
    }),
  ),
)
