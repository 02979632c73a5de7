import type { Db } from '../db'

// Which tables a copy between the two dialects moves, in which order, and how each is read in order
// (docs/team-mode.md B8.3). The plan comes from the SQLite side, whose schema is the same
// numbered list's (tests/pg/schema.test.ts holds the PostgreSQL one to it).

/**
 * SQLite's own machinery for "contains" searches: the FTS5 trigram tables with their shadow tables,
 * and the marks up to which they are filled. PostgreSQL has a trigram index in their place, and an
 * SQLite copy fills its own behind the writes (store/trade-search.ts), from mark 0.
 */
export const SQLITE_ONLY_TABLES = /^(pay_order_search|refund_order_search)(_\w+)?$|^trade_search_marks$/

export type ColumnKind = 'integer' | 'real' | 'text' | 'blob'

/** Rows a page of most tables: a few thousand narrow rows a round trip. */
const PAGE_ROWS = 2_000

/**
 * Tables whose one row may be tens of MB (a statement's bill, migration 022): read, hashed and
 * written one row at a time, so a copy holds one bill in memory, never a page of them.
 */
const ONE_ROW_PAGES = new Set(['statement_files'])

export interface TablePlan {
  name: string
  columns: string[]
  kinds: ColumnKind[]
  /** The primary key's columns, the order rows are read and hashed in. */
  key: string[]
  keyKinds: ColumnKind[]
  /** An `id` identity column on PostgreSQL, whose sequence moves past the copied ids. */
  identity: boolean
  /** Rows read and written a page. */
  pageRows: number
}

const KIND: Record<string, ColumnKind> = { INTEGER: 'integer', REAL: 'real', TEXT: 'text', BLOB: 'blob' }

/** Every table of the schema a copy moves, each after the tables its foreign keys name. */
export function copyPlan(db: Db): TablePlan[] {
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as Array<{ name: string }>
  )
    .map((r) => r.name)
    .filter((n) => !SQLITE_ONLY_TABLES.test(n))
  const plans = new Map<string, TablePlan>()
  const needs = new Map<string, string[]>()
  for (const name of names) {
    const info = db.pragma(`table_info(${name})`) as Array<{ name: string; type: string; pk: number }>
    const kinds = info.map((c) => {
      const kind = KIND[c.type.toUpperCase()]
      if (!kind) throw new Error(`${name}.${c.name} has the type ${c.type}, which a copy does not know`)
      return kind
    })
    const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk)
    plans.set(name, {
      name,
      columns: info.map((c) => c.name),
      kinds,
      key: key.map((c) => c.name),
      keyKinds: key.map((c) => kinds[info.indexOf(c)]!),
      identity: key.length === 1 && key[0]!.name === 'id' && key[0]!.type.toUpperCase() === 'INTEGER',
      pageRows: ONE_ROW_PAGES.has(name) ? 1 : PAGE_ROWS,
    })
    const fks = db.pragma(`foreign_key_list(${name})`) as Array<{ table: string }>
    needs.set(
      name,
      fks.map((f) => f.table).filter((t) => t !== name),
    )
  }
  const ordered: TablePlan[] = []
  const placed = new Set<string>()
  const place = (name: string, path: string[]) => {
    if (placed.has(name)) return
    if (path.includes(name)) throw new Error(`the foreign keys of ${path.join(' -> ')} go round in a circle`)
    for (const dep of needs.get(name) ?? []) place(dep, [...path, name])
    placed.add(name)
    ordered.push(plans.get(name)!)
  }
  for (const name of names) place(name, [])
  return ordered
}
