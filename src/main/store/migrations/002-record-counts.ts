import type { Db } from '../db'

// Counting a filter of a million sync records row by row takes hundreds of milliseconds when two
// filters meet (one index serves one of them; the other needs every row read). Sync records are
// written once and never change, so their counts can be kept as they are written: per Beijing day
// and per combination of the equality filters the screens offer, plus an all-time total.
// The list's total is then a sum over a few hundred small rows (records.ts, countSyncRecords).
const KEY = 'merchant_id, trade_type, channel, outcome, gateway_status, source, repaired'
const DAY = '(created_at + 28800000) / 86400000'
const DAY_NEW = '(NEW.created_at + 28800000) / 86400000'
const DAY_OLD = '(OLD.created_at + 28800000) / 86400000'
const VALUES_NEW =
  "NEW.merchant_id, NEW.trade_type, NEW.channel, NEW.outcome, ifnull(NEW.gateway_status, ''), NEW.source, NEW.repair_no IS NOT NULL"
const MATCH_OLD = `merchant_id = OLD.merchant_id AND trade_type = OLD.trade_type AND channel = OLD.channel
  AND outcome = OLD.outcome AND gateway_status = ifnull(OLD.gateway_status, '') AND source = OLD.source
  AND repaired = (OLD.repair_no IS NOT NULL)`

export function recordCounts(db: Db): void {
  db.exec(`
    CREATE TABLE sync_record_days (
      day INTEGER NOT NULL,
      merchant_id INTEGER NOT NULL,
      trade_type TEXT NOT NULL,
      channel TEXT NOT NULL,
      outcome TEXT NOT NULL,
      gateway_status TEXT NOT NULL,
      source TEXT NOT NULL,
      repaired INTEGER NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (day, ${KEY})
    ) WITHOUT ROWID;

    CREATE TABLE sync_record_totals (
      merchant_id INTEGER NOT NULL,
      trade_type TEXT NOT NULL,
      channel TEXT NOT NULL,
      outcome TEXT NOT NULL,
      gateway_status TEXT NOT NULL,
      source TEXT NOT NULL,
      repaired INTEGER NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (${KEY})
    ) WITHOUT ROWID;

    INSERT INTO sync_record_days
      SELECT ${DAY}, merchant_id, trade_type, channel, outcome, ifnull(gateway_status, ''), source,
             repair_no IS NOT NULL, count(*)
      FROM sync_records GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
    INSERT INTO sync_record_totals
      SELECT ${KEY}, sum(n) FROM sync_record_days GROUP BY ${KEY};

    CREATE TRIGGER sync_records_count_insert AFTER INSERT ON sync_records BEGIN
      INSERT INTO sync_record_days VALUES (${DAY_NEW}, ${VALUES_NEW}, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
      INSERT INTO sync_record_totals VALUES (${VALUES_NEW}, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    END;

    -- Records are never deleted or changed today; should that come (retention, a repair link set
    -- later), the counts follow.
    CREATE TRIGGER sync_records_count_delete AFTER DELETE ON sync_records BEGIN
      UPDATE sync_record_days SET n = n - 1 WHERE day = ${DAY_OLD} AND ${MATCH_OLD};
      UPDATE sync_record_totals SET n = n - 1 WHERE ${MATCH_OLD};
    END;
    CREATE TRIGGER sync_records_count_update
      AFTER UPDATE OF merchant_id, trade_type, channel, outcome, gateway_status, source, repair_no, created_at
      ON sync_records BEGIN
      UPDATE sync_record_days SET n = n - 1 WHERE day = ${DAY_OLD} AND ${MATCH_OLD};
      UPDATE sync_record_totals SET n = n - 1 WHERE ${MATCH_OLD};
      INSERT INTO sync_record_days VALUES (${DAY_NEW}, ${VALUES_NEW}, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
      INSERT INTO sync_record_totals VALUES (${VALUES_NEW}, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
    END;
  `)
}
