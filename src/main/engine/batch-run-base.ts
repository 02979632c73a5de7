import type { BatchProgressEvent } from '../../shared/contract'
import type { BatchStatus, StorageFault } from '../../shared/domain'
import type { ItemDone } from '../store/batches'
import type { Coordination } from '../store/coordination/types'
import { storageFaultOf } from '../store/faults'
import type { StoreCalls } from '../store/sql/calls'
import type { BatchPlan } from './batch-claim'
import type { BatchLanes } from './batch-lanes'
import { BatchPeers } from './batch-peers'
import { BatchReporter } from './batch-progress'
import type { BatchTally } from './batch-tally'
import type { AttemptRunner } from './sync/attempts'

// A batch run's state, what its parts share: batch-runner.ts (its life: claiming, heartbeat, pause,
// resume, cancel, the end) on batch-work.ts (the items' tasks) on this. The run reads and writes its
// books through StoreCalls, so the same run works the desktop's file and a team database
// (docs/team-mode.md B8.10); on the file every call is done before it returns, as it always was.

/** What a run needs of the engine: attempts, and the name its claims and leases are held under. */
export type BatchEngine = Pick<AttemptRunner, 'sync' | 'owner'>

export interface BatchRunOptions {
  onProgress?: (p: BatchProgressEvent) => void
  /** How often progress is reported at most. */
  progressEveryMs?: number
  heartbeatMs?: number
  /** Wait before an item that met another worker's lease is looked at again. */
  conflictRetryMs?: number
  now?: () => number
  /** Where the batch's runners claim items and find one another: the store's own form. */
  coordination: Coordination
  /** How long a claim lasts without a heartbeat: how long a dead runner's items wait for another. */
  claimTtlMs?: number
  /**
   * End the run once the batch pauses, rather than wait for its resume: for a process where nobody can
   * resume it (the command line's foreground run, paused from the window or another command).
   */
  endWhenPaused?: boolean
}

export type FinishedItem = ItemDone
export const failed = (error: string): FinishedItem => ({
  outcome: 'error',
  gatewayStatus: null,
  syncRecordId: null,
  error,
})

/**
 * Items claimed at a time: about two seconds of this runner's calls, so that a small batch is shared
 * with a runner that joins rather than held by the first, between 32 and 512 (a page per claim).
 * With other runners, half a second: when one finds nothing more to claim, the items the others still
 * hold run at their smaller share to the end (docs/team-mode.md B8.5), so the less each holds then,
 * the sooner the batch ends.
 */
export const pageFor = (qps: number, runners = 1) =>
  Math.min(512, Math.max(32, Math.ceil(qps * (runners > 1 ? 0.5 : 2))))

export abstract class BatchRunBase {
  protected lanes!: BatchLanes
  protected readonly reporter: BatchReporter
  protected readonly coordination: Coordination
  protected readonly peers: BatchPeers
  protected readonly ttlMs: number
  protected cancelled = false
  protected paused = false
  /** Leaving for good (the process exits): the others go on with the batch. */
  protected leaving = false
  /** Items taken (queued, running or deferred) and not yet settled. */
  protected outstanding = 0
  /** Items a task is running now: kept when the rest of the claims are let go. */
  protected readonly active = new Set<number>()
  /** The items deferred after a lease conflict, by their timers. */
  protected readonly deferred = new Map<NodeJS.Timeout, number>()
  /** The last claim found nothing to take: the next comes with the heartbeat. */
  protected dry = false
  /** No item of the batch is pending any more, in any runner's hands. */
  protected drained = false
  protected plan!: BatchPlan
  protected finished!: () => void
  protected readonly done$ = new Promise<void>((r) => (this.finished = r))
  protected tally!: BatchTally
  protected total = 0
  protected readonly started = performance.now()
  protected status: BatchStatus = 'running'
  /** The storage fault that halted the run, if one did. */
  protected halted: StorageFault | null = null

  /** Cancelled, though the calls already on the wire are still being written. */
  get cancelling(): boolean {
    return this.cancelled
  }

  /** Why the run halted on its own: the storage refused a write. */
  get haltedBy(): StorageFault | null {
    return this.halted
  }

  constructor(
    protected readonly store: StoreCalls,
    protected readonly engine: BatchEngine,
    readonly batchId: number,
    protected readonly options: BatchRunOptions,
  ) {
    this.reporter = new BatchReporter(options.onProgress, options.progressEveryMs ?? 250)
    this.coordination = options.coordination
    this.ttlMs = options.claimTtlMs ?? 30_000
    this.peers = new BatchPeers(this.coordination, batchId, engine.owner, this.ttlMs)
  }

  protected now(): number {
    return (this.options.now ?? Date.now)()
  }

  /** One of the run's own reads or writes: a storage fault halts the run instead of escaping. */
  protected async guardAsync<T>(op: () => Promise<T>): Promise<T | undefined> {
    try {
      return await op()
    } catch (err) {
      const fault = storageFaultOf(err)
      if (!fault) throw err
      this.halt(fault)
      return undefined
    }
  }

  /** Another listener for the progress events, besides `onProgress`; returns its removal. */
  watch(listener: (p: BatchProgressEvent) => void): () => void {
    return this.reporter.watch(listener)
  }

  /**
   * Resolves once no attempt is in flight. While paused that is for good: nothing more is taken
   * until the batch resumes.
   */
  async idle(): Promise<void> {
    await this.lanes?.idle()
  }

  protected claiming(): boolean {
    return !this.cancelled && !this.halted && !this.paused && !this.leaving
  }

  protected report(force: boolean): void {
    if (!this.tally) return
    const t = performance.now()
    this.tally.sample(t)
    if (this.reporter.due(t, force)) this.reporter.emit(this.snapshot(this.status))
  }

  snapshot(status: BatchStatus = this.status): BatchProgressEvent {
    const p = { ...this.tally.snapshot(status), runners: this.peers.count }
    return status === 'paused' && this.halted ? { ...p, pauseReason: this.halted } : p
  }

  /** Halts the run on a storage fault (batch-runner.ts). */
  protected abstract halt(fault: StorageFault): void
  /** Claims more items while the lanes are hungry (batch-runner.ts). */
  protected abstract feed(): void
  /** Ends the run if nothing is outstanding and nothing more is to come (batch-runner.ts). */
  protected abstract endIfIdle(): void
}
