import type { TradeType } from '../../shared/domain'
import { mappingSchema, type ColumnMapping } from '../../shared/mapping'
import type { Db } from './connection'
import { stmt } from './connection'

// Column mappings saved by name (docs/cli.md section 3.5): in the database, so that they outlive the
// browser's storage, which browser mode loses with every new port (review-newcomer m12).

export interface MappingRow {
  name: string
  type: TradeType
  mapping: ColumnMapping
  updatedAt: number
}

interface Raw {
  name: string
  trade_type: TradeType
  mapping: string
  updated_at: number
}

function read(r: Raw): MappingRow | null {
  try {
    const parsed = mappingSchema.safeParse(JSON.parse(r.mapping))
    return parsed.success
      ? { name: r.name, type: r.trade_type, mapping: parsed.data, updatedAt: r.updated_at }
      : null
  } catch {
    return null
  }
}

export function listMappings(db: Db): MappingRow[] {
  return stmt<[], Raw>(db, 'SELECT name, trade_type, mapping, updated_at FROM column_mappings ORDER BY name')
    .all()
    .map(read)
    .filter((m): m is MappingRow => m !== null)
}

export function getMapping(db: Db, name: string): MappingRow | undefined {
  const r = stmt<[string], Raw>(
    db,
    'SELECT name, trade_type, mapping, updated_at FROM column_mappings WHERE name = ?',
  ).get(name)
  return (r && read(r)) ?? undefined
}

/** Saves the mapping under its name, replacing one of that name. */
export function saveMapping(
  db: Db,
  m: { name: string; type: TradeType; mapping: ColumnMapping },
  now = Date.now(),
): void {
  stmt(
    db,
    `INSERT INTO column_mappings (name, trade_type, mapping, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET trade_type = excluded.trade_type, mapping = excluded.mapping,
       updated_at = excluded.updated_at`,
  ).run(m.name, m.type, JSON.stringify(m.mapping), now, now)
}

export function removeMapping(db: Db, name: string): boolean {
  return stmt(db, 'DELETE FROM column_mappings WHERE name = ?').run(name).changes > 0
}
