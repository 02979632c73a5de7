import type { ClientBase } from 'pg'

/**
 * One numbered migration in its PostgreSQL form, run on the migrating connection inside the
 * transaction that also records it in schema_migrations (store/pg/migrate.ts).
 */
export type PgStep = (c: ClientBase) => Promise<void>

/** A step that is one script of DDL. */
export const ddl =
  (sql: string): PgStep =>
  async (c) => {
    await c.query(sql)
  }

/**
 * A step whose SQLite form only moved the rows of older versions, or built what a later step removed:
 * every PostgreSQL database was made empty by this build's list (see index.ts), so it has nothing to do.
 */
export const nothingOnPostgres: PgStep = async () => {}
