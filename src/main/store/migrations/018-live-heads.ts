import type { Db } from '../db'

// The window follows what other processes change in the books (store/heads.ts, docs/team-mode.md
// B8.5): each time another connection commits, a few figures are read again, each one seek in an
// index. A statement is rewritten in place by every run (its status, result and figures), so the
// latest change is the highest `updated_at`; the batches not yet over are few, and the partial index
// holds only them, so finished ones (nearly all) never enter it.

export function liveHeads(db: Db): void {
  db.exec(`
    CREATE INDEX idx_statements_updated ON statements (updated_at);
    CREATE INDEX idx_batches_open ON batches (status, heartbeat_at, owner)
      WHERE status IN ('pending', 'running', 'paused', 'interrupted');
  `)
}
