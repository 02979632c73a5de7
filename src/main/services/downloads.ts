import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { folderEntries, removeEntry } from '../files/folder-sweep'
import type { ServiceContext } from './context'

/** Where a host keeps its downloads: the desktop file's folder, or a team database's on this computer. */
export type FilesHost = Pick<ServiceContext, 'filesDir' | 'now'>

// Browser mode's exports: written into the exports folder beside the database, one folder per export
// named by a random id, under a name main chooses; the page downloads them by that id. They expire
// after a day, and the folder as a whole keeps under a cap (the oldest go first).

/** How long an export waits to be downloaded. */
export const EXPORT_TTL_MS = 24 * 60 * 60_000
/** Every browser-mode export together. */
export const EXPORTS_MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024

const ID = /^[A-Za-z0-9_-]{22}$/

/** Where the next browser-mode export goes: a new folder of its own, and its id for the download. */
export function newExportFile(ctx: FilesHost, name: string): { id: string; file: string } {
  const id = crypto.randomBytes(16).toString('base64url')
  const folder = path.join(ctx.filesDir('exports'), id)
  fs.mkdirSync(folder, { mode: 0o700 })
  return { id, file: path.join(folder, name) }
}

/** The address the page downloads an export from: its id, then its name for the browser to save it as. */
export function downloadPathOf(id: string, name: string): string {
  return `/downloads/${id}/${encodeURIComponent(name)}`
}

/** An export gone wrong leaves no folder behind. */
export function dropExport(ctx: FilesHost, id: string): void {
  removeEntry(ctx.filesDir('exports', false), id)
}

/** Exports older than a day, then the oldest while the folder holds more than its cap; `keep` stays. */
export function sweepExports(ctx: FilesHost, keep?: string): void {
  const dir = ctx.filesDir('exports', false)
  const old = ctx.now() - EXPORT_TTL_MS
  const entries = folderEntries(dir).filter((e) => e.name !== keep)
  let total = entries.reduce((sum, e) => sum + e.bytes, 0)
  for (const e of entries) {
    if (e.mtimeMs >= old && total <= EXPORTS_MAX_TOTAL_BYTES) continue
    removeEntry(dir, e.name)
    total -= e.bytes
  }
}

/**
 * The export a download asks for, by its id: a folder of the exports folder holding one file, neither
 * a link, and the file really inside. Null for anything else.
 */
export function exportedFile(ctx: FilesHost, id: string): { file: string; name: string } | null {
  if (!ID.test(id)) return null
  const dir = ctx.filesDir('exports', false)
  const folder = path.join(dir, id)
  const st = fs.lstatSync(folder, { throwIfNoEntry: false })
  if (!st?.isDirectory()) return null
  // Files still being written start with a dot (atomic-file.ts): not yet an export.
  const names = fs.readdirSync(folder).filter((n) => !n.startsWith('.'))
  if (names.length !== 1) return null
  const file = path.join(folder, names[0]!)
  const own = fs.lstatSync(file, { throwIfNoEntry: false })
  if (!own?.isFile()) return null
  const real = fs.realpathSync(file)
  if (path.dirname(real) !== path.join(fs.realpathSync(dir), id)) return null
  return { file: real, name: names[0]! }
}
