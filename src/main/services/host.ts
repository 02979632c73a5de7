import { Scheduler } from '../engine/scheduler'
import { listMerchants } from '../store/merchants'
import { systemUser, type ContextOptions, type ServiceContext } from './context'
import { startSandbox } from './demo'
import { SearchIndexer } from './search-indexer'

// The start-up the two hosts of the screens share, the desktop app (app/index.ts) and browser mode
// (`paysync serve`): the database's check in the background, the sandbox gateway for a first look,
// the schedules of docs/domain.md section 7, the index that finds trades by a part of a number, and
// an orderly stop.

/** Who acts and how the secrets unlock, as a host's environment says. */
export function hostOptions(): Pick<ContextOptions, 'passphrase' | 'operator' | 'systemUser'> {
  return {
    passphrase: process.env.PAYSYNC_PASSPHRASE || undefined,
    operator: process.env.PAYSYNC_OPERATOR || null,
    systemUser: systemUser(),
  }
}

export interface HostOptions {
  /** Start the built-in sandbox gateway while no real merchant is set up. */
  sandbox: boolean
  /** Run the schedules in this process (`serve --no-schedules` does not, whatever Settings say). */
  schedules: boolean
}

export interface Host {
  /** Stops the schedules and closes the context: the attempts in flight are written first. */
  stop(): Promise<void>
}

export async function startHost(ctx: ServiceContext, options: HostOptions): Promise<Host> {
  void ctx.checkIntegrity()
  // No merchant, or only the sandbox's own (demo-*): the sandbox and, on a first start, its demo
  // orders, so the screens have something to show at once.
  const merchants = listMerchants(ctx.db)
  if (options.sandbox && merchants.every((m) => m.name.startsWith('demo-')))
    await startSandbox(ctx, { seedOrders: merchants.length === 0 })
  const scheduler = options.schedules
    ? new Scheduler(
        ctx.db,
        ctx.engine,
        () => ctx.settings(),
        ctx.now,
        (at) => (ctx.lastScheduleRunAt = at),
      )
    : null
  if (scheduler) {
    scheduler.start()
    ctx.schedulerStarted = true
  }
  const indexer = new SearchIndexer(ctx.db)
  indexer.start()
  return {
    async stop() {
      indexer.stop()
      // The pass in progress finishes what it started, so every attempt is recorded and its lease
      // given back before the database closes.
      await scheduler?.stop()
      await ctx.close()
    },
  }
}
