import path from 'node:path'
import type { Transport } from '../../shared/domain'
import type { RetryPolicy } from '../gateways/http'
import type { OpenOptions } from '../store/connection'
import type { SafeStorageWrapper } from '../store/keyring'
import type { BooksSwitch } from './books-switch'
import type { ServiceContext } from './context'

// What a ServiceContext is made from, and what the app hands it: the options, the sandbox it may run,
// the native dialogs. Apart from context.ts, which is what the services hold at run time.

export interface ContextOptions {
  dbFile: string
  /** Key file beside the database (headless default). */
  keyFile?: string
  passphrase?: string
  /**
   * The operating system's key store (Electron safeStorage). When `keyStore` says it is not secure
   * (Linux's basic_text), it is only read, to move an older wrap under a passphrase; never a new one.
   */
  safeStorage?: SafeStorageWrapper
  /**
   * Which key store the app has. One that is not secure means the secrets are kept under a
   * passphrase instead: given by PAYSYNC_PASSPHRASE or in the window (keys.unlock).
   */
  keyStore?: { backend: string; secure: boolean }
  retry?: RetryPolicy
  /** Who acts, said explicitly (PAYSYNC_OPERATOR, the demo): wins over the name in Settings. */
  operator?: string | null
  /** The computer's user: who acts when neither an explicit operator nor Settings names one. */
  systemUser?: string | null
  store?: OpenOptions
  /**
   * This process only reads the books (a command-line list). The checkpoint thread is there so that a
   * process committing many syncs never copies the log back itself (store/checkpointer.ts); a reader
   * commits nothing but the rare recovery at opening, so it does without the thread, and SQLite
   * checkpoints as it does by default: at that commit when the log is long, and at the last close.
   */
  readsOnly?: boolean
  /** How this process's requests arrive; its schedules act as `schedule` (shared/domain.ts, Actor). */
  transport?: Exclude<Transport, 'schedule'>
  leaseMs?: number
  /** How long a final write is retried while the database stays locked (default 60 s). */
  writeRetryMs?: number
  now?: () => number
  /** Native open and save dialogs; only the desktop app has them. */
  dialogs?: NativeDialogs
  /** The desktop app's choice of books (services/books-switch.ts); only the app has it. */
  books?: BooksSwitch
  /** The import worker's file, where this process cannot find it itself (files/import/worker-host.ts). */
  importWorker?: string
}

/** The sandbox as the books' context holds it while it runs. */
export interface SandboxRun {
  /** The simulated gateway's address. */
  url: string
  /** The sandbox's own database: what the window works on until the first real merchant is added. */
  ctx: ServiceContext
  /** The window goes to the books: the sandbox stops and its database is deleted. */
  leave(): Promise<void>
  /** Stops the sandbox with the process; its database is deleted too. */
  close(): Promise<void>
}

export interface NativeDialogs {
  open(o: { title?: string; filters: Array<{ name: string; extensions: string[] }> }): Promise<string | null>
  save(o: { title?: string; defaultName?: string }): Promise<string | null>
  /** A question only the person at the screen can answer: true when they chose `yes`. */
  confirm(o: { title: string; message: string; detail: string; yes: string; no: string }): Promise<boolean>
}

/** The key file that sits beside a database: paysync.db -> paysync.key. */
export function keyFileFor(dbFile: string): string {
  const dir = path.dirname(path.resolve(dbFile))
  return path.join(dir, `${path.basename(dbFile, path.extname(dbFile))}.key`)
}
