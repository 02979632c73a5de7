import { AppError } from '../../shared/errors'
import type { MessageId } from '../../shared/messages'
import type { TeamDbSwitch } from '../../shared/team-db'
import type { BooksChooser } from './books-choice'
import { checkTeamDatabase, teamDbTarget } from './team-db'

// 设置 → 团队数据库 → 在团队数据库上工作 (docs/team-mode.md B8.14): the desktop app keeps the choice
// (services/books-choice.ts) and starts again on those books. Only the app chooses: browser mode
// serves the books `paysync serve --db` named, and PAYSYNC_DB, when set, decides for the app.

/** What the desktop app lends the services to change its books. */
export interface BooksSwitch {
  chooser: BooksChooser
  /** What PAYSYNC_DB named (masked), when it chose the books: then they are not chosen here. */
  fixedBy: string | null
  /** Quits, the batches of this desktop left and its attempts written, and starts again. */
  restart(): void
}

/** After the answer has reached the window: the restart closes the window it would be sent to. */
const RESTART_AFTER_MS = 300

function switchable(sw: BooksSwitch | undefined, address: string): BooksSwitch {
  if (!sw) throw AppError.say('conflict', 'teamDb.appOnly', { address })
  if (sw.fixedBy) throw AppError.say('conflict', 'teamDb.fixedByEnv', { books: sw.fixedBy })
  return sw
}

/**
 * The team database becomes this desktop's books: checked first (reachable, the password right, a
 * PaySync Desk database that is not newer than this version, and not empty), kept, then the app
 * starts again on it.
 */
export async function useTeamBooks(sw: BooksSwitch | undefined, address: string): Promise<TeamDbSwitch> {
  const masked = teamDbTarget(address).masked
  const chosen = switchable(sw, masked)
  const report = await checkTeamDatabase(address)
  if (report.state === 'empty') throw AppError.say('conflict', 'teamDb.emptyFirst', { address: masked })
  if (report.state !== 'ready' && report.state !== 'older')
    throw AppError.say('conflict', report.id as MessageId, report.params)
  await chosen.chooser.useTeam(address)
  setTimeout(() => chosen.restart(), RESTART_AFTER_MS).unref()
  return { books: masked, restarting: true }
}

/** This computer's own file becomes the books again; the app starts again on it. */
export function useFileBooks(sw: BooksSwitch | undefined): TeamDbSwitch {
  const chosen = switchable(sw, 'postgres://…')
  chosen.chooser.useFile()
  setTimeout(() => chosen.restart(), RESTART_AFTER_MS).unref()
  return { books: 'file', restarting: true }
}
