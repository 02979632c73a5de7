import type pg from 'pg'
import type { Exec } from '../sql/exec'
import { pgExec, Unanswered } from '../sql/pg-exec'

// One PostgreSQL transaction for a unit of the engine written once over Exec (docs/team-mode.md
// B3.1): what SQLite's immediate transaction is on the desktop's file. READ COMMITTED, as the
// engine's compare-and-set updates need no more: each checks its row's version in its WHERE.
//
// On a pipelined connection (the team database's pool, store/pg/connect.ts) BEGIN, the writes whose
// answers nothing waits for (Exec.send) and COMMIT go out behind one another without waiting, and
// the server runs them in that order: a sync's final write is two or three round trips instead of ten
// (docs/team-mode.md B8.10). A statement that fails aborts the transaction, so the COMMIT sent behind
// it rolls back, and its own error is the one thrown.

export async function inPgTransaction<T>(pool: pg.Pool, fn: (x: Exec) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  // A connection lost while checked out emits 'error', which nobody hears until the next statement
  // fails with it: unheard, the event would end the process (a network cut is a storage fault).
  client.on('error', ignoreLost)
  const unanswered = client.pipeline ? new Unanswered() : undefined
  try {
    if (unanswered) unanswered.add(client.query('BEGIN'))
    else await client.query('BEGIN')
    const answer = await fn(pgExec(client, unanswered))
    const commit = client.query('COMMIT')
    if (unanswered) {
      // Heard below, once the statements sent before it are.
      commit.catch(() => undefined)
      await unanswered.settle()
    }
    // A statement whose failure was caught inside fn leaves the transaction aborted, and PostgreSQL
    // answers that COMMIT with ROLLBACK, not an error: nothing was written, and the caller must know.
    if ((await commit).command === 'ROLLBACK')
      throw new Error('the team database rolled the transaction back: a statement in it had failed')
    return answer
  } catch (err) {
    await client.query('ROLLBACK').catch((e: unknown) => {
      // A connection that cannot even roll back is not given back to the pool.
      broken = e instanceof Error ? e : new Error(String(e))
    })
    // Whatever was sent before the fault is answered by now (the ROLLBACK was behind it).
    await unanswered?.settle().catch(ignoreLost)
    throw err
  } finally {
    client.off('error', ignoreLost)
    client.release(broken)
  }
}

/** See inPgTransaction: the statement that meets the lost connection says so. */
export function ignoreLost(): void {}
