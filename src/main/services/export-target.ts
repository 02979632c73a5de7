import path from 'node:path'
import { formatBeijingCompact } from '../../shared/time'
import type { ServiceContext } from './context'

// Where a file made for the person goes: an export, the rows an import refused, a template, a saved
// column mapping. One rule for all of them, so that they land in the same places.

/** A file name that says what it holds and when: 同步记录_20261120_101500.csv. */
export function stampedName(what: string, now: number, ext = '.csv'): string {
  return `${what}_${formatBeijingCompact(now).replace(/^(\d{8})/, '$1_')}${ext}`
}

/**
 * The file the caller named, or, without one (browser mode), the exports folder under `defaultName`,
 * downloaded from there.
 */
export function exportTarget(
  ctx: ServiceContext,
  named: string | undefined,
  defaultName: string,
): { file: string; downloadPath: string | null } {
  const file = named ? path.resolve(named) : path.join(ctx.filesDir('exports'), defaultName)
  return { file, downloadPath: named ? null : `/downloads/${encodeURIComponent(path.basename(file))}` }
}
