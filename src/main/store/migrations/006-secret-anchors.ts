import type { Channel } from '../../../shared/domain'
import { anchorDigest } from '../anchors'
import type { Db } from '../db'

// Sealed secrets are bound to their profile's trust anchors (shared/anchors.ts): a secret sealed for
// one endpoint, merchant id and gateway key is never used with others. A blob sealed before carries no
// anchors, and sealing it again needs the data key, which a migration does not have: so each profile
// is bound beside its blob to the anchors it has today. Main seals the anchors into the blob itself
// the first time it opens it (store/merchants.ts, openMerchantSecrets).
export function secretAnchors(db: Db): void {
  db.exec('ALTER TABLE merchants ADD COLUMN secrets_anchor TEXT')
  const rows = db
    .prepare('SELECT id, channel, endpoint, settings FROM merchants WHERE secrets IS NOT NULL')
    .all() as Array<{ id: number; channel: Channel; endpoint: string; settings: string }>
  const bind = db.prepare('UPDATE merchants SET secrets_anchor = ? WHERE id = ?')
  for (const r of rows) {
    let settings: Record<string, unknown> = {}
    try {
      settings = JSON.parse(r.settings) as Record<string, unknown>
    } catch {
      // Unreadable settings: bound to none, so the secrets are asked for again.
    }
    bind.run(anchorDigest(r.channel, r.endpoint, settings), r.id)
  }
}
