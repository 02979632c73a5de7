import type { Db } from '../db'

// A person's decision sticks while the gateway's answer stays the same (docs/domain.md 6.6). The
// anomaly keeps what identifies that answer: the normalised gateway status (the amounts and the local
// side are its columns already). A changed answer opens a new anomaly that follows the decided one,
// so both answers can be shown; sightings of the decided answer are counted on it.
//
// Anomalies of earlier versions take the status of the record they were last seen with, so that a
// decision made before this upgrade sticks too.
export function decidedAnswers(db: Db): void {
  db.exec(`
    ALTER TABLE anomalies ADD COLUMN answer_status TEXT;
    ALTER TABLE anomalies ADD COLUMN follows_id INTEGER;
    ALTER TABLE anomalies ADD COLUMN seen_after_decision INTEGER NOT NULL DEFAULT 0;
    UPDATE anomalies SET answer_status =
      (SELECT r.gateway_status FROM sync_records r WHERE r.id = anomalies.sync_record_id)
      WHERE sync_record_id IS NOT NULL;
    -- A trade's latest anomaly of a kind, looked up by every sync that finds one.
    CREATE INDEX idx_anomalies_trade ON anomalies (trade_type, trade_id, kind, id);
    CREATE INDEX idx_anomalies_follows ON anomalies (follows_id) WHERE follows_id IS NOT NULL;
  `)
}
