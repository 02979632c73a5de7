import { AppError } from '../../shared/errors'
import { joinProfile } from '../../shared/profiles'
import type { RetryPolicy } from '../gateways/http'
import type { GatewayAdapter } from '../gateways/types'
import { SecretsLockedError, WrongPassphraseError } from '../store/keyring'
import type { MerchantRow } from '../store/merchants'

// A merchant's gateway adapter, made the same way from the books of a file (ServiceContext) and of a
// team database (TeamMerchants): the same refusals, in the same order, with the same sentences.

/** A profile's public settings and opened secrets (store/merchants.ts, openMerchantSecrets). */
type Opened = { settings: Record<string, string>; secrets: Record<string, string> }

/**
 * The adapter of the profile `row` (read for `merchantId`): refused when it is missing or removed,
 * disabled, or has no secrets, before anything is unlocked; `open` unlocks and opens its secrets.
 */
export async function makeAdapter(
  merchantId: number,
  row: MerchantRow | undefined,
  open: (row: MerchantRow) => Promise<Opened>,
  retry: RetryPolicy,
): Promise<GatewayAdapter> {
  if (!row || row.removed_at !== null) throw AppError.say('config', 'merchant.noProfile', { id: merchantId })
  if (!row.enabled) throw AppError.say('config', 'merchant.disabled', { name: row.name })
  if (!row.secrets) throw AppError.say('config', 'merchant.noSecrets', { name: row.name })
  const { settings, secrets } = await open(row)
  const profile = joinProfile(row, settings, secrets)
  // The adapters, their signing and their HTTP client load with the first merchant that syncs: a
  // list or an import never calls a gateway.
  const { createAdapter } = await import('../gateways/registry')
  return createAdapter(profile, retry)
}

/** The keyring's refusals as the sentences people read: a wrong passphrase is one of its own. */
export function lockedInWords(err: unknown): unknown {
  if (err instanceof WrongPassphraseError) return AppError.say('secrets_locked', 'secrets.wrongPassphrase')
  if (err instanceof SecretsLockedError)
    return AppError.say('secrets_locked', 'secrets.locked', { detail: err.message })
  return err
}
