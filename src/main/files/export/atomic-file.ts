import crypto from 'node:crypto'
import fs from 'node:fs'
import { finished } from 'node:stream/promises'
import path from 'node:path'

// An export is written where the person chose, and nowhere else: never through a link planted where
// the file is to go, never over a file that is there unless the person agreed, never half written.
// The rows go to a new file beside the target, created exclusively and without following a link
// (O_EXCL | O_NOFOLLOW), private to this user (0600); once complete and synced to the disk it takes
// the target's name. A rename replaces a link at the target itself, never what it points at.

/** A file being written under a temporary name, not yet where it goes. */
export interface PendingFile {
  stream: fs.WriteStream
  /** Flushed, synced and given the target's name; `replace: false` refuses a file there (EEXIST). */
  commit(): Promise<void>
  /** Gone, as if never started. */
  discard(): Promise<void>
}

/** O_NOFOLLOW is POSIX; Windows has no such flag (and its links need privileges to make). */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0
/** Where a hard link cannot be made (FAT, some network shares): the look before a rename instead. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'])

function syncFolder(dir: string): void {
  // The new name is durable once the folder is synced; Windows cannot open a folder for that.
  if (process.platform === 'win32') return
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Gives `temp` the name `target`, refusing a file there unless `replace`. */
function moveInto(temp: string, target: string, replace: boolean): void {
  if (replace) return fs.renameSync(temp, target)
  // A hard link fails if the name is taken, at the moment it is taken: no window between a look and
  // the write.
  try {
    fs.linkSync(temp, target)
    fs.unlinkSync(temp)
    return
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? ''
    if (!NO_HARD_LINKS.has(code)) throw err
  }
  if (fs.lstatSync(target, { throwIfNoEntry: false }))
    throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' })
  fs.renameSync(temp, target)
}

export function createBeside(target: string, o: { replace: boolean }): PendingFile {
  const dir = path.dirname(target)
  const temp = path.join(dir, `.${path.basename(target)}.${crypto.randomBytes(6).toString('hex')}.part`)
  const fd = fs.openSync(
    temp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW,
    0o600,
  )
  // The stream owns the descriptor from here: it syncs (flush) and closes it, once. Closing it here
  // as well could close a descriptor the number was given to meanwhile, another file's.
  const stream = fs.createWriteStream(temp, { fd, flush: true })
  return {
    stream,
    async commit() {
      stream.end()
      await finished(stream)
      if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()))
      moveInto(temp, target, o.replace)
      syncFolder(dir)
    },
    async discard() {
      if (!stream.closed) {
        stream.destroy()
        await new Promise<void>((resolve) => stream.once('close', () => resolve()))
      }
      fs.rmSync(temp, { force: true })
    },
  }
}
