import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { StoreError, type Db } from './db'
import { restoreDeferredIndexes } from './deferred-indexes'
import { checkNotNewer, migrate } from './migrate'

export { StoreError, type Db }

export interface OpenOptions {
  /** Electron passes the build of better-sqlite3 made for its own ABI (ARCHITECTURE.md). */
  nativeBinding?: string
  readonly?: boolean
  /** How long a statement waits for another connection's lock before SQLITE_BUSY (15 s). */
  busyTimeoutMs?: number
}

/**
 * Opens (or creates) the database, checks it is ours and whole, and brings its schema up to date.
 * A damaged or foreign file is reported and never overwritten.
 */
export function openStore(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:' && !options.readonly) makePrivate(file)
  let db: Db
  try {
    db = new Database(file, {
      nativeBinding: options.nativeBinding,
      readonly: options.readonly ?? false,
      timeout: options.busyTimeoutMs ?? 15_000,
    })
  } catch (err) {
    throw new StoreError(`cannot open the database ${file}: ${(err as Error).message}`, 'unreadable')
  }
  const prepare = (): void => {
    // Reading the header is what tells a damaged or non-SQLite file apart.
    db.pragma('schema_version', { simple: true })
    // A newer schema is refused before anything is written, journal mode included.
    checkNotNewer(db, file)
    if (file !== ':memory:' && !options.readonly) db.pragma('journal_mode = WAL')
    // Which commits reach the disk at once and which at the next checkpoint: ARCHITECTURE.md, "What
    // each commit of a sync guards" (FULL for the few this process alone knows, through `synced`).
    db.pragma('synchronous = NORMAL')
    // Freed bytes are overwritten, so a removed profile's sealed secrets leave no remnant in the file.
    db.pragma('secure_delete = ON')
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15_000}`)
    db.pragma('temp_store = MEMORY')
    db.pragma('cache_size = -32000')
  }
  try {
    waitWhileBusy(prepare, options.busyTimeoutMs ?? 15_000)
  } catch (err) {
    db.close()
    if (err instanceof StoreError) throw err
    const code = (err as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))
      throw new StoreError(
        `the database ${file} stayed locked by another program for ${Math.round((options.busyTimeoutMs ?? 15_000) / 1000)} s; ` +
          'close the other PaySync Desk or command using it, then try again',
        'unreadable',
      )
    throw new StoreError(
      `the database ${file} is damaged or is not a PaySync Desk database (${(err as Error).message}); ` +
        'it was left untouched: restore it from a backup or choose another file with --db',
      'corrupt',
    )
  }
  try {
    if (!options.readonly) {
      migrate(db, file)
      // Indexes an import dropped and did not live to build again (store/deferred-indexes.ts).
      restoreDeferredIndexes(db, 'orphaned')
    }
  } catch (err) {
    db.close()
    throw err
  }
  return db
}

/**
 * Runs `fn` with every read of this connection in one snapshot: a deferred transaction takes its
 * snapshot at its first read and keeps it until the end, so pages read one after another neither
 * miss nor repeat a row that another process writes meanwhile. For a connection that only reads
 * while `fn` runs (a list paged to the end); a write inside would take the database's write lock
 * for the whole of `fn`.
 */
export async function inOneSnapshot<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  if (db.inTransaction) return fn()
  db.exec('BEGIN')
  try {
    return await fn()
  } finally {
    if (db.inTransaction) db.exec('COMMIT')
  }
}

/**
 * Runs `fn` in an immediate transaction whose commit is on disk when this returns. The connection
 * commits with `synchronous = NORMAL`, which in WAL mode syncs at checkpoints only: a power cut can
 * take the last commits back. That is fine for what a later sync can learn again, and not for the few
 * commits that record what only this process knows: the intent before a gateway side effect and the
 * replay of the journal (ARCHITECTURE.md, "What each commit of a sync guards").
 */
export function synced<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return db.transaction(fn).immediate()
  const before = db.pragma('synchronous', { simple: true }) as number
  db.pragma('synchronous = FULL')
  try {
    return db.transaction(fn).immediate()
  } finally {
    db.pragma(`synchronous = ${before}`)
  }
}

/**
 * The books hold buyers' identifiers in the gateways' raw answers: the file is this user's alone
 * (review L5). SQLite gives its -wal and -shm files the database's own mode, so a database made 0600
 * keeps its side files private too; one made before this rule is brought down to 0600 when opened
 * for writing. A folder made for it is 0700; a folder that was already there is left as it is.
 */
function makePrivate(file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 })
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600))
    return
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  if (process.platform === 'win32') return
  try {
    const mode = fs.statSync(file).mode & 0o777
    if (mode & 0o077) fs.chmodSync(file, mode & 0o700)
  } catch {
    // Another user's file or a read-only mount: opening says what is wrong, if anything.
  }
}

const cache = new WeakMap<Db, Map<string, Database.Statement>>()

/** A prepared statement, compiled once per connection. */
export function stmt<P extends unknown[] | object = unknown[], R = unknown>(
  db: Db,
  sql: string,
): Database.Statement<P, R> {
  let map = cache.get(db)
  if (!map) {
    map = new Map()
    cache.set(db, map)
  }
  let s = map.get(sql)
  if (!s) {
    s = db.prepare(sql)
    map.set(sql, s)
  }
  return s as unknown as Database.Statement<P, R>
}

/**
 * Runs `fn` again while SQLite answers SQLITE_BUSY, up to `timeoutMs`. `PRAGMA journal_mode = WAL` on a
 * file another process holds a write transaction on (in the rollback journal, as a fresh file is before
 * its first opener turns it to WAL) is answered "database is locked" at once, without the busy
 * handler's wait: that file is busy, not damaged, and is waited for (two `paysync merchant add` on a
 * fresh database met it; tests/store/open-busy.test.ts).
 */
function waitWhileBusy(fn: () => void, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      fn()
      return
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err
      // Opening is synchronous: a short sleep of this thread, as SQLite's own busy handler does.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25)
    }
  }
}
