import fs from 'node:fs'
import path from 'node:path'

// The folders main writes for the page (uploads, browser-mode exports) hold one entry per file, a
// folder named by its id. These list them with their size and age and remove them, so that what the
// page left there expires and the folders stay under their cap.

export interface FolderEntry {
  name: string
  /** Bytes of the entry: a file's size, or the files directly inside a folder. */
  bytes: number
  /** The last change: the entry's own time, or its newest file's. */
  mtimeMs: number
}

function measure(file: string): { bytes: number; mtimeMs: number } {
  // lstat throughout: a link is measured as a link, never followed out of the folder.
  const st = fs.lstatSync(file)
  if (!st.isDirectory()) return { bytes: st.isFile() ? st.size : 0, mtimeMs: st.mtimeMs }
  let bytes = 0
  let mtimeMs = st.mtimeMs
  for (const name of fs.readdirSync(file)) {
    const inner = fs.lstatSync(path.join(file, name))
    if (inner.isFile()) bytes += inner.size
    mtimeMs = Math.max(mtimeMs, inner.mtimeMs)
  }
  return { bytes, mtimeMs }
}

/** The entries of a folder, oldest first; an entry that vanishes meanwhile is left out. */
export function folderEntries(dir: string): FolderEntry[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const out: FolderEntry[] = []
  for (const name of names) {
    try {
      out.push({ name, ...measure(path.join(dir, name)) })
    } catch {
      // Removed by another process between the listing and the look: nothing to count.
    }
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs)
}

/** Removes one entry of a folder (a link is removed, not what it points at); a missing one is no error. */
export function removeEntry(dir: string, name: string): void {
  fs.rmSync(path.join(dir, name), { recursive: true, force: true })
}
