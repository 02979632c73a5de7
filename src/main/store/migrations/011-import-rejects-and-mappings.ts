import type { Db } from '../db'

// What an import keeps of the rows it refused, so that they can be exported to fix and import again
// after the preview is gone (issue 14 item 8): the header row of the run, and per refused row its
// cells (bounded, store/imports.ts) and its reason by catalog id, to be said in Chinese in the export.
// The counts a run reports beside inserted and rejected. And the column mappings saved by name, kept
// in the database rather than the browser's storage, which browser mode loses with each new port
// (issue 14 item 17).
export function importRejectsAndMappings(db: Db): void {
  db.exec(`
    ALTER TABLE import_runs ADD COLUMN headers TEXT;
    ALTER TABLE import_runs ADD COLUMN header_line INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE import_runs ADD COLUMN duplicates INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE import_runs ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE import_runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE import_errors ADD COLUMN cells TEXT;
    ALTER TABLE import_errors ADD COLUMN said TEXT;

    CREATE TABLE column_mappings (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      trade_type TEXT NOT NULL,
      mapping TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `)
}
