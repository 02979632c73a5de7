import type { Db } from '../db'

// The window follows merchant profiles another desktop changes (store/heads.ts, docs/team-mode.md
// B8.17): every write of a profile (added, changed, switched on or off, removed) moves its
// `updated_at`, so the latest change is the highest, read by one seek in this index. The health a
// connection test or a sync keeps does not move it, so the syncs of a batch never wake the screens.

export function merchantHeads(db: Db): void {
  db.exec('CREATE INDEX idx_merchants_updated ON merchants (updated_at);')
}
