import type { Db } from '../db'
import type { Row } from './canonical'
import type { TablePlan } from './plan'
import type { CopySide } from './side'

// The SQLite end of a copy, on a connection opened (and migrated) by store/connection.ts.

const keyAfter = (t: TablePlan) => `(${t.key.join(', ')}) > (${t.key.map(() => '?').join(', ')})`

export function sqliteSide(db: Db, file: string): CopySide {
  let triggers: Array<{ name: string; sql: string }> = []
  return {
    label: file,
    beginRead: async () => {
      // A deferred transaction's snapshot starts at its first read: read one now.
      db.exec('BEGIN')
      db.prepare('SELECT count(*) FROM sqlite_master').get()
    },
    beginWrite: async () => {
      db.exec('BEGIN IMMEDIATE')
    },
    commit: async () => {
      db.exec('COMMIT')
    },
    rollback: async () => {
      if (db.inTransaction) db.exec('ROLLBACK')
    },
    count: async (t) => (db.prepare(`SELECT count(*) AS n FROM ${t.name}`).get() as { n: number }).n,
    page: async (t, after, limit) => {
      const where = after ? `WHERE ${keyAfter(t)}` : ''
      return db
        .prepare(
          `SELECT ${t.columns.join(', ')} FROM ${t.name} ${where} ORDER BY ${t.key.join(', ')} LIMIT ?`,
        )
        .raw()
        .all(...(after ?? []), limit) as Row[]
    },
    insert: async (t, rows) => {
      const s = db.prepare(
        `INSERT INTO ${t.name} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`,
      )
      for (const row of rows) s.run(...row)
    },
    suspendTriggers: async () => {
      // SQLite cannot switch a trigger off: they go for the copy's transaction and come back in it.
      triggers = db
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        .all() as typeof triggers
      for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`)
    },
    resumeTriggers: async () => {
      for (const t of triggers) db.exec(t.sql)
      triggers = []
    },
    // An SQLite id is one more than the highest there is.
    afterTable: async () => {},
    close: async () => {
      db.close()
    },
  }
}

/** One row of a table by its key, columns in plan order, as a copy reads them. */
export function rowByKey(db: Db, t: TablePlan, key: Row): Row | undefined {
  const where = t.key.map((k) => `${k} = ?`).join(' AND ')
  return db
    .prepare(`SELECT ${t.columns.join(', ')} FROM ${t.name} WHERE ${where}`)
    .raw()
    .get(...key) as Row | undefined
}
