import { Scheduler } from '../engine/scheduler'
import { systemUser, type ContextOptions, type ServiceContext } from './context'
import { hasOwnMerchant, openSandbox } from './sandbox'

// The start-up the two hosts of the screens share, the desktop app (app/index.ts) and browser mode
// (`paysync serve`): the database's check in the background, the sandbox for a first look (apart from
// the books, services/sandbox.ts), the schedules of docs/domain.md section 7, and an orderly stop.

/** Who acts and how the secrets unlock, as a host's environment says. */
export function hostOptions(): Pick<ContextOptions, 'passphrase' | 'operator' | 'systemUser'> {
  return {
    passphrase: process.env.PAYSYNC_PASSPHRASE || undefined,
    operator: process.env.PAYSYNC_OPERATOR || null,
    systemUser: systemUser(),
  }
}

export interface HostOptions {
  /** Start the built-in sandbox while the books have no merchant of their own. */
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
  let scheduler: Scheduler | null = null
  const startSchedules = (): void => {
    if (!options.schedules || scheduler) return
    scheduler = new Scheduler(
      ctx.db,
      ctx.engine,
      () => ctx.settings(),
      ctx.now,
      (at) => (ctx.lastScheduleRunAt = at),
    )
    scheduler.start()
    ctx.schedulerStarted = true
  }
  // No merchant of the books' own: the sandbox, in a database of its own, until the person adds one.
  // The books' schedules start then; until then there is nothing of theirs to sync.
  if (options.sandbox && !hasOwnMerchant(ctx))
    await openSandbox(ctx, { schedules: options.schedules, onLeave: startSchedules })
  else startSchedules()
  return {
    async stop() {
      // The pass in progress finishes what it started, so every attempt is recorded and its lease
      // given back before the database closes (the sandbox's, if it still runs, with it).
      await scheduler?.stop()
      await ctx.close()
    },
  }
}
