import type pg from 'pg'
import type { Exec } from '../sql/exec'
import { pgExec } from '../sql/pg-exec'

// One PostgreSQL transaction for a unit of the engine written once over Exec (docs/team-mode.md
// B3.1): what SQLite's immediate transaction is on the desktop's file. READ COMMITTED, as the
// engine's compare-and-set updates need no more: each checks its row's version in its WHERE.

export async function inPgTransaction<T>(pool: pg.Pool, fn: (x: Exec) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  // A connection lost while checked out emits 'error', which nobody hears until the next statement
  // fails with it: unheard, the event would end the process (a network cut is a storage fault).
  client.on('error', ignoreLost)
  try {
    await client.query('BEGIN')
    const answer = await fn(pgExec(client))
    await client.query('COMMIT')
    return answer
  } catch (err) {
    await client.query('ROLLBACK').catch((e: unknown) => {
      // A connection that cannot even roll back is not given back to the pool.
      broken = e instanceof Error ? e : new Error(String(e))
    })
    throw err
  } finally {
    client.off('error', ignoreLost)
    client.release(broken)
  }
}

/** See inPgTransaction: the statement that meets the lost connection says so. */
export function ignoreLost(): void {}
