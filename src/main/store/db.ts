import type Database from 'better-sqlite3'

// The connection's type and the store's one error, apart from connection.ts: opening a database runs
// the migrations (migrate.ts, migrations/), and they need both without importing what opens them.
// connection.ts passes both on, so the rest of main keeps importing them from there.

export type Db = Database.Database

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'newer_schema' | 'corrupt' | 'unreadable',
  ) {
    super(message)
    this.name = 'StoreError'
  }
}
