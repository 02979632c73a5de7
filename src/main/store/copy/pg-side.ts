import type pg from 'pg'
import type { Row } from './canonical'
import type { TablePlan } from './plan'
import type { CopySide } from './side'

// The PostgreSQL end of a copy, on a connection opened and migrated by store/pg. Rows go in as
// multi-row INSERTs with bound parameters; text keys are ordered byte by byte (COLLATE "C"), as
// SQLite orders them, so both ends hash their rows in the same order.

/** PostgreSQL takes at most 65535 parameters in one statement. */
const MAX_PARAMS = 30_000

const ordered = (t: TablePlan) => t.key.map((k, i) => (t.keyKinds[i] === 'text' ? `${k} COLLATE "C"` : k))

export function pgSide(client: pg.Client, label: string): CopySide {
  let suspended: string[] = []
  return {
    label,
    beginRead: async () => {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    },
    beginWrite: async () => {
      await client.query('BEGIN')
    },
    commit: async () => {
      await client.query('COMMIT')
    },
    rollback: async () => {
      await client.query('ROLLBACK').catch(() => {})
    },
    count: async (t) => {
      const r = await client.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${t.name}`)
      return r.rows[0]!.n
    },
    page: async (t, after, limit) => {
      const keys = ordered(t)
      const where = after
        ? `WHERE (${keys.join(', ')}) > (${t.key.map((_, i) => `$${i + 1}`).join(', ')})`
        : ''
      const r = await client.query<Row>({
        text: `SELECT ${t.columns.join(', ')} FROM ${t.name} ${where} ORDER BY ${keys.join(', ')}
                LIMIT $${(after?.length ?? 0) + 1}`,
        values: [...(after ?? []), limit],
        rowMode: 'array',
      })
      return r.rows
    },
    insert: async (t, rows) => {
      const per = Math.max(1, Math.floor(MAX_PARAMS / t.columns.length))
      for (let start = 0; start < rows.length; start += per) {
        const slice = rows.slice(start, start + per)
        const values: unknown[] = []
        const tuples = slice.map((row) => {
          const first = values.length
          values.push(...row)
          return `(${row.map((_, i) => `$${first + i + 1}`).join(', ')})`
        })
        await client.query(
          `INSERT INTO ${t.name} (${t.columns.join(', ')}) ${t.identity ? 'OVERRIDING SYSTEM VALUE' : ''}
            VALUES ${tuples.join(', ')}`,
          values,
        )
      }
    },
    suspendTriggers: async (tables) => {
      const r = await client.query<{ t: string }>(
        `SELECT DISTINCT c.relname AS t FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
          WHERE NOT g.tgisinternal AND c.relnamespace = current_schema()::regnamespace`,
      )
      const names = new Set(tables.map((t) => t.name))
      suspended = r.rows.map((x) => x.t).filter((t) => names.has(t))
      // Inside the copy's transaction: a rollback switches them on again with everything else.
      for (const t of suspended) await client.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`)
    },
    resumeTriggers: async () => {
      for (const t of suspended) await client.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`)
      suspended = []
    },
    afterTable: async (t) => {
      if (!t.identity) return
      await client.query(
        `SELECT setval(pg_get_serial_sequence('${t.name}', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL)
           FROM ${t.name}`,
      )
    },
    close: async () => {
      await client.end()
    },
  }
}

/**
 * After a copy into a team database committed: its tables vacuumed and analyzed, as autovacuum would
 * a minute or more later. The planner has statistics for the first list read, and every page is
 * marked all-visible, so a list's page past the first steps over its rows in an index alone
 * (store/list-cursor.ts pageByIds) instead of reading the table for each (docs/team-mode.md B8.3,
 * B8.6); and no first reader writes every page to set its hint bits. Outside the copy's transaction:
 * VACUUM runs in none.
 */
export async function settleCopied(client: pg.Client, tables: readonly TablePlan[]): Promise<void> {
  await client.query(`VACUUM (ANALYZE) ${tables.map((t) => t.name).join(', ')}`)
}
