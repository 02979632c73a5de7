import type { Command } from 'commander'
import type { KeyStoreInfo } from '../../../../shared/contract'
import { AppError } from '../../../../shared/errors'
import { askNewSecret, askSecret, readSecretFile } from '../ask-secret'
import type { Io } from '../output'
import { call } from '../flags'
import { teamAddressOf, withContext, withTeamDesk } from '../runtime'

// `paysync keys headless on|off`: command-line access to the merchant secrets (docs/cli.md 1.5). The
// key file it writes opens every secret, so only the person decides: here, in their own shell, or
// in the desktop app's own dialog. Browser mode's page cannot (services/key-store.ts).

const SWITCH: Record<string, boolean> = { on: true, off: false }

/**
 * `keys passphrase set|change`: the team passphrase (docs/team-mode.md B8.7). The new one comes from
 * --passphrase-file, or for `set` PAYSYNC_PASSPHRASE, or is typed twice at the terminal; `change`
 * proves the current one with PAYSYNC_PASSPHRASE or asks for it. Never from an argument.
 */
async function teamPassphrase(action: 'set' | 'change', file: string | undefined) {
  const env = process.env.PAYSYNC_PASSPHRASE || undefined
  if (action === 'set')
    return { passphrase: file ? readSecretFile(file) : (env ?? (await askNewSecret('team passphrase'))) }
  const current = env ?? (await askSecret('current team passphrase: '))
  const passphrase = file ? readSecretFile(file) : await askNewSecret('new team passphrase')
  return { passphrase, current }
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('how the merchant secrets are protected')
  keys
    .command('headless <on|off>')
    .description(
      'on: add a key-file wrap of the merchant secrets beside the database, so a cron run can sign ' +
        '(the secrets must open first: PAYSYNC_PASSPHRASE); off: remove it',
    )
    .action(async (state: string, _opts: unknown, cmd: Command) => {
      const enabled = SWITCH[state]
      if (enabled === undefined) throw new AppError('invalid_input', `say on or off, not "${state}"`)
      await withContext(cmd, async (ctx, io) => {
        const info = await call(ctx, 'keys.setHeadless', { enabled }, {})
        if (io.json) return io.out(JSON.stringify(info))
        io.out(
          info.headless
            ? `command-line access is on: the key file ${info.keyFileName} beside the database opens the merchant secrets; never copy it to another computer`
            : 'command-line access is off: the merchant secrets open only in the desktop app (or with the passphrase)',
        )
      })
    })
  keys
    .command('passphrase <set|change>')
    .description(
      'the team passphrase every member opens the merchant secrets with (at least 12 characters): ' +
        'set adds it, change replaces it given the current one (PAYSYNC_PASSPHRASE or asked); the new ' +
        'one is typed twice, not shown, or read from --passphrase-file',
    )
    .option('--passphrase-file <file>', "the new passphrase, the file's first line (mode 0600)")
    .action(async (action: string, opts: { passphraseFile?: string }, cmd: Command) => {
      if (action !== 'set' && action !== 'change')
        throw new AppError('invalid_input', `say set or change, not "${action}"`)
      const said = (io: Io, info: KeyStoreInfo) =>
        io.json
          ? io.out(JSON.stringify(info))
          : io.out(
              `the team passphrase is ${action === 'set' ? 'set' : 'changed'}: with it, any desktop opens the ` +
                'merchant secrets of these books and of their copies made from now on (PAYSYNC_PASSPHRASE ' +
                'on the command line); give it to your team yourself, never in a chat or an email',
            )
      // On a team database the team's own keyring changes, as from a team window (docs/team-mode.md
      // B8.7): a team run from cron alone needs no window to set or change it.
      const address = teamAddressOf(cmd)
      if (address)
        return withTeamDesk(address, cmd, async (desk, io) => {
          const { setTeamPassphraseOn, teamKeyStoreOf, teamPassphraseBooks } =
            await import('../../../services/team-passphrase')
          await setTeamPassphraseOn(
            teamPassphraseBooks(desk),
            await teamPassphrase(action, opts.passphraseFile),
          )
          said(io, await teamKeyStoreOf(desk))
        })
      await withContext(cmd, async (ctx, io) => {
        const input = await teamPassphrase(action, opts.passphraseFile)
        said(io, await call(ctx, 'keys.setPassphrase', input, {}))
      })
    })
}
