import PQueue from 'p-queue'
import type { BatchProgressEvent } from '../../shared/contract'
import type {
  Actor,
  BatchStatus,
  GatewayStatus,
  StorageFault,
  SyncSource,
  TradeType,
} from '../../shared/domain'
import { CallSlots, RateGate } from '../gateways/rate-gate'
import { CallAbandonedError } from '../gateways/types'
import {
  batchCounts,
  claimBatch,
  completeBatchItem,
  deferBatchItem,
  getBatch,
  heartbeatBatch,
  pendingItems,
  releaseBatch,
  setBatchStatus,
} from '../store/batches'
import type { Db } from '../store/connection'
import { StorageFaultError, storageFaultOf } from '../store/faults'
import { latestRecordOfTrade } from '../store/records'
import { BatchTally } from './batch-tally'
import { ownerIsDeadHere } from './owner'
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

export class BatchBusyError extends Error {
  constructor(id: number) {
    super(
      `batch ${id} is being run by another process; wait for it, or resume it once that process has stopped`,
    )
    this.name = 'BatchBusyError'
  }
}

/**
 * Items read from the store at a time; how few may wait in a merchant's queue before the next read;
 * and how many may wait in all, which bounds memory when one merchant's items come far apart.
 */
const PAGE = 512
const LOW_WATER = 128
const MAX_WAITING = 16_384

