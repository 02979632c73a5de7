import { AppError } from '../../shared/errors'
import { DEFAULT_RETRY, type RetryPolicy } from '../gateways/http'
import type { GatewayAdapter } from '../gateways/types'
import { unlockSecretsIn, type SecretBox } from '../store/keyring'
import { merchantById, openMerchantSecretsIn, type MerchantVersion } from '../store/merchants'
import { both, one, type Exec, type Q } from '../store/sql/exec'
import { lockedInWords, makeAdapter } from './merchant-adapter'

// The merchants of a team database as a command that calls their gateways needs them
// (docs/team-mode.md B8.7): `paysync sync --order N --db postgres://…` asks for the adapter of the
// order's merchant. The secrets open with the team's passphrase or key file, never this computer's
// key store, whose wrap opens nothing on another desktop.

const merchantByIdBoth = both(merchantById)
const openSecretsBoth = both(openMerchantSecretsIn)

type Version = MerchantVersion

const versionOn = both(function* (x: Exec, id: number): Q<Version | undefined> {
  return yield* one<Version>(x, 'SELECT updated_at, enabled, removed_at FROM merchants WHERE id = ?', [id])
})

const sameVersion = (a: Version | undefined, b: Version | undefined) =>
  a !== undefined &&
  b !== undefined &&
  a.updated_at === b.updated_at &&
  a.enabled === b.enabled &&
  a.removed_at === b.removed_at

/** The team's ways of opening the secrets: PAYSYNC_PASSPHRASE, PAYSYNC_KEY_FILE. */
export interface TeamKeys {
  passphrase?: string
  keyFile?: string
}

export class TeamMerchants {
  private box: Promise<SecretBox> | null = null
  private readonly adapters = new Map<number, { adapter: GatewayAdapter; version: Version }>()

  /**
   * `x` runs on the team database's pool, not inside a transaction: the re-seal an older profile
   * may need (openMerchantSecretsIn) is let fail, which would abort a transaction around it.
   */
  constructor(
    private readonly x: Exec,
    private keys: TeamKeys,
    /** As ServiceContext's: the options' retry policy, else the gateways' default. */
    readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** The team key, unlocked once; a failure is forgotten, so the next call tries again. */
  secretBox(): Promise<SecretBox> {
    this.box ??= this.unlock().catch((err: unknown) => {
      this.box = null
      throw lockedInWords(err)
    })
    return this.box
  }

  /** How this desktop opens the team key: told to the window, never the passphrase itself. */
  get opensWith(): { passphrase: boolean; keyFile: boolean } {
    return { passphrase: this.keys.passphrase !== undefined, keyFile: this.keys.keyFile !== undefined }
  }

  /**
   * The team passphrase typed in a window (keys.unlock): kept only when it opens the team key, so a
   * wrong one is one sentence and the next try starts clean.
   */
  async unlockWith(passphrase: string): Promise<void> {
    const before = this.keys
    this.keys = { ...before, passphrase }
    this.box = null
    try {
      await this.secretBox()
    } catch (err) {
      this.keys = before
      throw err
    }
  }

  private unlock(): Promise<SecretBox> {
    const { passphrase, keyFile } = this.keys
    if (passphrase === undefined && keyFile === undefined)
      return Promise.reject(AppError.say('secrets_locked', 'secrets.teamKeyNeeded'))
    return unlockSecretsIn(this.x, { passphrase, keyFile })
  }

  /**
   * A merchant's adapter, kept while its profile is as it was made from. Another desktop may change,
   * switch off or remove the profile at any time (docs/team-mode.md B8.17), and a message of it may
   * never come: so each use checks the row's version first, and a changed profile is read again. An
   * attempt's version comes read behind its lease, on the lease's round trip (`seen`,
   * engine/sync/pg-books.ts); any other use reads it here, one seek by primary key. A version the team database did not
   * answer (the network, the server) says nothing of the profile: the adapter as last read is used,
   * and the attempt's write waits in this computer's journal as any other (B8.9), rather than the
   * trade being recorded as a merchant that cannot be used.
   */
  async adapterFor(merchantId: number, seen?: Version): Promise<GatewayAdapter> {
    const cached = this.adapters.get(merchantId)
    if (cached) {
      const now = seen ?? (await versionOn.async(this.x, merchantId).catch(() => cached.version))
      if (sameVersion(cached.version, now)) return cached.adapter
    }
    this.adapters.delete(merchantId)
    const row = await merchantByIdBoth.async(this.x, merchantId)
    const adapter = await makeAdapter(
      merchantId,
      row,
      async (r) => openSecretsBoth.async(this.x, r, await this.secretBox()),
      this.retry,
    )
    const { updated_at, enabled, removed_at } = row!
    this.adapters.set(merchantId, { adapter, version: { updated_at, enabled, removed_at } })
    return adapter
  }

  forgetAdapter(merchantId: number): void {
    this.adapters.delete(merchantId)
  }
}
