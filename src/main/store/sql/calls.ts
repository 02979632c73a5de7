import type gensync from 'gensync'
import type pg from 'pg'
import type { Db } from '../connection'
import { inPgTransaction } from '../pg/transaction'
import type { Exec } from './exec'
import { pgExec } from './pg-exec'
import { sqliteExec } from './sqlite-exec'

// A caller that works either store's books the same way (the batch runner, docs/team-mode.md B8.10)
// runs the store functions written once (sql/exec.ts) through this: on the desktop's file each runs
// synchronously when called, so what it writes is written before the caller goes on, exactly as a
// direct call; on a team database each is a round trip.

type StoreFn<A extends unknown[], R> = gensync.Gensync<[Exec, ...A], R>

export interface StoreCalls {
  /** Runs a store function: its effect is in the store once the promise settles (on the file, at once). */
  run<A extends unknown[], R>(fn: StoreFn<A, R>, ...args: A): Promise<R>
  /** The same in one transaction. */
  inTransaction<A extends unknown[], R>(fn: StoreFn<A, R>, ...args: A): Promise<R>
}

export function fileCalls(db: Db): StoreCalls {
  const x = sqliteExec(db)
  return {
    // The executor runs at once: the statement is done before `run` returns, a throw becomes a rejection.
    run: (fn, ...args) => new Promise((resolve) => resolve(fn.sync(x, ...args))),
    inTransaction: (fn, ...args) =>
      new Promise((resolve) => resolve(db.transaction(() => fn.sync(x, ...args)).immediate())),
  }
}

export function teamCalls(pool: pg.Pool): StoreCalls {
  const x = pgExec(pool)
  return {
    run: (fn, ...args) => fn.async(x, ...args),
    inTransaction: (fn, ...args) => inPgTransaction(pool, (tx) => fn.async(tx, ...args)),
  }
}
