import type { BatchProgressEvent } from '../../shared/contract'
import type { BatchStatus, StorageFault, SyncSource, TradeType } from '../../shared/domain'
import { CallAbandonedError } from '../gateways/types'
import {
  claimBatch,
  completeBatchItem,
  deferBatchItem,
  heartbeatBatch,
  pendingItems,
  setBatchStatus,
} from '../store/batches'
import type { Db } from '../store/connection'
import { StorageFaultError, storageFaultOf } from '../store/faults'
import { latestRecordOfTrade } from '../store/records'
import { claimRun, type BatchPlan } from './batch-claim'
import { BatchLanes, type Lane } from './batch-lanes'
import { BatchReporter } from './batch-progress'
import type { BatchTally } from './batch-tally'
import { BUSY_CODE, TradeNotFoundError, type SyncEngine } from './sync'

// Runs a stored batch: a pool per merchant (concurrency), a QPS gate per merchant, progress events,
// pause, resume and cancel. The batch and its items are in the database before the first call, and
// each item is finished in the transaction that writes its sync record, so after a crash `resume`
// continues with exactly the items that did not finish: nothing is synced twice.
//
// When the storage refuses a write (the disk is full, an I/O error, a lock held past the busy
// timeout), the run halts (docs/domain.md section 6.8): nothing more is asked, the attempts in flight
// finish (their answers kept in the journal if the database refuses them too), and the run ends
// paused with the reason, for the window and the command line. No storage fault escapes a task: a
// process that runs batches (the window, `paysync serve`) stays up.

export interface BatchRunOptions {
  onProgress?: (p: BatchProgressEvent) => void
  /** How often progress is reported at most. */
  progressEveryMs?: number
  heartbeatMs?: number
  /** Wait before an item that met another worker's lease is looked at again. */
  conflictRetryMs?: number
  now?: () => number
}

type FinishedItem = Parameters<typeof completeBatchItem>[2]
const failed = (error: string): FinishedItem => ({
  outcome: 'error',
  gatewayStatus: null,
  syncRecordId: null,
  error,
})

/** Items read from the store at a time (batch-lanes.ts says when the next page is read). */
const PAGE = 512

export class BatchRun {
  /** One lane per merchant: queue, QPS gate, call slots. */
  private readonly lanes = new BatchLanes()
  private readonly reporter: BatchReporter
  private cancelled = false
  private paused = false
  /** Items handed to a queue and not yet settled. */
  private outstanding = 0
  /** The last item read from the store; every pending item after it is still to be read. */
  private cursor = 0
  private exhausted = false
  private plan!: BatchPlan
  private finished!: () => void
  private readonly done$ = new Promise<void>((r) => (this.finished = r))
  private tally!: BatchTally
  private readonly started = performance.now()
  private timers: NodeJS.Timeout[] = []
  private status: BatchStatus = 'running'
  /** The storage fault that halted the run, if one did. */
  private halted: StorageFault | null = null

  /** Cancelled, though the calls already on the wire are still being written. */
  get cancelling(): boolean {
    return this.cancelled
  }

  /** Why the run halted on its own: the storage refused a write. */
  get haltedBy(): StorageFault | null {
    return this.halted
  }

  constructor(
    private readonly db: Db,
    private readonly engine: SyncEngine,
    readonly batchId: number,
    private readonly options: BatchRunOptions = {},
  ) {
    this.reporter = new BatchReporter(options.onProgress, options.progressEveryMs ?? 250)
  }

  private now(): number {
    return (this.options.now ?? Date.now)()
  }

  /**
   * Claims the batch and runs it to its end (done, paused for good, cancelled, or paused by a storage
   * fault). A storage fault before the first call throws a StorageFaultError: nothing was asked.
   */
  async run(): Promise<BatchProgressEvent> {
    try {
      const started = this.start()
      if (started) return started
    } catch (err) {
      const fault = storageFaultOf(err)
      if (fault && !(err instanceof StorageFaultError)) throw new StorageFaultError(fault, null, err)
      throw err
    }

    const heartbeat = setInterval(
      () => this.guard(() => heartbeatBatch(this.db, this.batchId, this.engine.owner, this.now())),
      this.options.heartbeatMs ?? 5_000,
    )
    heartbeat.unref()
    this.timers.push(heartbeat)

    this.feed()
    this.report(true)
    await this.done$
    for (const t of this.timers) clearInterval(t)
    let final: BatchStatus = this.halted ? 'paused' : this.cancelled ? 'cancelled' : 'done'
    // Said in the store too when it takes it (a full disk still takes an update in place); when it
    // does not, the batch reads as interrupted there, and resumes all the same.
    this.guard(() => setBatchStatus(this.db, this.batchId, final, this.now(), this.halted))
    if (this.halted) final = 'paused'
    this.status = final
    const last = this.snapshot(final)
    this.reporter.emit(last)
    return last
  }

