import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { EventMap, EventName } from '../../shared/contract'
import type { Actor, StorageFault } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { settingsOf, type Settings } from '../../shared/settings'
import type { BatchRun } from '../engine/batch-runner'
import { SyncEngine, type Recovery } from '../engine/sync'
import { ownerClosed } from '../engine/owner'
import type { ScheduleLead } from '../engine/schedule-lead'
import { DEFAULT_RETRY, type RetryPolicy } from '../gateways/http'
import type { GatewayAdapter } from '../gateways/types'
import { ImportWorkers } from '../files/import/worker-host'
import { startCheckpointer, type Checkpointer } from '../store/checkpointer'
import { leaveBatches } from '../store/batches'
import { sqliteCoordination } from '../store/coordination/sqlite'
import type { Coordination } from '../store/coordination/types'
import { checkIntegrity } from '../store/integrity'
import { inOneSnapshot, openStore, type Db } from '../store/connection'
import { journalFileFor } from '../store/journal'
import { keyringSchemes, removeWrap, SecretBox, unlockSecrets } from '../store/keyring'
import { getMerchant, openMerchantSecrets } from '../store/merchants'
import { readSettings } from '../store/settings'
import type { Exec } from '../store/sql/exec'
import { sqliteExec } from '../store/sql/sqlite-exec'
import { keyFileFor, type ContextOptions, type SandboxRun } from './context-options'
import { FileHandles } from './file-handles'
import { lockedInWords, makeAdapter } from './merchant-adapter'
import type { Reads } from './reads'

// Everything a service needs, made once per process: the store, the engine, the unlocked secrets, the
// adapters per merchant, the batches running here and the events for the window.

