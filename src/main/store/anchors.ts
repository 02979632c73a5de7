import crypto from 'node:crypto'
import { trustAnchors } from '../../shared/anchors'
import type { Channel } from '../../shared/domain'

// The digest of a profile's trust anchors (shared/anchors.ts) that its sealed secrets carry. The
// label names the rule: anchors counted another way in a later version are a new label, and a
// migration that binds the profiles of the day again.

const LABEL = 'paysync-trust-anchors-1'

/** SHA-256 of the profile's anchors, hex: what its secrets are sealed for. */
export function anchorDigest(
  channel: Channel,
  endpoint: string,
  settings: Readonly<Record<string, unknown>>,
): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([LABEL, channel, trustAnchors(channel, endpoint, settings)]))
    .digest('hex')
}
