import type { Db } from '../db'

// Team mode lets several desktops work one batch together (docs/team-mode.md B8.5): each claims a
// few of its pending items at a time, and a claim carries an expiry, so the items of a desktop that
// died are claimed again by another (store/coordination/). The runner of one desktop still claims
// the whole batch; these columns stay empty until the runner claims items.
//
// The next items to claim are a batch's pending ones, in id order, that nobody holds or whose claim
// has expired. The index holds only pending items (finished ones leave it, so a batch being worked
// keeps it small) and carries the expiry, so the items a live claim holds are stepped over inside the
// index without reading their rows.

export function batchItemClaims(db: Db): void {
  db.exec(`
    ALTER TABLE batch_items ADD COLUMN claimed_by TEXT;
    ALTER TABLE batch_items ADD COLUMN claim_expires_at INTEGER;
    CREATE INDEX idx_batch_items_claim ON batch_items (batch_id, id, claim_expires_at) WHERE state = 'pending';
  `)
}
