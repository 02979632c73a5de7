import type { Command } from 'commander'
import { EXIT, exitState, ioOf } from '../runtime'
import { printCopy, progressPrinter } from './db-copy'

// `paysync db check <address>` (and `db copy`, db-copy.ts): a team database on PostgreSQL
// (docs/cli.md section 5.1, docs/team-mode.md B8). Neither prints a password: addresses are masked.

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('team databases on PostgreSQL: check an address, copy a database')
  db.command('check <address>')
    .description(
      'connect to postgres://… and say in one sentence whether PaySync Desk can use it (exit 1 if not)',
    )
    .action(async (address: string, _opts: unknown, cmd: Command) => {
      const io = ioOf(cmd)
      const { checkTeamDatabase } = await import('../../../services/team-db')
      const report = await checkTeamDatabase(address)
      if (!report.ok) exitState.code = EXIT.cannotRun
      if (io.json) return io.out(JSON.stringify(report))
      if (report.ok) io.out(`${report.address}: ${report.message}`)
      else io.err(`paysync: ${report.message}`)
    })
  db.command('copy')
    .description(
      'copy a whole database between a file and postgres://… (either way), counts and checksums ' +
        'verified on both sides; safe to run twice, never merges into other rows',
    )
    .requiredOption('--from <file|address>', 'the database to copy: a file, or postgres://…')
    .requiredOption(
      '--to <file|address>',
      'where to: an empty (or new) database, or one holding the same rows',
    )
    .action(async (opts: { from: string; to: string }, cmd: Command) => {
      const { copyDatabase } = await import('../../../services/db-copy')
      const io = ioOf(cmd)
      const passphrase = process.env.PAYSYNC_PASSPHRASE || undefined
      printCopy(io, await copyDatabase(opts.from, opts.to, progressPrinter(io), passphrase))
    })
}
