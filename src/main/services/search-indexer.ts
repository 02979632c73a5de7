import type { Db } from '../store/connection'
import { indexTradeNumbers } from '../store/trade-search'

// Keeps the trigram index of the trades' numbers caught up (store/trade-search.ts) while the app or
// browser mode runs: a slice of trades at a time on the main thread, short enough that a call from the
// window never waits long behind one, back to back while there is a backlog (after an import of a
// million orders: about half a minute), then a look every few seconds.

/** Trades per slice: about 20 ms of indexing. */
const SLICE = 1_000
const IDLE_MS = 5_000
const BUSY_GAP_MS = 10

export class SearchIndexer {
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly db: Db,
    /** Told when a slice fails (the store busy under an import of another process): it tries again later. */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  start(firstMs = 1_000): void {
    if (this.timer || this.stopped) return
    this.schedule(firstMs)
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.slice(), ms)
    this.timer.unref()
  }

  private slice(): void {
    this.timer = null
    if (this.stopped) return
    let more = false
    try {
      more = indexTradeNumbers(this.db, SLICE)
    } catch (err) {
      this.onError(err)
    }
    this.schedule(more ? BUSY_GAP_MS : IDLE_MS)
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
