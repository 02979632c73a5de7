import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { EventMap, EventName } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { joinProfile } from '../../shared/profiles'
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../shared/settings'
import { BatchRun } from '../engine/batch-runner'
import { SyncEngine } from '../engine/sync'
import { DEFAULT_RETRY, type RetryPolicy } from '../gateways/http'
import { createAdapter } from '../gateways/registry'
import type { GatewayAdapter } from '../gateways/types'
import { startCheckpointer, type Checkpointer } from '../store/checkpointer'
import { checkIntegrity } from '../store/integrity'
import { openStore, type Db, type OpenOptions } from '../store/connection'
import { SecretBox, SecretsLockedError, unlockSecrets, type SafeStorageWrapper } from '../store/keyring'
import { getMerchant, openMerchantSecrets } from '../store/merchants'
import { readSettings } from '../store/settings'
import { FileHandles } from './file-handles'

// Everything a service needs, made once per process: the store, the engine, the unlocked secrets, the
// adapters per merchant, the batches running here and the events for the window.

export interface ContextOptions {
  dbFile: string
  /** Key file beside the database (headless default). */
  keyFile?: string
  passphrase?: string
  safeStorage?: SafeStorageWrapper
  /** Which key store protects secrets, for the warning on screen. */
  keyStore?: { backend: string; secure: boolean }
  retry?: RetryPolicy
  /** Who acts, said explicitly (PAYSYNC_OPERATOR, the demo): wins over the name in Settings. */
  operator?: string | null
  /** The computer's user: who acts when neither an explicit operator nor Settings names one. */
  systemUser?: string | null
  store?: OpenOptions
  transport?: 'electron' | 'http' | 'cli'
  leaseMs?: number
  now?: () => number
  /** Native open and save dialogs; only the desktop app has them. */
  dialogs?: NativeDialogs
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

/** The database, its side files and the key files: never read for the page. */
function ownFiles(o: ContextOptions): string[] {
  if (o.dbFile === ':memory:') return o.keyFile ? [o.keyFile] : []
  const db = path.resolve(o.dbFile)
  return [db, `${db}-wal`, `${db}-shm`, `${db}-journal`, keyFileFor(db), ...(o.keyFile ? [o.keyFile] : [])]
}

export class ServiceContext {
  readonly db: Db
  readonly engine: SyncEngine
  readonly events = new EventEmitter()
  readonly runs = new Map<number, BatchRun>()
  readonly retry: RetryPolicy
  private box: Promise<SecretBox> | null = null
  private readonly adapters = new Map<number, GatewayAdapter>()
  readonly now: () => number
  /** The files the person chose (dialogs, uploads, the command line), by the ids the page holds. */
  readonly handles: FileHandles
  /** Set by the app or browser mode when the built-in sandbox gateway runs. */
  sandbox: { url: string; close: () => Promise<void> } | null = null
  lastScheduleRunAt: number | null = null
  /** Whether this process runs the schedules (`serve --no-schedules` does not, whatever Settings say). */
  schedulerStarted = false
  /** The whole-file check the app and browser mode run once after opening (see store/integrity.ts). */
  integrity: {
    status: 'unchecked' | 'checking' | 'ok' | 'damaged'
    problems: string[]
    checkedAt: number | null
  } = { status: 'unchecked', problems: [], checkedAt: null }
  private readonly checkpointer: Checkpointer | null

  constructor(readonly options: ContextOptions) {
    this.db = openStore(options.dbFile, options.store)
    this.checkpointer = options.store?.readonly
      ? null
      : startCheckpointer(this.db, options.dbFile, { nativeBinding: options.store?.nativeBinding })
    this.now = options.now ?? Date.now
    this.handles = new FileHandles(() => this.now(), ownFiles(options))
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
    })
    this.events.setMaxListeners(100)
  }

  /**
   * Where uploads, browser-mode exports and the statements' files (docs/reconcile.md A3) go: beside
   * the database; made unless only looked at.
   */
  filesDir(kind: 'uploads' | 'exports' | 'statements', make = true): string {
    const base =
      this.options.dbFile === ':memory:'
        ? path.join(os.tmpdir(), 'paysync')
        : path.dirname(path.resolve(this.options.dbFile))
    const dir = path.join(base, kind)
    if (make) fs.mkdirSync(dir, { recursive: true })
    return dir
  }

  /** Every repair, decision and batch names who did it: finance staff must be able to say who. */
  get operator(): string | null {
    return this.options.operator || this.settings().operatorName || this.options.systemUser || null
  }

  settings(): Settings {
    const stored = readSettings(this.db)
    const merged = { ...DEFAULT_SETTINGS, ...stored }
    const parsed = settingsSchema.safeParse(merged)
    return parsed.success ? parsed.data : DEFAULT_SETTINGS
  }

  /** Unlocks the data key on first use: listing merchants never needs it. */
  secretBox(): Promise<SecretBox> {
    this.box ??= unlockSecrets(this.db, {
      keyFile:
        this.options.keyFile ??
        (this.options.dbFile === ':memory:' ? undefined : keyFileFor(this.options.dbFile)),
      passphrase: this.options.passphrase,
      safeStorage: this.options.safeStorage,
    }).catch((err: unknown) => {
      this.box = null
      if (err instanceof SecretsLockedError)
        throw AppError.say('secrets_locked', 'secrets.locked', { detail: err.message })
      throw err
    })
    return this.box
  }

  async adapterFor(merchantId: number): Promise<GatewayAdapter> {
    const cached = this.adapters.get(merchantId)
    if (cached) return cached
    const row = getMerchant(this.db, merchantId)
    if (!row || row.removed_at !== null)
      throw AppError.say('config', 'merchant.noProfile', { id: merchantId })
    if (!row.enabled) throw AppError.say('config', 'merchant.disabled', { name: row.name })
    if (!row.secrets) throw AppError.say('config', 'merchant.noSecrets', { name: row.name })
    // Also seals a secret an older profile still keeps in its public settings (see openMerchantSecrets).
    const { settings, secrets } = openMerchantSecrets(this.db, row, await this.secretBox())
    const profile = joinProfile(row, settings, secrets)
    const adapter = createAdapter(profile, this.retry)
    this.adapters.set(merchantId, adapter)
    return adapter
  }

  forgetAdapter(merchantId: number): void {
    this.adapters.delete(merchantId)
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

    if (this.sandbox) await this.sandbox.close()
    this.db.close()
    await this.checkpointer?.stop()
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
