import { AppError } from '../../shared/errors'
import { say } from '../../shared/messages'
import { SCHEMA_VERSION } from '../store/migrate'
import type { TeamDbReport } from '../../shared/team-db'
import { checkTeamDb } from '../store/pg/check'
import { hideCredentials } from '../store/pg/address'
import { isPgUrl, pgTarget, type PgTarget } from '../store/pg/connect'

// A team database as the command line (`paysync db check`) and 设置 → 团队数据库 (teamDb.check) see it
// (docs/team-mode.md B8.2): its masked address and the check's sentence in both languages.

/** The parts of a PostgreSQL address, or one sentence saying it is none (never echoing a password). */
export function teamDbTarget(address: string): PgTarget {
  const refuse = () => {
    // Whatever follows the scheme may hold a password: only what precedes an @ is left out.
    const shown = hideCredentials(address)
    return AppError.say('invalid_input', 'teamDb.notAddress', { address: shown })
  }
  if (!isPgUrl(address)) throw refuse()
  try {
    return pgTarget(address)
  } catch {
    throw refuse()
  }
}

export async function checkTeamDatabase(address: string): Promise<TeamDbReport> {
  const target = teamDbTarget(address)
  const check = await checkTeamDb(target)
  return {
    ...check,
    address: target.masked,
    knows: SCHEMA_VERSION,
    message: say(check.id, check.params),
    messageZh: say(check.id, check.params, 'zh-CN'),
  }
}
