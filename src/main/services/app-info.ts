import type { AppInfo } from '../../shared/contract'
import { isoOrNull } from '../../shared/time'
import { APP_VERSION } from '../../shared/version'
import type { ServiceContext } from './context'
import { keyStoreInfo } from './key-store'
import { demoInBooks } from './sandbox'

/** What the window shows about this run: version, database, key store, sandbox, schedules, integrity. */
export function appInfo(ctx: ServiceContext): AppInfo {
  return {
    version: APP_VERSION,
    dbFile: ctx.options.dbFile,
    systemUser: ctx.options.systemUser ?? null,
    transport: ctx.options.transport === 'electron' ? 'electron' : 'http',
    keyStore: keyStoreInfo(ctx),
    sandbox: { running: ctx.sandbox !== null, url: ctx.sandbox?.url ?? null },
    demoInBooks: demoInBooks(ctx),
    schedules: {
      enabled: ctx.settings().schedulesEnabled,
      running: ctx.schedulerStarted,
      lastRunAt: isoOrNull(ctx.lastScheduleRunAt),
    },
    integrity: {
      status: ctx.integrity.status,
      problems: ctx.integrity.problems,
      checkedAt: isoOrNull(ctx.integrity.checkedAt),
    },
  }
}
