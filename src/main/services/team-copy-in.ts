import path from 'node:path'
import { AppError } from '../../shared/errors'
import type { TeamDbCopyView } from '../../shared/team-db'
import { audit } from '../store/audit'
import type { ServiceContext } from './context'
import { copyFileIn } from './db-copy'

// teamDb.copyIn, 设置 → 团队数据库 (docs/team-mode.md B8.3): this app's own books into a team
// database. The source is the file this process works on, never a path from the window; the team
// database is named by its address, and only its masked form comes back, in the answer, the progress
// and the audit row. The app keeps working on its file meanwhile (B8.6).

/** The files a copy reads right now: one copy of a file at a time, whichever window asked. */
const copying = new Set<string>()

export async function copyBooksIn(ctx: ServiceContext, address: string): Promise<TeamDbCopyView> {
  if (ctx.options.dbFile === ':memory:') throw AppError.say('store', 'teamDb.copyMemory')
  const file = path.resolve(ctx.options.dbFile)
  if (copying.has(file)) throw AppError.say('conflict', 'teamDb.copyBusy')
  copying.add(file)
  try {
    const s = await copyFileIn(
      file,
      address,
      (p) => ctx.emit('teamDb.progress', p),
      ctx.options.store,
      // Only a copy that wrote is recorded: one that found the same rows there read, and wrote nothing.
      (result, to) =>
        audit(
          ctx.db,
          {
            ...ctx.actor,
            action: 'team_db_copied',
            target: to,
            detail: { tables: result.tables.length, rows: rowsOf(result.tables) },
          },
          ctx.now(),
        ),
    )
    return { outcome: s.outcome, to: s.to, tables: s.tables, rows: rowsOf(s.tables), ms: s.ms }
  } finally {
    copying.delete(file)
  }
}

const rowsOf = (tables: ReadonlyArray<{ rows: number }>) => tables.reduce((n, t) => n + t.rows, 0)
