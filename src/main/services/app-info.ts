import path from 'node:path'
import type { AppInfo } from '../../shared/contract'
import { isoOrNull } from '../../shared/time'
import { APP_VERSION } from '../../shared/version'
import type { ServiceContext } from './context'
import { keyStoreInfo } from './key-store'
import { demoInBooks } from './sandbox'

/** What the window shows about this run: version, database, key store, sandbox, schedules, integrity. */
export function appInfo(ctx: ServiceContext): AppInfo {
  const inWindow = ctx.options.transport === 'electron'
  return {
    version: APP_VERSION,
    // The desktop window shows where the database is: the person backs it up and must find it on
    // their own computer. A browser tab gets its name: `paysync serve` printed the path in the shell.
    dbFile: inWindow ? ctx.options.dbFile : path.basename(ctx.options.dbFile),
    team: null,
    systemUser: ctx.options.systemUser ?? null,
    transport: inWindow ? 'electron' : 'http',
    keyStore: keyStoreInfo(ctx),
    sandbox: { running: ctx.sandbox !== null, url: ctx.sandbox?.url ?? null },
    demoInBooks: demoInBooks(ctx),
    schedules: {
      enabled: ctx.settings().schedulesEnabled,
      running: ctx.schedulerStarted,
      lastRunAt: isoOrNull(ctx.lastScheduleRunAt),
      leader: scheduleLeader(ctx),
    },
    integrity: {
      status: ctx.integrity.status,
      problems: ctx.integrity.problems,
      checkedAt: isoOrNull(ctx.integrity.checkedAt),
    },
  }
}

/** Who led the schedules at this process's last tick: the lead remembers it, so no query runs here. */
function scheduleLeader(ctx: ServiceContext): AppInfo['schedules']['leader'] {
  const state = ctx.scheduleLead?.state()
  return state?.owner ? { self: state.self, owner: state.owner } : null
}
