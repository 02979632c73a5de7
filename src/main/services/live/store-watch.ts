import type { StoreChangedEvent } from '../../../shared/live'
import type { EventEmitter } from 'node:events'
import { batchStates, readHeads, type BatchState, type Heads } from '../../store/heads'
import type { ServiceContext } from '../context'
import { dataVersionSignal, type ChangeSignal, type CommitHint } from './change-signal'
import { goneBatches, storeChanged } from './moved'

// The window follows what other processes change in the books (docs/team-mode.md B8.5, "The window
// follows the others"). While someone listens to `store.changed` on the context (the app's window, a
// browser tab's event stream), a change signal says when another connection committed; the heads are
// read then and compared with the last reading, and what moved goes out as one `store.changed`. This
// process's own writes reach its windows through their own events (`batch.progress`, the answers of
// their calls), so a reading after them only becomes the new starting point, and the batches this
// process runs are left out of the event. Nothing is read, and no timer runs, while no one listens.

const EVENT = 'store.changed'

/**
 * How the watch reads the store: SQLite's functions on the context's connection by default; the
 * PostgreSQL store brings its own, asynchronous ones (docs/team-mode.md B8.5).
 */
export interface HeadsReader {
  heads(): Promise<Heads>
  /** The states of batches by id, for those that left the batches not yet over. */
  batchStates(ids: number[]): Promise<Map<number, BatchState>>
}

export interface StoreWatchOptions {
  /** What says that something may have changed. */
  signal: ChangeSignal
  reader: HeadsReader
}

/**
 * The books a window follows, as the watch sees them: the desktop's file (ServiceContext) or a team
 * database worked from this computer (services/team-host.ts).
 */
export interface WatchedBooks {
  readonly events: EventEmitter
  emit(event: typeof EVENT, payload: StoreChangedEvent): void
  now(): number
  /** While the window shows the sandbox (services/sandbox.ts), the books' changes are not on screen. */
  readonly sandbox: unknown
  /** This process's engine: the batches it runs are told by their own events. */
  readonly engine: { readonly owner: string }
  readonly runs: ReadonlyMap<number, unknown>
  /** False once the books are closed: a hint after that has nothing to read. */
  readonly isOpen: boolean
}

/** The desktop file's watch: SQLite's data_version on the context's connection, its heads read there. */
export function fileWatchOf(ctx: ServiceContext, everyMs?: number): StoreWatchOptions {
  return {
    signal: dataVersionSignal(ctx.db, { everyMs }),
    reader: {
      heads: async () => readHeads(ctx.db),
      batchStates: async (ids) => batchStates(ctx.db, ids),
    },
  }
}

export class StoreWatch {
  private readonly signal: ChangeSignal
  private readonly reader: HeadsReader
  private stopSignal: (() => void) | null = null
  private last: Heads | null = null
  /** A reading in progress, and the hint that came meanwhile: read once more after it. */
  private reading: Promise<void> | null = null
  private again: CommitHint | null = null
  /** A reading failed and was said; said again only after one succeeds, not twice a second. */
  private failing = false
  private readonly onListeners = (event: string | symbol) => {
    if (event === EVENT) queueMicrotask(() => this.follow())
  }

  constructor(
    private readonly ctx: WatchedBooks,
    options: StoreWatchOptions,
  ) {
    this.signal = options.signal
    this.reader = options.reader
  }

  /** Follows the listeners of `store.changed`: watching while there is one. */
  start(): void {
    this.ctx.events.on('newListener', this.onListeners)
    this.ctx.events.on('removeListener', this.onListeners)
    this.follow()
  }

  /** Stops for good (the host stops): the reading in progress, if any, is waited for. */
  async stop(): Promise<void> {
    this.ctx.events.off('newListener', this.onListeners)
    this.ctx.events.off('removeListener', this.onListeners)
    this.halt()
    await this.reading
  }

  /** Whether the signal is being watched now: someone listens. */
  get watching(): boolean {
    return this.stopSignal !== null
  }

  private follow(): void {
    const wanted = this.ctx.events.listenerCount(EVENT) > 0
    if (wanted && !this.stopSignal) {
      this.last = null
      this.stopSignal = this.signal.watch((hint) => this.hinted(hint))
      // The starting point: what the window shows is read now, by the window itself.
      this.hinted('own')
    } else if (!wanted) this.halt()
  }

  private halt(): void {
    this.stopSignal?.()
    this.stopSignal = null
    this.again = null
  }

  private hinted(hint: CommitHint): void {
    if (this.reading) {
      if (this.again !== 'others') this.again = hint
      return
    }
    this.reading = this.read(hint).finally(() => {
      this.reading = null
      const next = this.again
      this.again = null
      if (next && this.stopSignal) this.hinted(next)
    })
  }

  private async read(hint: CommitHint): Promise<void> {
    let now: Heads
    let gone = new Map<number, BatchState>()
    try {
      if (!this.ctx.isOpen) return
      now = await this.reader.heads()
      const left = this.last && hint === 'others' ? goneBatches(this.last, now) : []
      if (left.length) gone = await this.reader.batchStates(left)
    } catch (err) {
      // A failing disk: the next hint reads again, and the window keeps what it shows.
      if (!this.failing) console.error(`paysync: could not read what changed: ${(err as Error).message}`)
      this.failing = true
      return
    }
    this.failing = false
    const before = this.last
    this.last = now
    // While the window shows the sandbox (services/sandbox.ts) the books' changes are not on screen.
    if (!before || hint === 'own' || this.ctx.sandbox || !this.stopSignal) return
    const event: StoreChangedEvent | null = storeChanged(before, now, {
      owner: this.ctx.engine.owner,
      ownRuns: new Set(this.ctx.runs.keys()),
      gone,
      now: this.ctx.now(),
    })
    if (event) this.ctx.emit(EVENT, event)
  }
}
