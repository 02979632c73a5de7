import type { TradeType } from '../../shared/domain'
import { mappingSchema, type ColumnMapping } from '../../shared/mapping'
import { all, both, one, run, type Exec, type Q } from './sql/exec'

// Column mappings saved by name (docs/cli.md section 3.5): in the database, so that they outlive the
// browser's storage, which browser mode loses with every new port (review-newcomer m12). Written once
// for the desktop's file and a team database (docs/team-mode.md B8.18), where every desktop shares them.

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
      ? { name: r.name, type: r.trade_type, mapping: parsed.data, updatedAt: Number(r.updated_at) }
      : null
  } catch {
    return null
  }
}

const SELECT = 'SELECT name, trade_type, mapping, updated_at FROM column_mappings'

export const listMappingsOn = both(function* (x: Exec): Q<MappingRow[]> {
  // Both stores sort the names by their bytes (COLLATE "C" on PostgreSQL), so every desktop lists alike.
  const rows = yield* all<Raw>(x, `${SELECT} ORDER BY name`)
  return rows.map(read).filter((m): m is MappingRow => m !== null)
})

export const getMappingOn = both(function* (x: Exec, name: string): Q<MappingRow | undefined> {
  const r = yield* one<Raw>(x, `${SELECT} WHERE name = ?`, [name])
  return (r && read(r)) ?? undefined
})

/** Saves the mapping under its name, replacing one of that name. */
export const saveMappingOn = both(function* (
  x: Exec,
  m: { name: string; type: TradeType; mapping: ColumnMapping },
  now: number,
): Q<void> {
  yield* run(
    x,
    `INSERT INTO column_mappings (name, trade_type, mapping, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET trade_type = excluded.trade_type, mapping = excluded.mapping,
       updated_at = excluded.updated_at`,
    [m.name, m.type, JSON.stringify(m.mapping), now, now],
  )
})

export const removeMappingOn = both(function* (x: Exec, name: string): Q<boolean> {
  return (yield* run(x, 'DELETE FROM column_mappings WHERE name = ?', [name])) > 0
})
