import type { StorageFault } from '../../shared/domain'

// A write the storage refused, told apart from a bug. SQLite says why in its result code
// (better-sqlite3 puts it in `code`): SQLITE_FULL when the disk or the page limit is reached, an
// SQLITE_IOERR_* when the file system fails a read, write or sync (a file grown past the limit the
// system sets for it is one), SQLITE_BUSY once the busy timeout has run out under another process's
// lock. None of these is about the data, so the callers keep what they hold and wait instead of
// recording a failure (docs/domain.md section 6.8).

/** The storage fault an error is, or null when it is something else (a constraint, a bug). */
export function storageFaultOf(err: unknown): StorageFault | null {
  if (err instanceof StorageFaultError) return err.fault
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  if (typeof code !== 'string') return null
  if (code === 'SQLITE_FULL') return 'disk_full'
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN')
    return 'io_error'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'db_locked'
  // The journal beside the database is a plain file: its own refusals, in Node's words.
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'disk_full'
  if (code === 'EIO' || code === 'EFBIG' || code === 'EROFS') return 'io_error'
  return null
}

/**
 * An attempt or a batch stopped by a storage fault. `kept` says where the gateway's answer went when
 * the database refused it: the journal beside the database, this process's memory (the journal
 * refused it too), or nowhere because nothing had been asked yet.
 */
export class StorageFaultError extends Error {
  constructor(
    readonly fault: StorageFault,
    readonly kept: 'journal' | 'memory' | null,
    cause: unknown,
  ) {
    super(`${FAULT_TEXT[fault]}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'StorageFaultError'
  }
}

const FAULT_TEXT: Record<StorageFault, string> = {
  disk_full: 'the disk of the database is full',
  io_error: 'the database file could not be written',
  db_locked: 'the database stayed locked by another program',
}
