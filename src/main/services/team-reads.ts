import type pg from 'pg'
import { pgErrorInWords as inWords } from '../store/pg/check'
import { connectPg, openPgPool, type PgTarget } from '../store/pg/connect'
import { migratePg } from '../store/pg/migrate'
import type { Exec, QueryHow } from '../store/sql/exec'
import { pgExec } from '../store/sql/pg-exec'
import { ignoreLost } from '../store/pg/transaction'
import type { Reads } from './reads'
import { teamDbTarget } from './team-db'

// The books of a team database, read (docs/team-mode.md B8.6): the lists and detail views of the
// command line on `--db postgres://…`. Opening brings the schema to this version first, under the
// migrators' lock, as every first use of a team database does (B8.1).

/** A few connections: a command reads a page at a time, the `--all` snapshot holds one of them. */
const POOL = 4

export class TeamReads implements Reads {
  readonly exec: Exec

  private constructor(
    /** The team database's pool: the engine's writes take their transactions from it (team-desk.ts). */
    readonly pool: pg.Pool,
    readonly target: PgTarget,
  ) {
    const base = pgExec(pool)
    this.exec = {
      ...base,
      all: <R>(sql: string, params: readonly unknown[], how?: QueryHow) =>
        base.all<R>(sql, params, how).catch((err: unknown) => {
          throw inWords(err, target)
        }),
    }
  }

  /** Connects, brings the schema up to date, and keeps a small pool; one sentence when it cannot. */
  static async open(address: string, poolSize = POOL): Promise<TeamReads> {
    const target = teamDbTarget(address)
    let client: pg.Client | null = null
    try {
      client = await connectPg(target)
      await migratePg(client, target)
    } catch (err) {
      throw inWords(err, target)
    } finally {
      await client?.end().catch(() => {})
    }
    return new TeamReads(openPgPool(target, poolSize), target)
  }

  /** One REPEATABLE READ transaction: every page of `--all` sees the books as they were at its start. */
  inOneReading<T>(fn: (r: Reads) => Promise<T>): Promise<T> {
    return this.inOneSnapshot((_client, r) => fn(r))
  }

  /**
   * The same transaction, with its connection too: an export declares its cursor on it
   * (services/team-export.ts), so its lookups and its rows are one snapshot.
   */
  async inOneSnapshot<T>(fn: (client: pg.PoolClient, r: Reads) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((err: unknown) => {
      throw inWords(err, this.target)
    })
    client.on('error', ignoreLost)
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const snapshot: Reads = { exec: pgExec(client), inOneReading: (g) => g(snapshot) }
      const answer = await fn(client, snapshot)
      await client.query('COMMIT')
      return answer
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {})
      throw inWords(err, this.target)
    } finally {
      client.off('error', ignoreLost)
      client.release()
    }
  }

  close(): Promise<void> {
    return this.pool.end()
  }
}
