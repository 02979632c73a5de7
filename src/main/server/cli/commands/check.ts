import type { Command } from 'commander'
import { EXIT, existingDbFile, exitState, ioOf } from '../runtime'

// `paysync check`: the whole database file read through, for cron and for after a disk or power
// failure. Opening a database only proves its header and schema; damage deep in a table shows only
// when something reads it. Exit 0 when nothing is found, 1 on damage.

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('read the whole database file for damage (SQLite quick_check); exit 1 if any is found')
    .action(async (_opts, cmd: Command) => {
      const io = ioOf(cmd)
      const file = existingDbFile(cmd)
      const { openStore } = await import('../../../store/connection')
      const { checkIntegrity } = await import('../../../store/integrity')
      // The same clear refusal as every command for a file that is not a database or is newer.
      openStore(file, { readonly: true }).close()
      const r = await checkIntegrity(file)
      if (r.status === 'damaged') exitState.code = EXIT.cannotRun
      if (io.json) {
        io.out(JSON.stringify({ file, ...r, checkedAt: new Date(r.checkedAt).toISOString() }))
        return
      }
      if (r.status === 'ok') io.out(`${file}: no damage found (${r.ms} ms)`)
      else {
        io.err(`${file} is damaged; restore it from a backup (the file was not changed). What SQLite found:`)
        for (const p of r.problems) io.err(`  ${p}`)
      }
    })
}
