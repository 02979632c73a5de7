import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EVENT_NAMES } from '../../shared/api'
import type { DemoRemoval } from '../../shared/views'
import { AppError } from '../../shared/errors'
import { ScheduleLead } from '../engine/schedule-lead'
import { Scheduler } from '../engine/scheduler'
import { fileDue } from '../store/schedule-due'
import { sqliteCoordination } from '../store/coordination/sqlite'
import { demoInBooksOn, isSandboxMerchant } from '../store/demo-data'
import { listMerchants } from '../store/merchants'
import { fileCalls } from '../store/sql/calls'
import { ServiceContext } from './context'
import type { SandboxRun } from './context-options'
import { reconcileDemoDays, startDemoWorld } from './demo'
import { removeDemoOn } from './demo-removal'
import { SearchIndexer } from './search-indexer'

// The built-in sandbox of the first start (docs/cli.md section 1.7): while the books have no
// merchant of their own, the app and browser mode show a simulated gateway with a day of demo orders,
// so every screen works at once. It lives in a database of its own, in a folder beside the books that
// is made afresh at each start and deleted when the sandbox ends: the books never hold any of it, and
// nothing syncs the demo once its gateway is gone (issue 14, item 2). The window works on the
// sandbox's database until the person adds a merchant of their own; that merchant goes into the books,
// the sandbox ends, and the window shows the books from then on.

/** The sandbox's folder for these books: `paysync.db` -> `paysync.sandbox/`. */
export function sandboxDir(booksFile: string): string {
  if (booksFile === ':memory:') return fs.mkdtempSync(path.join(os.tmpdir(), 'paysync-sandbox-'))
  const books = path.resolve(booksFile)
  return path.join(path.dirname(books), `${path.basename(books, path.extname(books))}.sandbox`)
}

/** Whether the books have a merchant of their own: what an older version's sandbox left does not count. */
export function hasOwnMerchant(books: ServiceContext): boolean {
  return listMerchants(books.db).some((m) => !isSandboxMerchant(m))
}

/**
 * Starts the sandbox for these books: its folder made afresh (a process that died may have left one),
 * the demo world in its own database, the schedules on it when this process runs schedules, its
 * events passed to the window. `onLeave` runs once the window has gone to the books.
 */
export async function openSandbox(
  books: ServiceContext,
  options: { schedules: boolean; onLeave?: () => void },
): Promise<SandboxRun> {
  const dir = sandboxDir(books.options.dbFile)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const nativeBinding = books.options.store?.nativeBinding
  const ctx = new ServiceContext({
    dbFile: path.join(dir, 'sandbox.db'),
    // The simulator's keys are made for this run and worth nothing: a key file in the sandbox's own
    // folder seals them, whatever protects the books' secrets.
    keyFile: path.join(dir, 'sandbox.key'),
    transport: books.options.transport,
    operator: books.operator,
    systemUser: books.options.systemUser,
    retry: books.options.retry,
    now: books.options.now,
    store: nativeBinding ? { nativeBinding } : undefined,
    dialogs: books.options.dialogs,
  })
  let world
  try {
    world = await startDemoWorld(ctx)
  } catch (err) {
    await ctx.close()
    fs.rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const { sim } = world
  const offs = EVENT_NAMES.map((event) => ctx.on(event, (payload) => books.emit(event, payload)))
  // The sandbox's schedules are led on its own database, by the rule the books' follow on theirs
  // (services/host.ts). Closed before the sandbox's database, whose connection its leader renews on.
  const coordination = options.schedules ? sqliteCoordination(ctx.db) : null
  const lead = coordination ? new ScheduleLead(coordination, ctx.engine.owner) : null
  const scheduler = lead
    ? new Scheduler(
        fileDue(ctx.db),
        ctx.engine,
        // The person's settings are the books' (settings.* always go there): the schedules follow them.
        () => books.settings(),
        ctx.now,
        (at) => (books.lastScheduleRunAt = at),
        () => ctx.scheduleActor,
        null,
        lead,
      )
    : null
  // The 对账 screens open on past days already reconciled (services/demo.ts), done while the window
  // opens; their syncs run before the schedules start, so no schedule takes a trade they want. Without
  // them the sandbox is still worth its look.
  let closing: Promise<void> | null = null
  const bills = reconcileDemoDays(ctx, sim)
    .catch((err: Error) => console.error(`sandbox: the demo's bill days were not reconciled: ${err.message}`))
    .then(() => {
      if (!closing) scheduler?.start()
    })
  if (scheduler) {
    books.schedulerStarted = true
    books.scheduleLead = lead
  }
  // The header's search finds the demo's trades by a part of a number, as it finds the books'.
  const indexer = new SearchIndexer(ctx.db)
  indexer.start(0)

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (books.sandbox === run) books.sandbox = null
      await bills
      // The attempts in flight are written before the database closes, as at any stop.
      await scheduler?.stop()
      if (books.scheduleLead === lead) books.scheduleLead = null
      await coordination?.close()
      indexer.stop()
      await ctx.close()
      await sim.close()
      offs.forEach((off) => off())
      fs.rmSync(dir, { recursive: true, force: true })
    })())
  const run: SandboxRun = {
    url: sim.url,
    ctx,
    close,
    async leave() {
      await close()
      options.onLeave?.()
    },
  }
  books.sandbox = run
  return run
}

/** What an older version's sandbox left in the books: none once removed. */
export function demoInBooks(ctx: ServiceContext): { merchants: number; trades: number } {
  return demoInBooksOn.sync(ctx.exec)
}

/**
 * Takes an older version's sandbox demo out of the books: its merchants and everything of theirs,
 * audited (services/demo-removal.ts). Refused while a batch runs in this process (it may hold demo
 * trades).
 */
export function removeDemoFromBooks(ctx: ServiceContext): Promise<DemoRemoval> {
  if (ctx.runs.size > 0) throw AppError.say('busy', 'demo.batchRunning')
  return removeDemoOn({
    calls: fileCalls(ctx.db),
    actor: ctx.actor,
    now: () => ctx.now(),
    forgetAdapter: (id) => ctx.forgetAdapter(id),
    changed: () => {},
  })
}