/** The database, its side files and the key files: never read for the page. */
function ownFiles(o: ContextOptions): string[] {
  if (o.dbFile === ':memory:') return o.keyFile ? [o.keyFile] : []
  const db = path.resolve(o.dbFile)
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`, keyFileFor(db), ...(o.keyFile ? [o.keyFile] : [])]
}

export class ServiceContext implements Reads {
  readonly db: Db
  /** The books as the lists read them, on SQLite here (services/reads.ts). */
  readonly exec: Exec
  readonly engine: SyncEngine
  readonly events = new EventEmitter()
  readonly runs = new Map<number, BatchRun>()
  /** Working with the other processes on the books: batch item claims, leaders (team-mode.md B8.5). */
  readonly coordination: Coordination
  /** Batches whose run in this process halted on a storage fault, and why (see runBatch). */
  readonly pauseReasons = new Map<number, StorageFault>()
  readonly retry: RetryPolicy
  private box: Promise<SecretBox> | null = null
  /** PAYSYNC_PASSPHRASE, or the one the person gave in the window for this run. */
  private passphrase: string | undefined
  private readonly adapters = new Map<number, GatewayAdapter>()
  readonly now: () => number
  /** The files the person chose (dialogs, uploads, the command line), by the ids the page holds. */
  readonly handles: FileHandles
  /**
   * The built-in sandbox while the window shows it (services/sandbox.ts): a simulated gateway and its
   * demo in a database of their own. Set on the books' context by the app and browser mode.
   */
  sandbox: SandboxRun | null = null
  lastScheduleRunAt: number | null = null
  /** Whether this process runs the schedules (`serve --no-schedules` does not, whatever Settings say). */
  schedulerStarted = false
  /** Whether this process or another leads the schedules of the database the window shows. */
  scheduleLead: ScheduleLead | null = null
  /** The whole-file check the app and browser mode run once after opening (see store/integrity.ts). */
  integrity: {
    status: 'unchecked' | 'checking' | 'ok' | 'damaged'
    problems: string[]
    checkedAt: number | null
  } = { status: 'unchecked', problems: [], checkedAt: null }
  private readonly checkpointer: Checkpointer | null
  /** What the recoveries of this process found: the trades whose side effect had an unknown outcome. */
  recovered: Recovery | null = null
  private workers: ImportWorkers | null = null

  constructor(readonly options: ContextOptions) {
    this.db = openStore(options.dbFile, options.store)
    this.exec = sqliteExec(this.db)
    this.checkpointer =
      options.store?.readonly || options.readsOnly
        ? null
        : startCheckpointer(this.db, options.dbFile, { nativeBinding: options.store?.nativeBinding })
    this.now = options.now ?? Date.now
    this.handles = new FileHandles(() => this.now(), ownFiles(options))
    this.passphrase = options.passphrase
    this.retry = options.retry ?? DEFAULT_RETRY
    const settings = this.settings()
    this.engine = new SyncEngine(this.db, (id) => this.adapterFor(id), {
      refundGraceMs: settings.refundGraceMinutes * 60_000,
      errorThreshold: settings.errorThreshold,
      // The lease outlives the worst attempt: query, close and a second query, each with its retries.
      leaseMs:
        options.leaseMs ??
        3 * (this.retry.retries + 1) * (this.retry.timeoutMs + this.retry.maxBackoffMs) + 30_000,
      now: this.now,
      journalFile: options.store?.readonly ? null : journalFileFor(options.dbFile),
      writeRetryMs: options.writeRetryMs,
    })
    this.coordination = sqliteCoordination(this.db)
    this.events.setMaxListeners(100)
    // Before anything else: what the database refused last time (docs/domain.md section 6.8).
    if (!options.store?.readonly) this.recover()
  }

  /**
   * Writes the attempts the database refused before, in this process or any other, and shows the
   * side effects nobody recorded (their trades are due again). Never fails the opening: what still
   * cannot be written waits, and a batch will not run until it is written.
   */
  recover(): Recovery | null {
    try {
      const r = this.engine.recover()
      if (r.syncAgain.length)
        this.recovered = { ...r, syncAgain: [...(this.recovered?.syncAgain ?? []), ...r.syncAgain] }
      if (r.written) console.error(`paysync: wrote ${r.written} gateway answer(s) the database had refused`)
      if (r.waiting)
        console.error(
          `paysync: ${r.waiting} gateway answer(s) still wait to be written (${r.fault ?? 'unknown'}); ` +
            'they are kept beside the database and written once it takes them',
        )
      if (r.syncAgain.length)
        console.error(
          `paysync: ${r.syncAgain.length} change(s) sent to a gateway had no recorded outcome: ` +
            'shown as anomalies, and their trades are synced again',
        )
      return r
    } catch (err) {
      console.error(`paysync: kept attempts could not be written yet: ${(err as Error).message}`)
      return null
    }
  }

  /**
   * Where uploads, browser-mode exports and the statements' files (docs/reconcile.md A3) go: beside
   * the database (the sandbox's, while it is shown); made unless only looked at.
   */
  filesDir(kind: 'uploads' | 'exports' | 'statements', make = true): string {
    if (this.sandbox) return this.sandbox.ctx.filesDir(kind, make)
    const base =
      this.options.dbFile === ':memory:'
        ? path.join(os.tmpdir(), 'paysync')
        : path.dirname(path.resolve(this.options.dbFile))
    const dir = path.join(base, kind)
    // Uploaded lists and exports are the books' data: this user's alone (review L5).
    if (make) fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    return dir
  }

  /** The threads imports run in, started with the first import. */
  get importWorkers(): ImportWorkers {
    this.workers ??= new ImportWorkers({
      dbFile: this.options.dbFile,
      nativeBinding: this.options.store?.nativeBinding,
      script: this.options.importWorker,
    })
    return this.workers
  }

  /** Every repair, decision and batch names who did it: finance staff must be able to say who. */
  get operator(): string | null {
    return this.options.operator || this.settings().operatorName || this.options.systemUser || null
  }

  /**
   * Who acts through this context: the declared operator, and beside it what no one can type in, the
   * computer's user and the transport. Every repair, decision, batch and audit row records all three.
   */
  get actor(): Actor {
    return {
      operator: this.operator,
      systemUser: this.options.systemUser ?? null,
      transport: this.options.transport ?? null,
    }
  }

  /** Browser mode writes every file into its exports folder, downloaded from there. */
  get downloadsOnly(): boolean {
    return this.options.transport === 'http'
  }

  /** The native dialogs (the desktop app's only) and the handles of what they chose. */
  get dialogHost(): { dialogs: ContextOptions['dialogs']; handles: FileHandles } {
    return { dialogs: this.options.dialogs, handles: this.handles }
  }

  /** Who the schedules of this process act as: its operator and user, by the schedule. */
  get scheduleActor(): Actor {
    return { ...this.actor, transport: 'schedule' }
  }

  settings(): Settings {
    return settingsOf(readSettings(this.db))
  }

  /** The key file beside the database, or the one the options name; none in memory. */
  get keyFile(): string | undefined {
    return (
      this.options.keyFile ??
      (this.options.dbFile === ':memory:' ? undefined : keyFileFor(this.options.dbFile))
    )
  }

  /**
   * Whether the secrets wait for a passphrase: the app has no secure key store (review I1: a
   * basic_text "store" protects nothing, so it is refused rather than only warned about), none was
   * given, and no key-file wrap (command-line access) opens them meanwhile.
   */
  needsPassphrase(): boolean {
    if (this.options.keyStore?.secure !== false || this.passphrase !== undefined) return false
    const keyFile = this.keyFile
    return !(keyringSchemes(this.db).includes('keyfile') && keyFile !== undefined && fs.existsSync(keyFile))
  }

  /** Unlocks the data key on first use: listing merchants never needs it. */
  secretBox(): Promise<SecretBox> {
    this.box ??= this.unlock().catch((err: unknown) => {
      this.box = null
      throw lockedInWords(err)
    })
    return this.box
  }

  private async unlock(): Promise<SecretBox> {
    const insecure = this.options.keyStore?.secure === false
    if (this.needsPassphrase())
      throw AppError.say('secrets_locked', 'secrets.passphraseNeeded', {
        backend: this.options.keyStore?.backend ?? 'none',
      })
    // An insecure store only reads what an older version wrapped with it.
    const olderWrap = insecure && keyringSchemes(this.db).includes('safestorage')
    const box = await unlockSecrets(this.db, {
      keyFile: this.keyFile,
      passphrase: this.passphrase,
      safeStorage: insecure && !olderWrap ? undefined : this.options.safeStorage,
    })
    // Moved under the passphrase now: the wrap that protected nothing goes.
    if (olderWrap && this.passphrase !== undefined) removeWrap(this.db, 'safestorage')
    return box
  }

  /**
   * A passphrase the person gave in the window: kept in memory for this run. The first one given
   * protects the secrets from then on; a wrong one is refused and forgotten.
   */
  async givePassphrase(passphrase: string): Promise<void> {
    const before = this.passphrase
    this.passphrase = passphrase
    this.box = null
    try {
      await this.secretBox()
    } catch (err) {
      this.passphrase = before
      this.box = null
      if (err instanceof AppError && err.code === 'secrets_locked')
        throw AppError.say('secrets_locked', 'secrets.wrongPassphrase')
      throw err
    }
  }

  async adapterFor(merchantId: number): Promise<GatewayAdapter> {
    const cached = this.adapters.get(merchantId)
    if (cached) return cached
    // Also seals a secret an older profile still keeps in its public settings (see openMerchantSecrets).
    const adapter = await makeAdapter(
      merchantId,
      getMerchant(this.db, merchantId),
      async (row) => openMerchantSecrets(this.db, row, await this.secretBox()),
      this.retry,
    )
    this.adapters.set(merchantId, adapter)
    return adapter
  }

  forgetAdapter(merchantId: number): void {
    this.adapters.delete(merchantId)
  }

  /** False once closed: what still runs on a timer has nothing to read. */
  get isOpen(): boolean {
    return this.db.open
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    this.events.emit(event, payload)
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    this.events.on(event, listener)
    return () => this.events.off(event, listener)
  }

  /** Checks the whole database file in the background; the result shows in app.info. */
  async checkIntegrity(): Promise<void> {
    if (this.options.dbFile === ':memory:' || this.integrity.status === 'checking') return
    this.integrity = { ...this.integrity, status: 'checking' }
    const r = await checkIntegrity(this.options.dbFile, {
      nativeBinding: this.options.store?.nativeBinding,
      now: this.now,
    })
    this.integrity = { status: r.status, problems: r.problems, checkedAt: r.checkedAt }
  }

  async close(): Promise<void> {
    await Promise.all([...this.runs.values()].map((run) => run.stop()))
    if (!this.options.store?.readonly) {
      // A last try for what the database refused; what the journal holds waits for the next opening.
      if (this.engine.keepsAttempts()) this.recover()
      // Batches halted by the storage that could not be marked paused then (a lock, an I/O error),
      // and this process's registrations as a runner of batches.
      leaveBatches(this.db, this.engine.owner, this.pauseReasons)
    }

    if (this.sandbox) await this.sandbox.close()
    await this.workers?.close()
    await this.coordination.close() // its leaderships renew on the books' connection
    this.db.close()
    await this.checkpointer?.stop()
    ownerClosed(this.engine.owner)
  }

  inOneReading<T>(fn: (r: Reads) => Promise<T>): Promise<T> {
    return inOneSnapshot(this.db, () => fn(this))
  }
}

/** The name of the computer's user, for records made without an operator set in Settings. */
export function systemUser(): string | null {
  try {
    return os.userInfo().username || null
  } catch {
    // No passwd entry (some containers): the environment may still say.
    return process.env.USER || process.env.USERNAME || null
  }
}
