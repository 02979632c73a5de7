import type { Command } from 'commander'
import { AppError } from '../../../../shared/errors'
import { call } from '../flags'
import { withContext } from '../runtime'

// `paysync keys headless on|off`: command-line access to the merchant secrets (docs/cli.md 1.5). The
// key file it writes opens every secret, so only the person decides: here, in their own shell, or
// in the desktop app's own dialog. Browser mode's page cannot (services/key-store.ts).

const SWITCH: Record<string, boolean> = { on: true, off: false }

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
}
