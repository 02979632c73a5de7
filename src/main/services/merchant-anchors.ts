import crypto from 'node:crypto'
import { changedAnchors, type AnchorField } from '../../shared/anchors'
import { CHANNEL_INFO } from '../../shared/channels'
import type { Channel } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { readPemPublicKey, readPublicKey } from '../gateways/key-fields'

// What a profile change does to its trust anchors (shared/anchors.ts): the refusal when secrets
// would follow an anchor they were not sealed for, and what the audit row says of the change. The
// audit names endpoints and ids (public) and the gateway keys by fingerprint only.

/** A profile's public side: what its anchors are read from. */
export interface ProfileState {
  endpoint: string
  settings: Readonly<Record<string, string>>
}

/**
 * The refusal of a change of `changed` that keeps stored `secrets`: one sentence naming the anchors
 * and the secrets to enter again, by their labels in either language (shared/messages.ts); the form
 * marks the secrets' fields from the same parameter.
 */
export function anchorsChanged(name: string, changed: AnchorField[], secrets: string[]): AppError {
  return AppError.say('invalid_input', 'merchant.anchorsChanged', {
    name,
    changedFields: changed.join(','),
    secretFields: secrets.join(','),
  })
}

/**
 * A public key's short fingerprint: SHA-256 of its SubjectPublicKeyInfo (what `openssl pkey -pubin
 * -outform DER | sha256sum` gives), the first 16 hex digits. Text no reader takes is hashed as
 * written, without white space, so a change still shows.
 */
export function keyFingerprint(text: string): string {
  let der: Buffer
  try {
    const key = text.includes('BEGIN CERTIFICATE') ? readPemPublicKey(text) : readPublicKey(text)
    der = key.export({ type: 'spki', format: 'der' })
  } catch {
    der = Buffer.from(text.replace(/\s+/g, ''), 'utf8')
  }
  return `sha256:${crypto.createHash('sha256').update(der).digest('hex').slice(0, 16)}`
}

type Fingerprints = string | Record<string, string> | null

/** The fingerprints of one gateway-key field: WeChat Pay's by serial, the others one key. */
function fingerprints(field: string, value: string | undefined): Fingerprints {
  if (!value) return null
  if (field !== 'platformPublicKeys') return keyFingerprint(value)
  try {
    const map = JSON.parse(value) as Record<string, string>
    return Object.fromEntries(Object.entries(map).map(([serial, pem]) => [serial, keyFingerprint(pem)]))
  } catch {
    return keyFingerprint(value)
  }
}

/** The public-key fingerprints of a profile, by field: the audit of an added profile. */
export function keyFingerprints(channel: Channel, settings: Readonly<Record<string, string>>) {
  const fields = CHANNEL_INFO[channel].gatewayKeyFields as readonly string[]
  return Object.fromEntries(fields.map((f) => [f, fingerprints(f, settings[f])]))
}

/**
 * What a profile change's audit row says of its anchors: the old and new endpoint, the ids that
 * changed, and the old and new fingerprint of every gateway key.
 */
export function anchorAudit(channel: Channel, before: ProfileState, after: ProfileState) {
  const ids = new Set<string>(CHANNEL_INFO[channel].idKeys)
  const changedIds = changedAnchors(channel, before, after).filter((f) => ids.has(f))
  const fields = CHANNEL_INFO[channel].gatewayKeyFields as readonly string[]
  return {
    endpoint: { from: before.endpoint, to: after.endpoint },
    ...(changedIds.length
      ? {
          ids: Object.fromEntries(
            changedIds.map((f) => [f, { from: before.settings[f] ?? null, to: after.settings[f] ?? null }]),
          ),
        }
      : {}),
    publicKeys: Object.fromEntries(
      fields.map((f) => [
        f,
        { from: fingerprints(f, before.settings[f]), to: fingerprints(f, after.settings[f]) },
      ]),
    ),
  }
}
