import { CHANNEL_INFO, type ProfileField } from './channels'
import type { Channel } from './domain'

// A merchant profile's trust anchors (docs/domain.md section 2): where its requests go (the
// endpoint's origin), whom they are for (the app and merchant ids of the channel registry) and whom
// its answers must come from (the gateway's public keys). The sealed secrets are bound to them: a
// change of any anchor needs every secret typed again, so that a signing key or a token never
// follows a profile to another host or trusts another key. Main seals a digest of them with the
// secrets (store/anchors.ts); the merchant form asks for the secrets again before saving.

/** A field whose change re-binds a profile's secrets. */
export type AnchorField = ProfileField

/** The anchor fields of a channel, in the order its sentences name them. */
export function anchorFields(channel: Channel): AnchorField[] {
  const info = CHANNEL_INFO[channel]
  return ['endpoint', ...info.idKeys, ...info.gatewayKeyFields] as AnchorField[]
}

/** The endpoint as far as it decides where requests go: scheme, host and port. */
function origin(endpoint: string): string {
  try {
    return new URL(endpoint.trim()).origin
  } catch {
    return endpoint.trim()
  }
}

/** A key as compared: its text without white space, so a PEM wrapped anew is the same key. */
const keyText = (v: string) => v.replace(/\s+/g, '')

/** WeChat Pay's platform keys, by serial: a JSON text (stored) or the map itself (the form's). */
function keyMap(v: unknown): string {
  let map: unknown = v
  if (typeof v === 'string') {
    try {
      map = JSON.parse(v)
    } catch {
      return keyText(v)
    }
  }
  if (typeof map !== 'object' || map === null) return ''
  const entries = Object.entries(map as Record<string, unknown>)
    .map(([serial, pem]) => [serial.trim(), keyText(String(pem))] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return entries.length ? JSON.stringify(entries) : ''
}

/**
 * A profile's anchors, each as it is compared: the endpoint's origin, the ids as written (trimmed),
 * the keys without white space. `settings` are the public settings as stored (text) or as the form
 * holds them; a field left out counts as empty.
 */
export function trustAnchors(
  channel: Channel,
  endpoint: string,
  settings: Readonly<Record<string, unknown>>,
): Array<[field: AnchorField, value: string]> {
  const keys = CHANNEL_INFO[channel].gatewayKeyFields as readonly string[]
  return anchorFields(channel).map((field) => {
    if (field === 'endpoint') return [field, origin(endpoint)]
    const v = settings[field]
    if (v === undefined || v === null) return [field, '']
    if (field === 'platformPublicKeys') return [field, keyMap(v)]
    const text = typeof v === 'string' ? v : String(v as string | number)
    return [field, keys.includes(field) ? keyText(text) : text.trim()]
  })
}

interface ProfileSide {
  endpoint: string
  settings: Readonly<Record<string, unknown>>
}

/** The anchors that differ between two states of one channel's profile, in the order of anchorFields. */
export function changedAnchors(channel: Channel, before: ProfileSide, after: ProfileSide): AnchorField[] {
  const old = new Map(trustAnchors(channel, before.endpoint, before.settings))
  return trustAnchors(channel, after.endpoint, after.settings)
    .filter(([field, value]) => old.get(field) !== value)
    .map(([field]) => field)
}
