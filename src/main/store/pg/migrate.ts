import type { ClientBase } from 'pg'
import { SCHEMA_VERSION } from '../migrate'
import type { PgTarget } from './connect'
import { ADVISORY_NAMESPACE, MIGRATE_LOCK } from './locks'
import { PG_MIGRATIONS } from './migrations'
import { readSchemaState, schemaRefusal } from './schema-state'

// The numbered migrations on PostgreSQL (docs/team-mode.md B8.1). Several desktops may open a
// team database at once: the whole run holds a session advisory lock, so one migrates and the others
// wait, then find the schema current. Each step commits with its schema_migrations row, so a run cut
// short leaves the database at the last whole step. A newer schema and another program's tables are
// refused before anything is written.

export interface MigrationRun {
  from: number
  to: number
}

export async function migratePg(c: ClientBase, target: PgTarget): Promise<MigrationRun> {
  if (PG_MIGRATIONS.length !== SCHEMA_VERSION)
    throw new Error(
      `migration ${PG_MIGRATIONS.length + 1} has no PostgreSQL form (store/pg/migrations/index.ts)`,
    )
  await c.query('SELECT pg_advisory_lock($1, $2)', [ADVISORY_NAMESPACE, MIGRATE_LOCK])
  try {
    const state = await readSchemaState(c)
    const refusal = schemaRefusal(state, target)
    if (refusal) throw refusal
    for (let v = state.version; v < SCHEMA_VERSION; v++) {
      await c.query('BEGIN')
      try {
        await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`)
        await PG_MIGRATIONS[v]!(c)
        await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1])
        await c.query('COMMIT')
      } catch (err) {
        // A dropped connection has no transaction left to roll back; the error that dropped it is told.
        await c.query('ROLLBACK').catch(() => {})
        throw err
      }
    }
    return { from: state.version, to: Math.max(state.version, SCHEMA_VERSION) }
  } finally {
    // A session that is gone has released its lock with it.
    await c.query('SELECT pg_advisory_unlock($1, $2)', [ADVISORY_NAMESPACE, MIGRATE_LOCK]).catch(() => {})
  }
}
