import { stmt, type Db } from '../connection'
import type { Exec } from './exec'

const execs = new WeakMap<Db, Exec>()

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
  }
  return x
}
