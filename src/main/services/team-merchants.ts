import { AppError } from '../../shared/errors'
import { DEFAULT_RETRY, type RetryPolicy } from '../gateways/http'
import type { GatewayAdapter } from '../gateways/types'
import { unlockSecretsIn, type SecretBox } from '../store/keyring'
import { merchantById, openMerchantSecretsIn } from '../store/merchants'
import { both, type Exec } from '../store/sql/exec'
import { lockedInWords, makeAdapter } from './merchant-adapter'

// The merchants of a team database as a command that calls their gateways needs them
// (docs/team-mode.md B8.7): `paysync sync --order N --db postgres://…` asks for the adapter of the
// order's merchant. The secrets open with the team's passphrase or key file, never this computer's
// key store, whose wrap opens nothing on another desktop.

const merchantByIdBoth = both(merchantById)
const openSecretsBoth = both(openMerchantSecretsIn)

/** The team's ways of opening the secrets: PAYSYNC_PASSPHRASE, PAYSYNC_KEY_FILE. */
export interface TeamKeys {
  passphrase?: string
  keyFile?: string
}

export class TeamMerchants {
  private box: Promise<SecretBox> | null = null
  private readonly adapters = new Map<number, GatewayAdapter>()

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

  async adapterFor(merchantId: number): Promise<GatewayAdapter> {
    const cached = this.adapters.get(merchantId)
    if (cached) return cached
    const adapter = await makeAdapter(
      merchantId,
      await merchantByIdBoth.async(this.x, merchantId),
      async (row) => openSecretsBoth.async(this.x, row, await this.secretBox()),
      this.retry,
    )
    this.adapters.set(merchantId, adapter)
    return adapter
  }

  forgetAdapter(merchantId: number): void {
    this.adapters.delete(merchantId)
  }
}
