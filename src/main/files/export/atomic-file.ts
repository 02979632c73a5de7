import crypto from 'node:crypto'
import fs from 'node:fs'
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
  discard(): void
}

/** O_NOFOLLOW is POSIX; Windows has no such flag (and its links need privileges to make). */
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0

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

export function createBeside(target: string, o: { replace: boolean }): PendingFile {
  const dir = path.dirname(target)
  const temp = path.join(dir, `.${path.basename(target)}.${crypto.randomBytes(6).toString('hex')}.part`)
  const fd = fs.openSync(
    temp,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW,
    0o600,
  )
  const stream = fs.createWriteStream(temp, { fd, autoClose: false })
  let open = true
  const close = () => {
    if (!open) return
    open = false
    fs.closeSync(fd)
  }
  return {
    stream,
    async commit() {
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject)
        stream.end(() => resolve())
      })
      fs.fsyncSync(fd)
      close()
      if (o.replace) {
        fs.renameSync(temp, target)
      } else {
        // A hard link fails if the name is taken, at the moment it is taken: no window between a
        // look and the write. Where the file system has no hard links, the look and a rename.
        try {
          fs.linkSync(temp, target)
          fs.unlinkSync(temp)
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code
          if (
            code === 'EEXIST' ||
            !['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'].includes(code ?? '')
          )
            throw err
          if (fs.lstatSync(target, { throwIfNoEntry: false })) {
            throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' })
          }
          fs.renameSync(temp, target)
        }
      }
      syncFolder(dir)
    },
    discard() {
      stream.destroy()
      close()
      fs.rmSync(temp, { force: true })
    },
  }
}
