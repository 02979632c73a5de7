import path from 'node:path'
import { ScheduleLead } from '../engine/schedule-lead'
import { Scheduler } from '../engine/scheduler'
import { fileDue } from '../store/schedule-due'
import { systemUser, type ServiceContext } from './context'
import type { ContextOptions } from './context-options'
import { sweepExports } from './downloads'
import { loadEveryService } from './index'
import { fileWatchOf, StoreWatch } from './live/store-watch'
import { hasOwnMerchant, openSandbox } from './sandbox'
import { SearchIndexer } from './search-indexer'
import { dailyReconcileOf } from './statements/daily'
import { sweepUploads } from './uploads'

// The start-up the two hosts of the screens share, the desktop app (app/index.ts) and browser mode
// (`paysync serve`): the database's check in the background, the sandbox for a first look (apart from
// the books, services/sandbox.ts), the schedules of docs/domain.md section 7, the sweep of what the
// page left in the uploads and exports folders, the trades whose side effect had an unknown outcome
// synced again, what the database refused written once it takes it (section 6.8), the index that
// finds trades by a part of a number, what other processes change told to the window
// (services/live/), and an orderly stop. The schedules run in the one process that
// leads them (engine/schedule-lead.ts): another app or `paysync serve` on the same books ticks too,
// and takes over when the leader stops or dies.

/** How often expired uploads, handles and exports are swept while the host runs. */
const SWEEP_EVERY_MS = 60 * 60_000
/** How often a host tries again to write the attempts the database refused. */
const RECOVER_EVERY_MS = 30_000

/** Uploads and handles unused for half an hour, exports older than a day: gone. */
function sweepFiles(ctx: ServiceContext): void {
  try {
    sweepUploads(ctx)
    sweepExports(ctx)
  } catch (err) {
    // A folder that cannot be swept (a disk gone read-only) is tried again in an hour, the run goes on.
    console.error(`paysync: could not sweep the uploads and exports: ${(err as Error).message}`)
  }
}

/** Who acts and how the secrets unlock, as a host's environment says. */
export function hostOptions(): Pick<ContextOptions, 'passphrase' | 'keyFile' | 'operator' | 'systemUser'> {
  return {
    passphrase: process.env.PAYSYNC_PASSPHRASE || undefined,
    // A key file given by path (the team's, docs/team-mode.md B8.7) instead of the one beside the books.
    keyFile: process.env.PAYSYNC_KEY_FILE ? path.resolve(process.env.PAYSYNC_KEY_FILE) : undefined,
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

/**
 * The schedules of docs/domain.md section 7 for this host, and the daily reconciliation of
 * docs/reconcile.md A12. Their repairs name the host's operator and computer user, with the transport
 * `schedule` (an unattended pass is not a person's click). With a lead, they run while this process
 * leads them; the window's status reads it from the context.
 */
export function schedulerOf(ctx: ServiceContext, lead: ScheduleLead | null = null): Scheduler {
  ctx.scheduleLead = lead
  return new Scheduler(
    fileDue(ctx.db),
    ctx.engine,
    () => ctx.settings(),
    ctx.now,
    (at) => (ctx.lastScheduleRunAt = at),
    () => ctx.scheduleActor,
    dailyReconcileOf(ctx),
    lead,
  )
}

export async function startHost(ctx: ServiceContext, options: HostOptions): Promise<Host> {
  void ctx.checkIntegrity()
  // A host stays up: every service loads now, not on the first click that needs it.
  await loadEveryService()
  let scheduler: Scheduler | null = null
  // The process's one, on the books (ServiceContext.coordination): the context closes it.
  const coordination = ctx.coordination
  const startSchedules = (): void => {
    if (!options.schedules || scheduler) return
    scheduler = schedulerOf(ctx, new ScheduleLead(coordination, ctx.engine.owner))
    scheduler.start()
    ctx.schedulerStarted = true
  }
  // No merchant of the books' own: the sandbox, in a database of its own, until the person adds one.
  // The books' schedules start then; until then there is nothing of theirs to sync.
  if (options.sandbox && !hasOwnMerchant(ctx))
    await openSandbox(ctx, { schedules: options.schedules, onLeave: startSchedules })
  else startSchedules()
  sweepFiles(ctx)
  const sweeper = setInterval(() => sweepFiles(ctx), SWEEP_EVERY_MS)
  sweeper.unref()
  const recovering = setInterval(() => {
    if (ctx.engine.keepsAttempts()) ctx.recover()
    void syncAgain(ctx)
  }, RECOVER_EVERY_MS)
  recovering.unref()
  const again = syncAgain(ctx)
  const indexer = new SearchIndexer(ctx.db)
  indexer.start()
  // What other processes change in the books reaches the window while it listens (docs/team-mode.md B8.5).
  const watch = new StoreWatch(ctx, fileWatchOf(ctx))
  watch.start()
  return {
    async stop() {
      clearInterval(sweeper)
      clearInterval(recovering)
      indexer.stop()
      await watch.stop()
      // The pass in progress finishes what it started, so every attempt is recorded and its lease
      // given back before the database closes (the sandbox's, if it still runs, with it).
      await Promise.all([scheduler?.stop(), again])
      await ctx.close()
    },
  }
}

/**
 * A side effect whose outcome nobody recorded is never assumed: its trade is asked again, which
 * learns from the gateway what happened (docs/domain.md section 6.8).
 */
async function syncAgain(ctx: ServiceContext): Promise<void> {
  const trades = ctx.recovered?.syncAgain.splice(0) ?? []
  for (const t of trades) {
    try {
      await ctx.engine.sync(t.type, t.id, { source: 'schedule', operator: ctx.operator })
    } catch (err) {
      // Due now in the store as well: the schedule takes it up.
      console.error(`paysync: ${t.type} ${t.id} could not be synced again yet: ${(err as Error).message}`)
    }
  }
}