  /** Reads and claims the batch; a finished one's last progress instead, with nothing to run. */
  private start(): BatchProgressEvent | null {
    const claim = claimRun(this.db, this.batchId, this.engine.owner, this.now(), this.started)
    this.tally = claim.tally
    if (claim.ended) return this.snapshot(claim.ended)
    this.plan = claim.plan
    return null
  }

  /**
   * Halts the run on a storage fault: nothing more leaves the queues (the items that waited stay
   * pending in the store), the attempts in flight finish, and then the run ends paused.
   */
  private halt(fault: StorageFault): void {
    if (this.halted) return
    this.halted = fault
    this.paused = true
    this.outstanding -= this.lanes.clear()
    this.lanes.pause()
    if (!this.cancelled) this.status = 'paused'
    this.report(true)
    void this.idle().then(() => this.finished())
  }

  /** One of the run's own reads or writes: a storage fault halts the run instead of escaping. */
  private guard<T>(op: () => T): T | undefined {
    try {
      return op()
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

  pause(): void {
    if (this.cancelled || this.paused) return
    this.paused = true
    this.lanes.pause()
    this.status = 'paused'
    this.guard(() => setBatchStatus(this.db, this.batchId, 'paused', this.now()))
    this.report(true)
  }

  /**
   * For a process about to exit: pauses the batch (it resumes from the app or `batch resume`) and
   * resolves once the attempts in flight are written, so none loses its record or leaves its lease.
   */
  async stop(): Promise<void> {
    this.pause()
    await this.idle()
  }

  /**
   * Resolves once no attempt is in flight. While paused that is for good: the items that waited for
   * their turn are back in their (paused) queues, and nothing more leaves until `resume`.
   */
  async idle(): Promise<void> {
    await this.lanes.idle()
  }

  resume(): void {
    // A halted run is ending: a new run resumes the batch, once the store takes writes again.
    if (this.cancelled || !this.paused || this.halted) return
    this.paused = false
    claimBatch(this.db, this.batchId, this.engine.owner, this.now())
    this.status = 'running'
    this.lanes.start()
    this.report(true)
  }

  /** Stops starting new items; the ones in flight finish and are recorded. */
  cancel(): void {
    if (this.cancelled) return
    this.cancelled = true
    this.outstanding -= this.lanes.clear()
    this.lanes.start()
    this.status = 'cancelled'
    // Said at once: the window shows it cancelled while the calls on the wire come back.
    this.report(true)
    this.finishIfDone()
  }

  /**
   * Reads the next pages of pending items while the lanes are hungry. Items deferred after a lock
   * conflict are behind the cursor and come back by their own timer.
   */
  private feed(): void {
    while (!this.exhausted && !this.cancelled && !this.halted && this.lanes.hungry()) {
      const page = this.guard(() => pendingItems(this.db, this.batchId, this.cursor, PAGE))
      if (!page) return
      if (page.length < PAGE) this.exhausted = true
      for (const item of page) {
        this.cursor = item.id
        const merchant = item.merchant_id ?? 0
        this.outstanding += 1
        this.enqueue(this.lanes.of(merchant, this.plan, this.paused), item.id, () =>
          this.work(item.id, item.trade_type, item.trade_id, merchant, this.plan.source),
        )
      }
    }
    this.finishIfDone()
  }

  private finishIfDone(): void {
    if (this.outstanding <= 0 && (this.exhausted || this.cancelled)) this.finished()
  }

  /**
   * Hands an item's task to a queue. The tasks settle their item themselves and catch what the
   * engine throws, storage faults included; what still escapes is a bug. It is not lost: the item is
   * finished as an error where the store still takes it, and the failure is logged either way.
   */
  private enqueue(lane: Lane, itemId: number, task: () => Promise<void>): void {
    lane.queue.add(task).catch((err: unknown) => {
      const message = `internal error: ${err instanceof Error ? err.message : String(err)}`
      try {
        this.finish(itemId, failed(message))
      } catch (storeErr) {
        // The store refuses even this: the run halts if it is the storage; the log line stays.
        const fault = storageFaultOf(storeErr)
        if (fault) this.halt(fault)
      }
      console.error(`batch ${this.batchId}, item ${itemId}: ${message}`)
    })
  }

  private async work(
    itemId: number,
    type: TradeType,
    tradeId: number,
    merchant: number,
    source: SyncSource,
  ): Promise<void> {
    let requeued = false
    try {
      if (this.cancelled) return
      const result = await this.engine.sync(type, tradeId, {
        source,
        batchId: this.batchId,
        batchItemId: itemId,
        ...this.plan.actor,
        gate: this.lanes.get(merchant).gate,
        slots: this.lanes.get(merchant).slots,
        // Cancelled or paused while this item waited its turn at the gate: the gateway is not asked.
        stop: () => this.cancelled || this.paused,
      })
      if (result.outcome === 'skipped') {
        // Another worker holds the trade (maybe the desktop app while cron runs): come back later,
        // and if it has been synced meanwhile, take that result instead of asking the gateway again.
        const since = this.now()
        this.guard(() =>
          deferBatchItem(
            this.db,
            itemId,
            since + (this.options.conflictRetryMs ?? 2_000),
            result.errorCode ?? BUSY_CODE,
          ),
        )
        if (this.halted) return
        requeued = true
        const timer = setTimeout(() => {
          this.timers = this.timers.filter((t) => t !== timer)
          if (this.cancelled || this.halted) return this.settle()
          this.enqueue(this.lanes.get(merchant), itemId, () =>
            this.retryAfterConflict(itemId, type, tradeId, merchant, source, since),
          )
        }, this.options.conflictRetryMs ?? 2_000)
        this.timers.push(timer)
        return
      }
      this.tally.count(result.outcome, result.gatewayStatus)
    } catch (err) {
      if (err instanceof CallAbandonedError) {
        // Paused: the item waits in its (paused) queue for the resume. Cancelled or halted: it stays
        // pending, never asked, like the items that had not reached the queue.
        if (this.paused && !this.cancelled && !this.halted) {
          requeued = true
          this.enqueue(this.lanes.get(merchant), itemId, () =>
            this.work(itemId, type, tradeId, merchant, source),
          )
        }
        return
      }
      // The storage refused a write: the item stays pending (its answer, if the gateway gave one,
      // is kept and written before the batch runs again), and the run halts.
      const fault = storageFaultOf(err)
      if (fault) return this.halt(fault)
      const message =
        err instanceof TradeNotFoundError ? err.message : `internal error: ${(err as Error).message}`
      this.guard(() => this.finish(itemId, failed(message)))
    } finally {
      if (!requeued) this.settle()
    }
  }

  private async retryAfterConflict(
    itemId: number,
    type: TradeType,
    tradeId: number,
    merchant: number,
    source: SyncSource,
    since: number,
  ): Promise<void> {
    let other: ReturnType<typeof latestRecordOfTrade>
    try {
      other = this.guard(() => latestRecordOfTrade(this.db, type, tradeId, since))
      if (other) {
        const { outcome, gateway_status: gatewayStatus, id: syncRecordId, error_msg: error } = other
        this.guard(() => this.finish(itemId, { outcome, gatewayStatus, syncRecordId, error }))
      }
    } catch (err) {
      // Settled here, or the run would wait for this item for ever; enqueue's catch records it.
      this.settle()
      throw err
    }
    // Nobody synced it meanwhile: ask the gateway now (work settles the item itself).
    if (!other && !this.halted) return this.work(itemId, type, tradeId, merchant, source)
    this.settle()
  }

  /** Finishes an item without an attempt of its own (a bug, another worker's record), counted once. */
  private finish(itemId: number, item: FinishedItem): void {
    if (completeBatchItem(this.db, itemId, item)) this.tally.count(item.outcome, item.gatewayStatus)
  }

  private settle(): void {
    this.outstanding -= 1
    this.report(false)
    this.feed()
  }

  private report(force: boolean): void {
    const t = performance.now()
    this.tally.sample(t)
    if (this.reporter.due(t, force)) this.reporter.emit(this.snapshot(this.status))
  }

  snapshot(status: BatchStatus = this.status): BatchProgressEvent {
    const p = this.tally.snapshot(status)
    return status === 'paused' && this.halted ? { ...p, pauseReason: this.halted } : p
  }
}
