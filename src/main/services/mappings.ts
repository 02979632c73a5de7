import type { ExportResult, SavedMappingView } from '../../shared/contract'
import type { TradeType } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { ColumnMapping } from '../../shared/mapping'
import { toIsoBeijing } from '../../shared/time'
import {
  getMappingOn,
  listMappingsOn,
  removeMappingOn,
  saveMappingOn,
  type MappingRow,
} from '../store/mappings'
import type { Exec } from '../store/sql/exec'
import { exportTarget, stampedName, writeSmallFile, type TargetHost } from './export-target'

// Saved column mappings (issue 14 item 17): kept in the database for every window and browser tab,
// and written out as the file `paysync import --mapping FILE` reads (docs/cli.md section 3.5). The
// same functions serve the desktop's file and a team database (docs/team-mode.md B8.18): `x` reads
// and writes the books, `host` says where an exported mapping goes.

function view(m: MappingRow): SavedMappingView {
  return { name: m.name, type: m.type, mapping: m.mapping, savedAt: toIsoBeijing(m.updatedAt) }
}

export async function listSavedMappings(x: Exec): Promise<SavedMappingView[]> {
  return (await listMappingsOn.async(x)).map(view)
}

export async function saveNamedMapping(
  x: Exec,
  req: { name: string; type: TradeType; mapping: ColumnMapping },
  now: number,
): Promise<SavedMappingView> {
  await saveMappingOn.async(x, req, now)
  return view((await getMappingOn.async(x, req.name))!)
}

export async function removeNamedMapping(x: Exec, name: string): Promise<{ removed: boolean }> {
  return { removed: await removeMappingOn.async(x, name) }
}

/** The mapping as `--mapping FILE` reads it: its columns and its defaults, nothing else. */
export async function exportNamedMapping(
  x: Exec,
  host: TargetHost & { now(): number },
  req: { name: string; file?: string },
): Promise<ExportResult> {
  const m = await getMappingOn.async(x, req.name)
  if (!m) throw AppError.say('not_found', 'mapping.notFound', { name: req.name })
  const target = exportTarget(host, req.file, stampedName(`列映射_${m.name}`, host.now(), '.json'))
  const text = JSON.stringify({ columns: m.mapping.columns, defaults: m.mapping.defaults }, null, 2) + '\n'
  return writeSmallFile(target, text, Object.keys(m.mapping.columns).length)
}
