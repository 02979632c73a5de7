import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { inspectFile, realPath, type FileVerdict } from '../files/file-checks'

// The page never names a path. A file the person chose in the window's dialog, uploaded in browser
// mode, or named on the command line is kept here under a random id for a while, and the page passes
// that id back: main alone knows the path. An id nobody was given (a path, a guess, an id of an
// earlier run) reaches nothing. Statement uploads use the same handles.

/** How long a chosen file stays usable after its last use: a preview, the mapping edited, the import. */
export const HANDLE_TTL_MS = 30 * 60_000
/** The largest file the window imports from its open dialog; a bigger one goes through `paysync import`. */
export const WINDOW_IMPORT_MAX_BYTES = 256 * 1024 * 1024

/** Where the person chose the file: the window's dialog, an upload, or their own shell (the command line). */
type Source = 'dialog' | 'upload' | 'shell'

interface Entry {
  path: string
  /** What the person calls the file: its name, never the path. */
  name: string
  use: 'read' | 'write'
  source: Source
  /** A save dialog asked before replacing the file, or the command line said --force. */
  replace: boolean
  /** Where the file really was when chosen (dialog), or the folder it must stay in (upload). */
  real?: string
  within?: string
  maxBytes?: number
  expiresAt: number
  onRelease?: () => void
}

/** What the page gets for a chosen file: the id to pass back, and the name to show. */
export interface FileChoice {
  file: string
  name: string
}

function newId(): string {
  return crypto.randomBytes(16).toString('base64url')
}

const MB = 1024 * 1024

function refusal(
  v: Exclude<FileVerdict, { ok: true }>,
  name: string,
  maxBytes: number | undefined,
): AppError {
  switch (v.why) {
    case 'missing':
      return AppError.say('unreadable_file', 'file.missing', { name })
    case 'special':
      return AppError.say('unreadable_file', 'file.special', { name })
    case 'outside':
      return AppError.say('unreadable_file', 'file.outside', { name })
    case 'moved':
      return AppError.say('unreadable_file', 'file.moved', { name })
    case 'tooLarge':
      return AppError.say('unreadable_file', 'file.tooLarge', {
        name,
        size: Math.ceil(v.size / MB),
        max: Math.floor((maxBytes ?? 0) / MB),
      })
  }
}

export class FileHandles {
  private readonly entries = new Map<string, Entry>()

  /**
   * `own`: PaySync's own files (the database, its side files, the key file). The page has no reason to
   * read them, and the key file opens every merchant secret: chosen or linked to, they are refused.
   */
  constructor(
    private readonly now: () => number,
    private readonly own: readonly string[] = [],
    private readonly ttlMs = HANDLE_TTL_MS,
  ) {}

  private async isOwn(real: string): Promise<boolean> {
    for (const file of this.own) if ((await realPath(file)) === real) return true
    return false
  }

  private add(entry: Omit<Entry, 'expiresAt'>, id = newId()): FileChoice {
    this.entries.set(id, { ...entry, expiresAt: this.now() + this.ttlMs })
    return { file: id, name: entry.name }
  }

  /**
   * A file chosen in the window's open dialog. Where it really is now is kept: a link changed after
   * the choice (to lead to the key file, say) is refused when the file is read.
   */
  async pickedToRead(file: string): Promise<FileChoice> {
    const real = (await realPath(file)) ?? undefined
    return this.add({
      path: file,
      name: path.basename(file),
      use: 'read',
      source: 'dialog',
      replace: false,
      real,
      maxBytes: WINDOW_IMPORT_MAX_BYTES,
    })
  }

  /** A file named on the command line: the person's own shell reads what it likes, as large as it is. */
  namedToRead(file: string): FileChoice {
    return this.add({ path: file, name: path.basename(file), use: 'read', source: 'shell', replace: false })
  }

  /** An upload main wrote into `within` under `id`; releasing it (after its import, or expired) deletes it. */
  uploaded(
    id: string,
    file: string,
    o: { within: string; maxBytes: number; onRelease: () => void },
  ): FileChoice {
    return this.add(
      {
        path: file,
        name: path.basename(file),
        use: 'read',
        source: 'upload',
        replace: false,
        within: o.within,
        maxBytes: o.maxBytes,
        onRelease: o.onRelease,
      },
      id,
    )
  }

  /**
   * A file to write: chosen in the save dialog (`replace` when the dialog asked before replacing it),
   * or named by the command line's --out (`replace` with --force).
   */
  toWrite(file: string, o: { replace: boolean; source: 'dialog' | 'shell' }): FileChoice {
    return this.add({
      path: file,
      name: path.basename(file),
      use: 'write',
      source: o.source,
      replace: o.replace,
    })
  }

  private live(id: string, use: Entry['use']): Entry {
    const entry = this.entries.get(id)
    if (!entry || entry.use !== use || entry.expiresAt <= this.now()) {
      if (entry && entry.expiresAt <= this.now()) this.release(id)
      throw AppError.say('invalid_input', 'file.notChosen')
    }
    entry.expiresAt = this.now() + this.ttlMs
    return entry
  }

  /** The path to read for a handle, after the file's checks: where it really is, no link left to follow. */
  async readable(id: string): Promise<string> {
    const entry = this.live(id, 'read')
    if (entry.source === 'shell') return entry.path
    const verdict = await inspectFile(entry.path, {
      within: entry.within,
      real: entry.source === 'dialog' ? entry.real : undefined,
      maxBytes: entry.maxBytes,
    })
    if (!verdict.ok) throw refusal(verdict, entry.name, entry.maxBytes)
    if (await this.isOwn(verdict.real))
      throw AppError.say('unreadable_file', 'file.own', { name: entry.name })
    // An upload in use looks young to the sweep of another process on the same folder too.
    if (entry.source === 'upload') {
      const at = new Date(this.now())
      await fs.promises.utimes(path.dirname(entry.path), at, at).catch(() => undefined)
    }
    return verdict.real
  }

  /** Where a handle's export goes, and whether a file already there may be replaced. */
  writable(id: string): { path: string; replace: boolean } {
    const entry = this.live(id, 'write')
    return { path: entry.path, replace: entry.replace }
  }

  /** Whether an id is held (an upload's folder is in use). */
  holds(id: string): boolean {
    const entry = this.entries.get(id)
    return entry !== undefined && entry.expiresAt > this.now()
  }

  /** Done with a file: the id reaches nothing any more, and an upload is deleted. */
  release(id: string): void {
    const entry = this.entries.get(id)
    if (!entry) return
    this.entries.delete(id)
    entry.onRelease?.()
  }

  /** Lets go of every handle unused for longer than the time they are kept. */
  sweep(): void {
    const now = this.now()
    for (const [id, entry] of [...this.entries]) if (entry.expiresAt <= now) this.release(id)
  }
}
