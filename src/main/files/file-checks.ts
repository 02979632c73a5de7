import fs from 'node:fs'
import path from 'node:path'

// What main may read for the page: a file the person chose or uploaded, looked at before a byte of it
// is read. The page never names a path (services/file-handles.ts); these checks hold the line where
// a path it could not name still leads somewhere it should not: a device or a pipe that never ends, a
// kernel file such as /proc/self/environ (a regular file of size 0 that holds the environment, and
// with it PAYSYNC_PASSPHRASE), a link out of the uploads folder, a file too large for the window.

/** The kernel's and the devices' folders: their "files" are views of the running system. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev']

export type FileVerdict =
  | { ok: true; real: string; size: number }
  | { ok: false; why: 'missing' }
  | { ok: false; why: 'special' }
  | { ok: false; why: 'outside' }
  | { ok: false; why: 'moved' }
  | { ok: false; why: 'tooLarge'; size: number }

export interface FileRules {
  /** The file must lie in this folder, itself not a link, after every link is followed. */
  within?: string
  /** The real path the file had when it was chosen: a link changed since then is refused. */
  real?: string
  /** The largest size taken, in bytes. */
  maxBytes?: number
}

function inside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

/** Where a file really is, or null when it is not there (or not reachable). */
export async function realPath(file: string): Promise<string | null> {
  try {
    return await fs.promises.realpath(file)
  } catch {
    return null
  }
}

/** Whether a file may be read, and where it really is: the path to read, so no link is followed later. */
export async function inspectFile(file: string, rules: FileRules = {}): Promise<FileVerdict> {
  const real = await realPath(file)
  if (real === null) return { ok: false, why: 'missing' }
  if (SYSTEM_FOLDERS.some((dir) => real === dir || inside(dir, real))) return { ok: false, why: 'special' }
  if (rules.within !== undefined) {
    const folder = await realPath(rules.within)
    // The file itself is no link either: an upload is written by main, never linked.
    const own = await fs.promises.lstat(file).catch(() => null)
    if (folder === null || !inside(folder, real) || !own || own.isSymbolicLink())
      return { ok: false, why: 'outside' }
  }
  if (rules.real !== undefined && rules.real !== real) return { ok: false, why: 'moved' }
  const stat = await fs.promises.stat(real).catch(() => null)
  if (!stat) return { ok: false, why: 'missing' }
  // FIFOs, sockets and devices: a read could block for ever or never end.
  if (!stat.isFile()) return { ok: false, why: 'special' }
  if (rules.maxBytes !== undefined && stat.size > rules.maxBytes)
    return { ok: false, why: 'tooLarge', size: stat.size }
  return { ok: true, real, size: stat.size }
}
