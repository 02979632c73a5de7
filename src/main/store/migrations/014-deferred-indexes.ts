import type { Db } from '../db'

// A large first import into an empty list builds that list's secondary indexes once, after its rows,
// rather than row by row (store/deferred-indexes.ts). While it runs, the indexes it dropped are listed
// here with the process that dropped them, in the same transaction: a process that dies mid-import
// leaves the list, and the next connection to open the database for writing builds them again.
export function deferredIndexes(db: Db): void {
  db.exec(`
    CREATE TABLE deferred_indexes (
      name TEXT PRIMARY KEY,
      table_name TEXT NOT NULL,
      sql TEXT NOT NULL,
      owner_pid INTEGER NOT NULL
    ) WITHOUT ROWID;
  `)
}
