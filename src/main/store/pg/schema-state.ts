import type { ClientBase } from 'pg'
import { AppError } from '../../../shared/errors'
import { SCHEMA_VERSION } from '../migrate'
import type { PgTarget } from './connect'

// What a PostgreSQL database holds, as far as PaySync is concerned: its schema version (the highest
// step recorded in schema_migrations, 0 for none) and any tables of its own, which tell an empty
// database from another program's. The migrator and the connection check read it alike.

export interface SchemaState {
  version: number
  /** Tables in the schema the connection works in (its search_path's first), schema_migrations aside. */
  tables: string[]
}

export async function readSchemaState(c: ClientBase): Promise<SchemaState> {
  const tables = (
    await c.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )
  ).rows.map((r) => r.name)
  const own = tables.filter((t) => t !== 'schema_migrations')
  if (own.length === tables.length) return { version: 0, tables: own }
  const v = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
  return { version: v.rows[0]?.v ?? 0, tables: own }
}

/** Why PaySync may not use the database, as one sentence of the catalog; null when it may. */
export function schemaRefusal(state: SchemaState, target: PgTarget): AppError | null {
  const where = { database: target.database, host: target.host, port: target.port }
  if (state.version > SCHEMA_VERSION)
    return AppError.say('store', 'teamDb.newerSchema', {
      ...where,
      found: state.version,
      known: SCHEMA_VERSION,
    })
  if (state.version === 0 && state.tables.length > 0) {
    const shown = state.tables.slice(0, 3).join(', ') + (state.tables.length > 3 ? ', …' : '')
    return AppError.say('store', 'teamDb.foreign', { ...where, tables: shown })
  }
  return null
}
