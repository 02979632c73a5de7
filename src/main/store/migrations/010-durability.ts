import type { Db } from '../db'

// What keeps a gateway's side effect and a gateway's answer from being lost when the database fails a
// write (docs/domain.md section 6.8):
// - sync_intents: written, and synced to disk, before a call that changes something at the gateway
//   (a close, a payscore sync); the attempt's final write links it to its record. One left without a
//   record by a process that is gone is a side effect nobody knows the outcome of: it is shown to a
//   person and the trade is synced again.
// - journal_applied: the journal entries (attempts the database had refused) already written, so a
//   replay that meets one again, in this process or another, skips it.
// - batches.pause_reason: why a batch paused on its own (the disk is full, ...), for the window and
//   the command line.
export function durability(db: Db): void {
  db.exec(`
    CREATE TABLE sync_intents (
      id TEXT PRIMARY KEY,
      trade_type TEXT NOT NULL,
      trade_id INTEGER NOT NULL,
      action TEXT NOT NULL,
      holder TEXT NOT NULL,
      source TEXT NOT NULL,
      operator TEXT,
      batch_id INTEGER,
      created_at INTEGER NOT NULL,
      record_id INTEGER,
      settled_at INTEGER
    );
    CREATE INDEX idx_sync_intents_open ON sync_intents (created_at) WHERE record_id IS NULL;
    CREATE INDEX idx_sync_intents_trade ON sync_intents (trade_type, trade_id, created_at);

    CREATE TABLE journal_applied (
      id TEXT PRIMARY KEY,
      record_id INTEGER,
      applied_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    ALTER TABLE batches ADD COLUMN pause_reason TEXT;
  `)
}
