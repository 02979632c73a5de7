import { StoreError, type Db } from './db'
import { MIGRATIONS } from './migrations'

/** Schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length

/**
 * Applies the numbered migrations after PRAGMA user_version, each in its own transaction, so a crash
 * mid-way leaves the database at the last complete version.
 */
export function checkNotNewer(db: Db, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      `the database ${file} was written by a newer PaySync Desk (schema ${current}, this version knows ` +
        `${SCHEMA_VERSION}); update PaySync Desk to open it`,
      'newer_schema',
    )
  }
}

export function migrate(db: Db, file: string): void {
  checkNotNewer(db, file)
  // The version and the tables are read in one snapshot: another process migrating the same new file
  // between the two reads would otherwise show its first tables beside a version of 0, as if they
  // were another program's.
  const { current, tables } = db.transaction(() => ({
    current: db.pragma('user_version', { simple: true }) as number,
    tables: (
      db
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .get() as { n: number }
    ).n,
  }))()
  if (current === 0) {
    // An empty schema with tables of someone else's is not ours to migrate.
    if (tables > 0) {
      throw new StoreError(
        `${file} is an SQLite database of another program (it has tables but no PaySync Desk schema); ` +
          'it was left untouched: choose another file with --db',
        'corrupt',
      )
    }
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v]!
    db.transaction(() => {
      // Another process opening the same new file may have taken this step since we looked.
      if ((db.pragma('user_version', { simple: true }) as number) !== v) return
      step(db)
      db.pragma(`user_version = ${v + 1}`)
    }).immediate()
  }
}
