import type { BatchProgressEvent } from '../../shared/contract'
import type { BatchStatus } from '../../shared/domain'
import type { BatchView } from '../../shared/entity-views'

// A running batch's progress events: to the run's own `onProgress` and to whoever watches it (the
// window's event stream, `paysync serve`), at most every `everyMs` unless a change of state forces one.

type Listener = (p: BatchProgressEvent) => void

export class BatchReporter {
  private last = 0
  private readonly watchers = new Set<Listener>()

  constructor(
    private readonly onProgress: Listener | undefined,
    private readonly everyMs: number,
  ) {}

  /** Another listener besides `onProgress`; returns its removal. */
  watch(listener: Listener): () => void {
    this.watchers.add(listener)
    return () => this.watchers.delete(listener)
  }

  /** Whether an event is due at `t` (performance.now()): forced, or the last one is old enough. */
  due(t: number, force: boolean): boolean {
    if (!force && t - this.last < this.everyMs) return false
    this.last = t
    return true
  }

  emit(p: BatchProgressEvent): void {
    this.onProgress?.(p)
    for (const listener of this.watchers) listener(p)
  }
}

/**
 * The progress a window is told of a batch no run of this process reports on (one that stopped with an
 * error): its stored counts, no rate.
 */
export function storedProgress(view: BatchView, status: BatchStatus = view.status): BatchProgressEvent {
  return {
    batchId: view.id,
    status,
    total: view.total,
    done: view.done,
    counts: view.counts,
    byGatewayStatus: {},
    rate: 0,
    etaSeconds: null,
    elapsedMs: 0,
  }
}
