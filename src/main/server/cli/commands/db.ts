import type { Command } from 'commander'
import { EXIT, exitState, ioOf } from '../runtime'

// `paysync db check <address>` (and `db copy`, db-copy.ts): a team database on PostgreSQL
// (docs/cli.md section 1.8, docs/team-mode.md). Neither prints a password: addresses are masked.

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
}
