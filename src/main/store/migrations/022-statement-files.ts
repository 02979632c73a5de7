import type { Db } from '../db'

// A statement's bill kept in the books themselves (docs/team-mode.md B8.21): its bytes as the gateway
// sent them or the person uploaded them, one row per statement, the bill of its latest run. A team
// database fills it, so that no desktop's folder holds the only copy: another desktop downloads the
// original or runs the day again from it. The desktop's file keeps its bills in its data folder as
// before (docs/reconcile.md A4), so on SQLite the table stays empty, unless the file is an archive
// copied out of a team database (`paysync db copy`), whose bills come with it. The number and the
// table are on both sides so that the two lists stay one (B8.1).

export function statementFiles(db: Db): void {
  db.exec(`
    CREATE TABLE statement_files (
      statement_id INTEGER PRIMARY KEY REFERENCES statements(id),
      name TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      size INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      created_at INTEGER NOT NULL
    );
  `)
}
