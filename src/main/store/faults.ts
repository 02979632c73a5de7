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
  if (typeof code !== 'string') return pgConnectionLost(err) ? 'db_unreachable' : null
  if (code === 'SQLITE_FULL') return 'disk_full'
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN')
    return 'io_error'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'db_locked'
  // A team database (docs/team-mode.md B8.9): its SQLSTATE classes, and a connection that failed.
  const pg = pgFaultOf(code)
  if (pg) return pg
  // The journal beside the database is a plain file: its own refusals, in Node's words.
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'disk_full'
  if (code === 'EIO' || code === 'EFBIG' || code === 'EROFS') return 'io_error'
  return null
}

/** Network failures of a connection to a team database, in Node's words. */
const CUT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

function pgFaultOf(code: string): StorageFault | null {
  if (CUT.has(code)) return 'db_unreachable'
  // 08: connection exceptions; 57P01-57P03: the server shut down or is starting.
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')
    return 'db_unreachable'
  // It takes no more connections (its max_connections, or a limit on the database or the role): every
  // desktop of a team keeps a pool, and one more desktop can be one too many. Frees up as others close.
  if (code === '53300') return 'db_too_many_connections'
  if (code === '53100') return 'disk_full'
  if (code === '58030') return 'io_error'
  // A lock wait that timed out, a deadlock, a serialization failure: tried again like SQLite's busy.
  if (code === '55P03' || code === '40P01' || code === '40001') return 'db_locked'
  return null
}

/** pg's own words for a connection that ended under a query: it sets no code. */
export function pgConnectionLost(err: unknown): boolean {
  const message = err instanceof Error ? err.message : ''
  return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(message)
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
  db_unreachable: 'the team database could not be reached',
  db_too_many_connections: 'the team database takes no more connections',
}
