import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import type { BatchProgressEvent, EventMap, EventName } from '../../shared/contract'
import { storedProgress } from '../engine/batch-progress'
import type { BatchRun } from '../engine/batch-runner'
import { ScheduleLead } from '../engine/schedule-lead'
import { Scheduler } from '../engine/scheduler'
import { batchStatesOn, readHeadsOn } from '../store/heads'
import { scheduleDueOn } from '../store/schedule-due'
import type { Unlisten } from '../store/coordination/types'
import type { BooksSwitch } from './books-switch'
import type { NativeDialogs } from './context-options'
import type { ChangeSignal } from './live/change-signal'
import { teamDailyReconcileOf } from './statements/team-daily'
import { sweepExports } from './downloads'
import { FileHandles } from './file-handles'
import { stopImports } from './import-task'
import { StoreWatch, type WatchedBooks } from './live/store-watch'
import { runTeamBatch, teamBatchView } from './team-batches'
import type { TeamDesk } from './team-desk'
import { sweepUploads } from './uploads'

// A team database served to a window (`paysync serve --db postgres://…`, docs/team-mode.md B8.13): the
// desk that reads and writes there, the events for the window, the batches this process runs in the
// background, and what stays on this computer, the files a browser downloads. What the other desktops
// commit reaches the window through LISTEN `store_changed`, read as the file's watch reads it.

const SWEEP_EVERY_MS = 60 * 60_000

/** A batch run of this process: its end, and the runner, to leave the batch when this host closes. */
interface LocalRun {
  done: Promise<unknown>
  runner: BatchRun | null
}

export interface TeamHostOptions {
  /** Who serves the window: browser mode's HTTP server, or the desktop app's IPC. */
  transport: 'http' | 'electron'
  /** The desktop app's native open and save dialogs. */
  dialogs?: NativeDialogs
  /** The desktop app's choice of books: back to its file, or another team database. */
  books?: BooksSwitch
  /** Run the schedules, led once per team (`serve --no-schedules` does not). */
  schedules?: boolean
}

export class TeamHost implements WatchedBooks {
  readonly events = new EventEmitter()
  readonly runs = new Map<number, LocalRun>()
  /** The files the page uploaded (a bill to reconcile), handed to it by id, never by path. */
  readonly handles = new FileHandles(() => this.now())
  /** No sandbox on a team database: the team's own merchants are the books. */
  readonly sandbox = null
  private readonly watch: StoreWatch
  private readonly sweeper: NodeJS.Timeout
  private closed = false
  /** The schedules of docs/domain.md section 7 on the team database, when this host runs them. */
  private scheduler: Scheduler | null = null
  readonly scheduleLead: ScheduleLead | null = null
  lastScheduleRunAt: number | null = null
  private lockedSaid = false

