import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors'
import { openStore } from '../../src/main/store/connection'
import { SCHEMA_VERSION } from '../../src/main/store/migrate'
import { MIGRATIONS } from '../../src/main/store/migrations'
import { SQLITE_ONLY_TABLES } from '../../src/main/store/copy/plan'
import { connectPg, pgTarget } from '../../src/main/store/pg/connect'
import { migratePg } from '../../src/main/store/pg/migrate'
import { PG_MIGRATIONS } from '../../src/main/store/pg/migrations'
import { LIST_INDEXES } from '../../src/main/store/pg/migrations/019-list-index-ids'
import { freshDatabase, pgMissing } from '../helpers/pg'

// One numbered list, two dialects (docs/team-mode.md B8.1): the PostgreSQL schema is migration
// for migration the SQLite one, and this file fails the day they part.

/** SQLite's "contains" search triggers feed its FTS5 tables; PostgreSQL has a trigram index instead. */
const SQLITE_ONLY_TRIGGERS = /_search_(update|delete)$/
const PG_ONLY_INDEXES = new Set(['idx_pay_orders_search', 'idx_refund_orders_search'])
const PG_TYPE: Record<string, string> = {
  INTEGER: 'bigint',
  TEXT: 'text',
  REAL: 'double precision',
  BLOB: 'bytea',
}

interface Shape {
  columns: Record<string, string[]>
  indexes: string[]
  triggers: string[]
}

function sqliteShape(): Shape {
  const db = openStore(':memory:')
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
        name: string
      }>
    )
      .map((t) => t.name)
      .filter((t) => !SQLITE_ONLY_TABLES.test(t))
    const columns: Shape['columns'] = {}
    for (const t of tables) {
      const info = db.pragma(`table_info(${t})`) as Array<{
        name: string
        type: string
        notnull: number
        pk: number
      }>
      columns[t] = info.map((c) => `${c.name} ${PG_TYPE[c.type]} ${c.notnull || c.pk ? 'not null' : 'null'}`)
    }
    const indexes = (
      db
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'")
        .all() as Array<{
        name: string
        sql: string
      }>
    ).map(
      (i) =>
        `${i.name}${/\bUNIQUE\b/i.test(i.sql) ? ' unique' : ''}${/\bWHERE\b/i.test(i.sql) ? ' partial' : ''}`,
    )
    const triggers = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string }>
    )
      .map((t) => t.name)
      .filter((t) => !SQLITE_ONLY_TRIGGERS.test(t))
    return { columns, indexes: indexes.sort(), triggers: triggers.sort() }
  } finally {
    db.close()
  }
}

