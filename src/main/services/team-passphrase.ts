import type { KeyStoreInfo } from '../../shared/contract'
import { TEAM_PASSPHRASE_MIN, type Actor } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import { auditOn } from '../store/audit'
import { keyringSchemesOn, passphraseOpensOn, setPassphraseWrapOn, type SecretBox } from '../store/keyring'
import type { Exec } from '../store/sql/exec'
import type { StoreCalls } from '../store/sql/calls'
import { fileCalls, teamCalls } from '../store/sql/calls'
import { sqliteExec } from '../store/sql/sqlite-exec'
import type { ServiceContext } from './context'
import { keyStoreInfo } from './key-store'
import type { TeamDesk } from './team-desk'

// The team passphrase (docs/team-mode.md B8.7): the data key of these books wrapped under a
// passphrase every member of a team can type, so that a copy of the books opens on any desktop.
// The operating system's key store is one computer's; a key file must be handed around. Setting it
// needs the secrets open here first; changing it needs the current one too, since every member's
// passphrase stops working with it. Neither the passphrase nor any trace of it is answered, audited
// or logged: the audit row says that it was set or changed, by whom, and nothing more. Written once
// for the desktop's file and a team database, where a team window changes the team's passphrase.

/** What the change needs of the books it runs on and of the process that holds their key. */
export interface PassphraseBooks {
  exec: Exec
  calls: StoreCalls
  actor: Actor
  now(): number
  secretBox(): Promise<SecretBox>
  /** Opens the secrets with this passphrase from now on; a wrong one is refused. */
  givePassphrase(passphrase: string): Promise<void>
}

export async function setTeamPassphraseOn(
  books: PassphraseBooks,
  { passphrase, current }: { passphrase: string; current?: string },
): Promise<void> {
  if ([...passphrase].length < TEAM_PASSPHRASE_MIN)
    throw AppError.say('invalid_input', 'keys.teamTooShort', { n: TEAM_PASSPHRASE_MIN })
  // Looked at before unlocking: a passphrase offered to unlock adds a wrap of its own on the file
  // (store/keyring.ts).
  const had = (await keyringSchemesOn.async(books.exec)).includes('passphrase')
  if (had && current === undefined) throw AppError.say('conflict', 'keys.passphraseSetAlready')
  if (!had && current !== undefined) throw AppError.say('conflict', 'keys.noPassphraseYet')
  if (current !== undefined) {
    if (!(await passphraseOpensOn(books.exec, current)))
      throw AppError.say('secrets_locked', 'secrets.wrongPassphrase')
    // The current passphrase opens the secrets too, where nothing else here does (a typed one).
    await books.givePassphrase(current)
  }
  const box = await books.secretBox().catch((err: unknown) => {
    // Said as what to do about it here, not as the list of the ways in that this process lacks.
    if (err instanceof AppError && (err.id === 'secrets.locked' || err.id === 'secrets.teamKeyNeeded'))
      throw AppError.say('secrets_locked', 'keys.teamNeedsOpen')
    throw err
  })
  const action = had ? 'team_passphrase_changed' : 'team_passphrase_set'
  await books.calls.inTransaction(setPassphraseWrapOn, box, passphrase)
  await books.calls.run(auditOn, { ...books.actor, action, target: 'keyring' }, books.now())
  // This run opens with the new passphrase from now on (the one it held, if any, opens nothing now).
  await books.givePassphrase(passphrase)
}

/** On the desktop's file (keys.setPassphrase, `paysync keys passphrase`). */
export async function setTeamPassphrase(
  ctx: ServiceContext,
  change: { passphrase: string; current?: string },
): Promise<KeyStoreInfo> {
  await setTeamPassphraseOn(
    {
      exec: sqliteExec(ctx.db),
      calls: fileCalls(ctx.db),
      actor: ctx.actor,
      now: ctx.now,
      secretBox: () => ctx.secretBox(),
      givePassphrase: (p) => ctx.givePassphrase(p),
    },
    change,
  )
  return keyStoreInfo(ctx)
}

/**
 * A team database's books for the change: a team window's (`keys.setPassphrase` on a TeamHost) and
 * `paysync keys passphrase set|change --db postgres://…`. The key opens as the desk opens it
 * (PAYSYNC_PASSPHRASE, PAYSYNC_KEY_FILE or the window's unlock), or with the current passphrase.
 */
export function teamPassphraseBooks(desk: TeamDesk): PassphraseBooks {
  return {
    exec: desk.reads.exec,
    calls: teamCalls(desk.reads.pool),
    actor: desk.actor,
    now: Date.now,
    secretBox: () => desk.merchants.secretBox(),
    givePassphrase: (p) => desk.merchants.unlockWith(p),
  }
}

/**
 * How this desktop opens the team key, as a team window's key-store card and `--json` say it; never
 * the passphrase itself. `schemes` are the team keyring's wraps that open on any desktop, as a file's
 * are its keyring's.
 */
export async function teamKeyStoreOf(desk: TeamDesk): Promise<KeyStoreInfo> {
  const keys = desk.merchants.opensWith
  const wraps = await keyringSchemesOn.async(desk.reads.exec)
  return {
    backend: keys.keyFile ? 'keyfile' : 'passphrase',
    secure: false,
    schemes: wraps.filter((w) => w === 'passphrase' || w === 'keyfile'),
    keyFileName: null,
    headless: keys.keyFile,
    // The team key opens with the team passphrase or key file; a window without either asks for it.
    needsPassphrase: !keys.passphrase && !keys.keyFile,
  }
}