  constructor(
    readonly desk: TeamDesk,
    /** This computer's data folder: the downloads of this run's exports go under it. */
    private readonly dataDir: string,
    private readonly options: TeamHostOptions = { transport: 'http' },
  ) {
    this.events.setMaxListeners(100)
    this.watch = new StoreWatch(this, {
      signal: listenSignal(desk),
      reader: {
        heads: () => readHeadsOn.async(desk.reads.exec),
        batchStates: (ids) => batchStatesOn.async(desk.reads.exec, ids),
      },
    })
    this.watch.start()
    this.sweep()
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS)
    this.sweeper.unref()
    if (options.schedules) {
      this.scheduleLead = new ScheduleLead(desk.coordination(), desk.engine.owner)
      this.scheduler = this.schedulesOn(this.scheduleLead)
      this.scheduler.start()
    }
  }

  /**
   * The file's schedules on the team database (docs/team-mode.md B8.15): every desktop that serves a
   * window ticks, the one that leads the team's `schedules` job (an advisory lock) runs the pass and
   * the daily reconciliation (B8.19), with the team's settings read at each tick. No pass while the
   * team key is locked: each due trade would be recorded as failed for want of its merchant's secrets,
   * and no bill could be downloaded.
   */
  private schedulesOn(lead: ScheduleLead): Scheduler {
    const { desk } = this
    return new Scheduler(
      async (now, graceMs, limit) =>
        (await this.keyOpens()) ? scheduleDueOn.async(desk.reads.exec, now, graceMs, limit) : [],
      desk.engine,
      () => desk.settings(),
      Date.now,
      (at) => (this.lastScheduleRunAt = at),
      () => ({ ...desk.actor, transport: 'schedule' }),
      teamDailyReconcileOf(desk, {
        keyOpens: () => this.keyOpens(),
        runInBackground: (id, after, progress) => this.runInBackground(id, after, progress),
        progress: (statementId, phase, done, total) =>
          this.emit('statement.progress', { statementId, phase, done, total }),
      }),
      lead,
    )
  }

  private async keyOpens(): Promise<boolean> {
    try {
      await this.desk.merchants.secretBox()
      this.lockedSaid = false
      return true
    } catch (err) {
      if (!this.lockedSaid)
        console.error(`schedule: no pass until the team key is unlocked: ${(err as Error).message}`)
      this.lockedSaid = true
      return false
    }
  }

  get schedulesRunning(): boolean {
    return this.scheduler !== null
  }

  /** Uploads unused for half an hour and exports older than a day go, as the file's host sweeps them. */
  private sweep(): void {
    try {
      sweepUploads(this)
      sweepExports(this)
    } catch (err) {
      console.error(`paysync: could not sweep the uploads and exports: ${(err as Error).message}`)
    }
  }

  get engine(): { owner: string } {
    return this.desk.engine
  }

  get isOpen(): boolean {
    return !this.closed
  }

  get transport(): TeamHostOptions['transport'] {
    return this.options.transport
  }

  /** Browser mode writes every file into this run's exports folder, downloaded from there. */
  get downloadsOnly(): boolean {
    return this.options.transport === 'http'
  }

  get dialogs(): NativeDialogs | undefined {
    return this.options.dialogs
  }

  get books(): BooksSwitch | undefined {
    return this.options.books
  }

  now = (): number => Date.now()

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    this.events.emit(event, payload)
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    this.events.on(event, listener)
    return () => this.events.off(event, listener)
  }

  /**
   * This run's own files, apart from the desktop file's (a team database's exports are no file's):
   * `team-files/<host>_<port>_<database>/<kind>` in the data folder, this user's alone.
   */
  filesDir(kind: 'uploads' | 'exports' | 'statements', make = true): string {
    const t = this.desk.reads.target
    const name = `${t.host}_${t.port}_${t.database}`.replace(/[^A-Za-z0-9._-]/g, '_')
    const dir = path.join(this.dataDir, 'team-files', name, kind)
    if (make) fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    return dir
  }

  /**
   * Runs the batch from this process in the background, alongside whichever desktops run it too; its
   * progress goes to the window as the file's runs do. A second start of the same batch joins nothing.
   * `after` runs once this desktop's run has ended or stopped (a resync's outcomes written, its leases
   * let go), before the host closes the database. `progress` hears this desktop's progress events too
   * (a resync tells them as its statement's `sync` phase, as on the file).
   */
  runInBackground(
    batchId: number,
    after?: () => Promise<void>,
    progress?: (done: number, total: number) => void,
  ): void {
    const running = this.runs.get(batchId)
    if (running) {
      if (after) running.done = running.done.then(() => afterRun(batchId, after))
      return
    }
    const local: LocalRun = { done: Promise.resolve(), runner: null }
    const told = (p: BatchProgressEvent) => {
      this.emit('batch.progress', p)
      progress?.(p.done, p.total)
    }
    local.done = runTeamBatch(this.desk, batchId, told, {
      started: (runner) => (local.runner = runner),
    })
      .catch(async (err: Error) => {
        console.error(`batch ${batchId} stopped: ${err.message}`)
        // The database may not answer either: the window then asks again when the batch is shown.
        const view = await teamBatchView(this.desk, batchId).catch(() => null)
        if (view) this.emit('batch.progress', storedProgress(view, 'interrupted'))
      })
      .then(() => after && afterRun(batchId, after))
      .finally(() => this.runs.delete(batchId))
    this.runs.set(batchId, local)
  }

  /**
   * The watch, then this desktop's runs: each leaves its batch (paused when no other desktop runs it,
   * its calls in flight written), as the file's do when the app quits; its imports stop after their
   * page; then the database.
   */
  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.sweeper)
    await this.watch.stop()
    // The pass in progress writes what it asked; the lead goes to another desktop at its next tick.
    await this.scheduler?.stop()
    const runs = [...this.runs.values()]
    await Promise.all(runs.map((r) => r.runner?.stop()))
    await Promise.all(runs.map((r) => r.done))
    // An import of the window ends after its page in progress, as when the person cancels it.
    await stopImports(this)
    await this.desk.close()
  }
}

/** What follows a batch's run; its failure is said, and the host still closes. */
function afterRun(batchId: number, after: () => Promise<void>): Promise<void> {
  return after().catch((err: Error) => console.error(`batch ${batchId}: after its run: ${err.message}`))
}

/** PostgreSQL's form of the change signal: the writers' NOTIFY on `store_changed`, heard here. */
function listenSignal(desk: TeamDesk): ChangeSignal {
  return {
    watch(onHint) {
      let stopped = false
      let unlisten: Unlisten | null = null
      desk
        .coordination()
        .listen('store_changed', () => onHint('others'))
        .then((u) => {
          if (stopped) void u()
          else unlisten = u
        })
        .catch((err: Error) => console.error(`paysync: cannot follow the other desktops: ${err.message}`))
      return () => {
        stopped = true
        void unlisten?.()
      }
    },
  }
}