export class BatchRun {
  private readonly queues = new Map<number, PQueue>()
  private readonly gates = new Map<number, RateGate>()
  private readonly slots = new Map<number, CallSlots>()
  private cancelled = false
  private paused = false
  /** Items handed to a queue and not yet settled. */
  private outstanding = 0
  /** The last item read from the store; every pending item after it is still to be read. */
  private cursor = 0
  private exhausted = false
  private plan!: { concurrency: number; qps: number; source: SyncSource; actor: Actor }
  private finished!: () => void
  private readonly done$ = new Promise<void>((r) => (this.finished = r))
  private tally!: BatchTally
  private readonly started = performance.now()
  private lastReport = 0
  private timers: NodeJS.Timeout[] = []
  private status: BatchStatus = 'running'
  /** The storage fault that halted the run, if one did. */
  private halted: StorageFault | null = null
  private readonly watchers = new Set<(p: BatchProgressEvent) => void>()

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
  ) {}

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
    this.emit(last)
    return last
  }

  /** Reads and claims the batch; a finished one's last progress instead, with nothing to run. */
  private start(): BatchProgressEvent | null {
    const batch = getBatch(this.db, this.batchId)
    if (!batch) throw new Error(`batch ${this.batchId} does not exist`)
    const counted = batchCounts(this.db, this.batchId)
    this.tally = new BatchTally(
      this.batchId,
      batch.total,
      counted.done,
      counted.counts,
      counted.byGatewayStatus as Partial<Record<GatewayStatus, number>>,
      this.started,
    )
    if (batch.status === 'done' || batch.status === 'cancelled') return this.snapshot(batch.status)
    // A runner that died on this machine (kill -9, a crash) gives way at once.
    if (batch.status === 'running' && ownerIsDeadHere(batch.owner)) releaseBatch(this.db, this.batchId)
    if (!claimBatch(this.db, this.batchId, this.engine.owner, this.now()))
      throw new BatchBusyError(this.batchId)
    // Whoever started the batch is who its repairs and records name, also when it is resumed later.
    this.plan = {
      concurrency: batch.concurrency,
      qps: batch.qps,
      source: batch.source,
      actor: { operator: batch.operator, systemUser: batch.system_user, transport: batch.transport },
    }
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
    for (const q of this.queues.values()) {
      this.outstanding -= q.size
      q.clear()
      q.pause()
    }
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
    this.watchers.add(listener)
    return () => this.watchers.delete(listener)
  }

  pause(): void {
    if (this.cancelled || this.paused) return
    this.paused = true
    for (const q of this.queues.values()) q.pause()
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
    await Promise.all([...this.queues.values()].map((q) => q.onPendingZero()))
  }

  resume(): void {
    // A halted run is ending: a new run resumes the batch, once the store takes writes again.
    if (this.cancelled || !this.paused || this.halted) return
    this.paused = false
    claimBatch(this.db, this.batchId, this.engine.owner, this.now())
    this.status = 'running'
    for (const q of this.queues.values()) q.start()
    this.report(true)
  }

  /** Stops starting new items; the ones in flight finish and are recorded. */
  cancel(): void {
    if (this.cancelled) return
    this.cancelled = true
    for (const q of this.queues.values()) {
      this.outstanding -= q.size
      q.clear()
      q.start()
    }
    this.status = 'cancelled'
    // Said at once: the window shows it cancelled while the calls on the wire come back.
    this.report(true)
    this.finishIfDone()
  }

  /**
   * Reads the next pages of pending items while some merchant's queue runs short (a merchant whose
   * items are all read stays short, so reading goes on until all wait or MAX_WAITING do). Items deferred
   * after a lock conflict are behind the cursor and come back by their own timer.
   */
  private feed(): void {
    while (!this.exhausted && !this.cancelled && !this.halted && this.hungry()) {
      const page = this.guard(() => pendingItems(this.db, this.batchId, this.cursor, PAGE))
      if (!page) return
      if (page.length < PAGE) this.exhausted = true
      for (const item of page) {
        this.cursor = item.id
        const merchant = item.merchant_id ?? 0
        this.outstanding += 1
        this.enqueue(this.queue(merchant, this.plan.concurrency, this.plan.qps), item.id, () =>
          this.work(item.id, item.trade_type, item.trade_id, merchant, this.plan.source),
        )
      }
    }
    this.finishIfDone()
  }

  private hungry(): boolean {
    if (this.queues.size === 0) return true
    let waiting = 0
    let short = false
    for (const q of this.queues.values()) {
      waiting += q.size
      if (q.size < LOW_WATER) short = true
    }
    return short && waiting < MAX_WAITING
  }

  private finishIfDone(): void {
    if (this.outstanding <= 0 && (this.exhausted || this.cancelled)) this.finished()
  }

  /**
   * Hands an item's task to a queue. The tasks settle their item themselves and catch what the
   * engine throws, storage faults included; what still escapes is a bug. It is not lost: the item is
   * finished as an error where the store still takes it, and the failure is logged either way.
   */
  private enqueue(q: PQueue, itemId: number, task: () => Promise<void>): void {
    q.add(task).catch((err: unknown) => {
      const message = `internal error: ${err instanceof Error ? err.message : String(err)}`
      try {
        if (
          completeBatchItem(this.db, itemId, {
            outcome: 'error',
            gatewayStatus: null,
            syncRecordId: null,
            error: message,
          })
        )
          this.tally.count('error', null)
      } catch (storeErr) {
        // The store refuses even this: the run halts if it is the storage; the log line stays.
        const fault = storageFaultOf(storeErr)
        if (fault) this.halt(fault)
      }
      console.error(`batch ${this.batchId}, item ${itemId}: ${message}`)
    })
  }

  private queue(merchant: number, concurrency: number, qps: number): PQueue {
    let q = this.queues.get(merchant)
    if (!q) {
      // Twice the calls allowed: while some trades wait at the gateway, others do their SQLite work.
      q = new PQueue({ concurrency: concurrency * 2 })
      if (this.paused) q.pause()
      this.queues.set(merchant, q)
      this.gates.set(merchant, new RateGate(qps))
      this.slots.set(merchant, new CallSlots(concurrency))
    }
    return q
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
        gate: this.gates.get(merchant),
        slots: this.slots.get(merchant),
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
          this.enqueue(this.queues.get(merchant)!, itemId, () =>
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
          this.enqueue(this.queues.get(merchant)!, itemId, () =>
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
      const finished = this.guard(() =>
        completeBatchItem(this.db, itemId, {
          outcome: 'error',
          gatewayStatus: null,
          syncRecordId: null,
          error: message,
        }),
      )
      if (finished) this.tally.count('error', null)
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
        const taken = other
        const finished = this.guard(() =>
          completeBatchItem(this.db, itemId, {
            outcome: taken.outcome,
            gatewayStatus: taken.gateway_status,
            syncRecordId: taken.id,
            error: taken.error_msg,
          }),
        )
        if (finished) this.tally.count(taken.outcome, taken.gateway_status)
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

  private settle(): void {
    this.outstanding -= 1
    this.report(false)
    this.feed()
  }

  private report(force: boolean): void {
    const t = performance.now()
    this.tally.sample(t)
    if (!force && t - this.lastReport < (this.options.progressEveryMs ?? 250)) return
    this.lastReport = t
    this.emit(this.snapshot(this.status))
  }

  private emit(p: BatchProgressEvent): void {
    this.options.onProgress?.(p)
    for (const listener of this.watchers) listener(p)
  }

  snapshot(status: BatchStatus = this.status): BatchProgressEvent {
    const p = this.tally.snapshot(status)
    return status === 'paused' && this.halted ? { ...p, pauseReason: this.halted } : p
  }
}
