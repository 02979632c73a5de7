import type { Db } from '../db'

// The Alipay app auth token became a secret (sealed with the others, never shown). Live profiles move
// theirs into the sealed secrets when main next opens them with the key; a profile removed before that
// never will, so its clear copy goes now: this needs no key, and a removed profile signs nothing.
export function forgetRemovedTokens(db: Db): void {
  db.exec(
    `UPDATE merchants SET settings = json_remove(settings, '$.appAuthToken')
      WHERE removed_at IS NOT NULL AND json_valid(settings) AND json_type(settings, '$.appAuthToken') IS NOT NULL`,
  )
}