async function pgShape(c: pg.ClientBase): Promise<Shape> {
  const cols = await c.query<{ t: string; name: string; type: string; nullable: string; collation: string }>(
    `SELECT table_name AS t, column_name AS name, data_type AS type, is_nullable AS nullable,
            coalesce(collation_name, '') AS collation
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
      ORDER BY table_name, ordinal_position`,
  )
  const columns: Shape['columns'] = {}
  for (const r of cols.rows) {
    // Text compares byte for byte, as SQLite's BINARY: a text column without it would sort otherwise.
    const type = r.type === 'text' && r.collation !== 'C' ? `text collate "${r.collation}"` : r.type
    ;(columns[r.t] ??= []).push(`${r.name} ${type} ${r.nullable === 'YES' ? 'null' : 'not null'}`)
  }
  const idx = await c.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE schemaname = current_schema() AND indexname LIKE 'idx_%'`,
  )
  const indexes = idx.rows
    .filter((i) => !PG_ONLY_INDEXES.has(i.name))
    .map(
      (i) =>
        `${i.name}${/\bUNIQUE\b/.test(i.def) ? ' unique' : ''}${/\bWHERE\b/.test(i.def) ? ' partial' : ''}`,
    )
  const trg = await c.query<{ name: string }>(
    `SELECT DISTINCT trigger_name AS name FROM information_schema.triggers
      WHERE trigger_schema = current_schema()`,
  )
  return { columns, indexes: indexes.sort(), triggers: trg.rows.map((t) => t.name).sort() }
}

describe('the PostgreSQL forms of the migrations', () => {
  it('has one for every numbered SQLite migration', () => {
    expect(PG_MIGRATIONS).toHaveLength(MIGRATIONS.length)
  })
})

describe.skipIf(pgMissing())('migrating a PostgreSQL database', () => {
  const open: pg.Client[] = []
  const connect = async (url: string) => {
    const c = await connectPg(pgTarget(url))
    open.push(c)
    return c
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.end()))
  })

  it('builds an empty database to the schema SQLite has, then does nothing the second time', async () => {
    const url = await freshDatabase()
    const c = await connect(url)
    expect(await migratePg(c, pgTarget(url))).toEqual({ from: 0, to: SCHEMA_VERSION })
    const steps = await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    expect(steps.rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1))

    const sqlite = sqliteShape()
    const postgres = await pgShape(c)
    expect(Object.keys(postgres.columns).sort()).toEqual(Object.keys(sqlite.columns).sort())
    for (const [table, columns] of Object.entries(sqlite.columns))
      expect(postgres.columns[table], table).toEqual(columns)
    expect(postgres.indexes).toEqual(sqlite.indexes)
    expect(postgres.triggers).toEqual(sqlite.triggers)

    expect(await migratePg(c, pgTarget(url))).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION })
    const again = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')
    expect(again.rows[0]!.n).toBe(SCHEMA_VERSION)
  })

  it('lets one of two desktops migrate while the other waits, then finds it done', async () => {
    const url = await freshDatabase()
    const [a, b] = [await connect(url), await connect(url)]
    const runs = await Promise.all([migratePg(a, pgTarget(url)), migratePg(b, pgTarget(url))])
    expect(runs.map((r) => r.from).sort()).toEqual([0, SCHEMA_VERSION])
    expect(runs.every((r) => r.to === SCHEMA_VERSION)).toBe(true)
  })

  it("refuses a newer schema and another program's tables, writing nothing", async () => {
    const newer = await freshDatabase()
    const c = await connect(newer)
    await migratePg(c, pgTarget(newer))
    await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [SCHEMA_VERSION + 1])
    const refused = await migratePg(c, pgTarget(newer)).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect((refused as AppError).id).toBe('teamDb.newerSchema')
    expect((refused as AppError).message).toMatch(
      `schema ${SCHEMA_VERSION + 1}, this version knows ${SCHEMA_VERSION}`,
    )

    const foreign = await freshDatabase()
    const f = await connect(foreign)
    await f.query('CREATE TABLE customers (id int)')
    const other = await migratePg(f, pgTarget(foreign)).catch((e: unknown) => e)
    expect((other as AppError).id).toBe('teamDb.foreign')
    expect((other as AppError).message).toMatch('(customers)')
    const left = await f.query("SELECT to_regclass('schema_migrations') AS t")
    expect(left.rows[0]!.t).toBeNull()
  })

  it('reads epoch milliseconds and ids as numbers, as SQLite does', async () => {
    const url = await freshDatabase()
    const c = await connect(url)
    await migratePg(c, pgTarget(url))
    const r = await c.query<{ ms: unknown }>('SELECT 1764806400000::bigint AS ms')
    expect(r.rows[0]!.ms).toBe(1764806400000)
  })

  it("indexes the same columns as SQLite, the lists' indexes with the id SQLite's entries end in", async () => {
    const url = await freshDatabase()
    const c = await connect(url)
    await migratePg(c, pgTarget(url))
    const db = openStore(':memory:')
    const sqlite = new Map<string, string>()
    try {
      for (const { name } of db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%'")
        .all() as Array<{ name: string }>) {
        const cols = db.pragma(`index_info(${name})`) as Array<{ name: string | null }>
        sqlite.set(name, cols.map((k) => k.name ?? '(expression)').join(', '))
      }
    } finally {
      db.close()
    }
    // Migration 019: PostgreSQL's index names the id that SQLite's entries hold as their rowid, and
    // the amount index puts missing amounts first, as SQLite sorts them (store/list-cursor.ts).
    const withId = new Map(LIST_INDEXES.map(([name]) => [name, true]))
    const idx = await c.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
        WHERE schemaname = current_schema() AND indexname LIKE 'idx_%'`,
    )
    let compared = 0
    for (const { name, def } of idx.rows) {
      if (PG_ONLY_INDEXES.has(name)) continue
      const pgColumns = /USING btree \((.*?)\)(?: WHERE|$)/.exec(def)![1]!.replace(/ NULLS FIRST/g, '')
      const expected = sqlite.get(name)
      expect(pgColumns, name).toBe(withId.has(name) ? `${expected}, id` : expected)
      compared++
    }
    expect(compared).toBe(sqlite.size)
  })
})
