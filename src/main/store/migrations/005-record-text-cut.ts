import type { Db } from '../db'

// A sync record keeps at most the beginning of a gateway's text (docs/domain.md 6.1): an answer of
// hundreds of megabytes once wrote a record as large (issue 13, finding M4). What was cut off is
// still accounted for: the whole text's size in UTF-8 bytes and its SHA-256, null while the text is
// kept whole.
export function recordTextCut(db: Db): void {
  db.exec(`
    ALTER TABLE sync_record_bodies ADD COLUMN sync_info_bytes INTEGER;
    ALTER TABLE sync_record_bodies ADD COLUMN sync_info_sha256 TEXT;
    ALTER TABLE sync_record_bodies ADD COLUMN action_info_bytes INTEGER;
    ALTER TABLE sync_record_bodies ADD COLUMN action_info_sha256 TEXT;
  `)
}
