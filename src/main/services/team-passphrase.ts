import type { KeyStoreInfo } from '../../shared/contract'
import { TEAM_PASSPHRASE_MIN } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { audit } from '../store/audit'
import { keyringSchemes, passphraseOpens, setPassphraseWrap } from '../store/keyring'
import type { ServiceContext } from './context'
import { keyStoreInfo } from './key-store'

// The team passphrase (docs/team-mode.md B8.7): the data key of these books wrapped under a
// passphrase every member of a team can type, so that a copy of the books opens on any desktop.
// The operating system's key store is one computer's; a key file must be handed around. Setting it
// needs the secrets open here first; changing it needs the current one too, since every member's
// passphrase stops working with it. Neither the passphrase nor any trace of it is answered, audited
// or logged: the audit row says that it was set or changed, by whom, and nothing more.

export async function setTeamPassphrase(
  ctx: ServiceContext,
  { passphrase, current }: { passphrase: string; current?: string },
): Promise<KeyStoreInfo> {
  if ([...passphrase].length < TEAM_PASSPHRASE_MIN)
    throw AppError.say('invalid_input', 'keys.teamTooShort', { n: TEAM_PASSPHRASE_MIN })
  // Looked at before unlocking: a passphrase offered to unlock adds a wrap of its own (store/keyring.ts).
  const had = keyringSchemes(ctx.db).includes('passphrase')
  if (had && current === undefined) throw AppError.say('conflict', 'keys.passphraseSetAlready')
  if (!had && current !== undefined) throw AppError.say('conflict', 'keys.noPassphraseYet')
  if (current !== undefined) {
    if (!(await passphraseOpens(ctx.db, current)))
      throw AppError.say('secrets_locked', 'secrets.wrongPassphrase')
    // The current passphrase opens the secrets too, where nothing else here does (a typed one).
    await ctx.givePassphrase(current)
  }
  const box = await ctx.secretBox().catch((err: unknown) => {
    // Said as what to do about it here, not as the list of the ways in that this process lacks.
    if (err instanceof AppError && err.id === 'secrets.locked')
      throw AppError.say('secrets_locked', 'keys.teamNeedsOpen')
    throw err
  })
  setPassphraseWrap(ctx.db, box, passphrase)
  audit(
    ctx.db,
    { ...ctx.actor, action: had ? 'team_passphrase_changed' : 'team_passphrase_set', target: 'keyring' },
    ctx.now(),
  )
  // This run opens with the new passphrase from now on (the one it held, if any, opens nothing now).
  await ctx.givePassphrase(passphrase)
  return keyStoreInfo(ctx)
}
