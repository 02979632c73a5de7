import type { ExportResult, SavedMappingView } from '../../shared/contract'
import type { TradeType } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { ColumnMapping } from '../../shared/mapping'
import { toIsoBeijing } from '../../shared/time'
import { getMapping, listMappings, removeMapping, saveMapping, type MappingRow } from '../store/mappings'
import type { ServiceContext } from './context'
import { exportTarget, stampedName, writeSmallFile } from './export-target'

// Saved column mappings (issue 14 item 17): kept in the database for every window and browser tab,
// and written out as the file `paysync import --mapping FILE` reads (docs/cli.md section 3.5).

function view(m: MappingRow): SavedMappingView {
  return { name: m.name, type: m.type, mapping: m.mapping, savedAt: toIsoBeijing(m.updatedAt) }
}

export function listSavedMappings(ctx: ServiceContext): SavedMappingView[] {
  return listMappings(ctx.db).map(view)
}

export function saveNamedMapping(
  ctx: ServiceContext,
  req: { name: string; type: TradeType; mapping: ColumnMapping },
): SavedMappingView {
  saveMapping(ctx.db, req, ctx.now())
  return view(getMapping(ctx.db, req.name)!)
}

export function removeNamedMapping(ctx: ServiceContext, name: string): { removed: boolean } {
  return { removed: removeMapping(ctx.db, name) }
}

/** The mapping as `--mapping FILE` reads it: its columns and its defaults, nothing else. */
export async function exportNamedMapping(
  ctx: ServiceContext,
  req: { name: string; file?: string },
): Promise<ExportResult> {
  const m = getMapping(ctx.db, req.name)
  if (!m) throw AppError.say('not_found', 'mapping.notFound', { name: req.name })
  const target = exportTarget(ctx, req.file, stampedName(`列映射_${m.name}`, ctx.now(), '.json'))
  const text = JSON.stringify({ columns: m.mapping.columns, defaults: m.mapping.defaults }, null, 2) + '\n'
  return writeSmallFile(target, text, Object.keys(m.mapping.columns).length)
}
