import { stmt, type Db } from '../connection'
import type { Exec } from './exec'

const execs = new WeakMap<Db, Exec>()
const dbs = new WeakMap<Exec, Db>()

/** The Exec of an SQLite connection: its cached prepared statements, answered synchronously. */
export function sqliteExec(db: Db): Exec {
  let x = execs.get(db)
  if (!x) {
    const allSync = <R>(sql: string, params: readonly unknown[]) => stmt<unknown[], R>(db, sql).all(...params)
    const runSync = (sql: string, params: readonly unknown[]) => stmt(db, sql).run(...params).changes
    x = {
      dialect: 'sqlite',
      allSync,
      all: (sql, params) => Promise.resolve(allSync(sql, params)),
      runSync,
      run: (sql, params) => Promise.resolve(runSync(sql, params)),
      send: (sql, params) => Promise.resolve(void runSync(sql, params)),
    }
    execs.set(db, x)
    dbs.set(x, db)
  }
  return x
}

/**
 * The connection behind an SQLite Exec: for the few hot queries that use better-sqlite3's own means
 * (a page of lines read as arrays, engine/reconcile/match-page.ts).
 */
export function sqliteDbOf(x: Exec): Db {
  const db = dbs.get(x)
  if (!db) throw new Error('not an SQLite Exec')
  return db
}
