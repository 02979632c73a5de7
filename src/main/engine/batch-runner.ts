import type { BatchProgressEvent } from '../../shared/contract'
import type { BatchStatus, StorageFault } from '../../shared/domain'
import {
  finishBatchOn,
  getBatchOn,
  heartbeatBatchOn,
  setBatchStatusOn,
  startBatchRunOn,
} from '../store/batch-run'
import { StorageFaultError, storageFaultOf } from '../store/faults'
import { openRun, tallyOf } from './batch-claim'
import { BatchLanes } from './batch-lanes'
import { PEER_CHECK_MS, RATE_WINDOW_MS } from './batch-peers'
import { pageFor } from './batch-run-base'
import { BatchWork } from './batch-work'
import { ownerIsDeadHere } from './owner'

// Runs a stored batch: a pool per merchant (concurrency), a QPS gate per merchant, progress events,
// pause, resume and cancel. The batch and its items are in the database before the first call, and
// each item is finished in the transaction that writes its sync record, so after a crash a runner
// continues with exactly the items that did not finish: nothing is synced twice.
//
// Several processes may run one batch together (docs/team-mode.md B8.5). Each claims its items a page
// at a time (Coordination.claimItems) and runs only those: its claims are renewed on its heartbeat,
// let go when it will not run them (pause, cancel, a halt, leaving), and taken over by another runner
// when they expire or their process of this machine is gone. Pause and cancel are the batch's, read
// from the store on the heartbeat and before each claim; the batch is done once no item is pending.
//
// When the storage refuses a write (the disk is full, an I/O error, a lock held past the busy
// timeout), the run halts (docs/domain.md section 6.8): nothing more is asked, the attempts in flight
// finish (their answers kept in the journal if the database refuses them too), and the run ends
// paused with the reason. No storage fault escapes a task: a process that runs batches stays up.

export class BatchRun extends BatchWork {
  private ended: Promise<BatchProgressEvent> | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private peerCheck: NodeJS.Timeout | null = null
  private beating = false
  private counting = false
  private looking = false
  private feeding = false
  private feedAgain = false
  /**
   * The last pause, resume or cancel this runner said to the store: read after it lands, or on a
   * team database a read sent just before would undo it (docs/team-mode.md B8.10).
   */
  private saying: Promise<unknown> = Promise.resolve()
  /** The heartbeats and counts under way. */
  private readonly ticking = new Set<Promise<void>>()
  /** Whether this runner is the one that marked the batch done. */
  markedDone = false

  /**
   * Runs the batch with whichever other runners it has, to its end (done, cancelled, paused by a
   * storage fault, or left by `stop`). A storage fault before the first call throws a
   * StorageFaultError: nothing was asked.
   */
  run(): Promise<BatchProgressEvent> {
    this.ended ??= this.runToEnd()
    return this.ended
  }

  private async runToEnd(): Promise<BatchProgressEvent> {
    const heartbeatMs = this.options.heartbeatMs ?? 5_000
    const peerCheckMs = Math.min(PEER_CHECK_MS, heartbeatMs)
    try {
      const opened = await openRun(this.store, this.batchId, this.engine.owner, this.now(), this.started)
      this.tally = opened.tally
      this.total = opened.tally.total
      if (opened.ended) return this.snapshot(opened.ended)
      this.plan = opened.plan
      this.lanes = new BatchLanes(this.plan)
      const runners = await this.peers.refresh((n) => this.lanes.divide(n))
      // Joining: the runners already on the batch take their smaller share at their next count and
      // say so; only then does this one call. One that does not say so is waited for as long as two
      // counts (a late timer) and its calls under the old share leaving the gateway's window take.
      if (runners > 1) {
        this.report(true)
        await this.peers.admitted(2 * peerCheckMs + RATE_WINDOW_MS)
        // Counted again: another runner may have joined meanwhile.
        await this.peers.look((n) => this.lanes.divide(n))
      }
    } catch (err) {
      const fault = storageFaultOf(err)
      if (fault && !(err instanceof StorageFaultError)) throw new StorageFaultError(fault, null, err)
      throw err
    }
    // Not unref'd: a runner with nothing of its own in flight waits on its heartbeat for the other
    // runners' items (to take them over if their runner dies), and the command line waits with it.
    this.heartbeat = setInterval(() => this.tick(this.beat()), heartbeatMs)
    // The others counted more often than the heartbeat: a joiner waits on this, not on a heartbeat.
    this.peerCheck = setInterval(() => this.tick(this.countPeers()), peerCheckMs)
    this.peerCheck.unref()
    this.feed()
    this.report(true)
    await this.done$
    return this.finish()
  }

  /** The run's end in the store: its claims let go, the batch's status, and the last progress. */
  private async finish(): Promise<BatchProgressEvent> {
    if (this.heartbeat) clearInterval(this.heartbeat)
    if (this.peerCheck) clearInterval(this.peerCheck)
    // A heartbeat under way ends first: once the run has ended, its caller may close the store.
    await Promise.allSettled([...this.ticking])
    this.dropDeferred()
    await this.guardAsync(() => this.coordination.releaseClaims(this.batchId, this.engine.owner))
    const alone = (await this.guardAsync(() => this.peers.refresh())) === 1
    let final: BatchStatus
    if (this.halted || this.leaving) {
      final = 'paused'
      // Said in the store when it takes it and nobody else runs the batch: it resumes from there.
      if (alone) await this.sayStatus('paused', this.halted)
    } else if (this.cancelled) {
      final = 'cancelled'
      await this.sayStatus('cancelled')
    } else {
      this.markedDone =
        (await this.guardAsync(() => this.store.run(finishBatchOn, this.batchId, this.now()))) ?? false
      // Marked by another runner, or paused in the instant its last item finished.
      const stored = this.markedDone
        ? 'done'
        : (await this.guardAsync(() => this.store.run(getBatchOn, this.batchId)))?.status
      final = stored === 'paused' || stored === 'cancelled' ? stored : 'done'
    }
    await this.guardAsync(() => this.peers.leave())
    await this.guardAsync(() => tallyOf(this.store, this.batchId, this.total, this.started, this.tally))
    this.status = final
    const last = this.snapshot(final)
    this.reporter.emit(last)
    return last
  }

  /**
   * The heartbeat: the batch's word from the store (pause, cancel, resume said in any process), the
   * claims and the registration renewed, the share of the limits and, with other runners, the whole
   * batch's progress read again; and when this runner has run dry, a look for items to take over.
   */
  private async beat(): Promise<void> {
    if (this.beating) return
    this.beating = true
    try {
      await this.guardAsync(() =>
        this.store.run(heartbeatBatchOn, this.batchId, this.engine.owner, this.now()),
      )
      await this.guardAsync(() => this.coordination.renewClaims(this.batchId, this.engine.owner, this.ttlMs))
      const runners = await this.guardAsync(() => this.peers.refresh((n) => this.takeShare(n)))
      await this.follow()
      if (runners && runners > 1)
        await this.guardAsync(() => tallyOf(this.store, this.batchId, this.total, this.started, this.tally))
      if (this.dry) await this.lookAround()
      this.report(runners !== undefined && runners > 1)
    } finally {
      this.beating = false
    }
  }

  private tick(work: Promise<void>): void {
    this.ticking.add(work)
    void work.finally(() => this.ticking.delete(work))
  }

  /** This runner's share of the limits among `runners`, its calls in flight back within it. */
  private async takeShare(runners: number): Promise<void> {
    this.lanes.divide(runners)
    await this.lanes.settled()
  }

  /** Between heartbeats: the share of the limits for the runners there are now (a join, a leave). */
  private async countPeers(): Promise<void> {
    if (this.counting || this.beating) return
    this.counting = true
    try {
      await this.guardAsync(() => this.peers.look((n) => this.takeShare(n)))
    } finally {
      this.counting = false
    }
  }

  /**
   * Follows the batch's status in the store: a pause or cancel said in another process stops this
   * runner too, a resume there starts it again. False when it is not to claim now.
   */
  private async follow(): Promise<boolean> {
    await this.saying
    const row = await this.guardAsync(() => this.store.run(getBatchOn, this.batchId))
    if (!row || this.halted || this.leaving) return false
    if (row.status === 'cancelled') {
      if (!this.cancelled) this.stopCancelled(false)
      return false
    }
    if (row.status === 'paused') {
      if (!this.paused && !this.cancelled) this.stopPaused(false)
      return false
    }
    if (row.status === 'done') {
      this.drained = true
      this.endIfIdle()
      return false
    }
    if (this.paused && !this.cancelled) this.restart(false)
    return !this.cancelled
  }

  /**
   * With nothing left to claim: the claims of a dead process of this machine are taken over at once,
   * expired ones and free ones by the next claim; when no item is pending any more, the run ends.
   */
  private async lookAround(): Promise<void> {
    if (this.looking) return
    this.looking = true
    try {
      await this.lookForItems()
    } finally {
      this.looking = false
    }
  }

  private async lookForItems(): Promise<void> {
    const holders = await this.guardAsync(() => this.coordination.claimHolders(this.batchId))
    if (!holders) return
    const now = await this.coordination.now()
    let takeable = false
    for (const h of holders) {
      if (h.owner === this.engine.owner) {
        // Held here but no task has it (it left a queue without a word): let go, and claimed again.
        if (this.outstanding === 0) {
          await this.guardAsync(() => this.coordination.releaseClaims(this.batchId, this.engine.owner))
          takeable = true
        }
      } else if (h.owner === null || (h.expiresAt ?? 0) < now) takeable = true
      else if (ownerIsDeadHere(h.owner)) {
        await this.guardAsync(() => this.coordination.releaseClaims(this.batchId, h.owner!))
        takeable = true
      }
    }
    if (holders.length === 0) {
      this.drained = true
      this.endIfIdle()
    } else if (takeable && this.claiming()) {
      this.dry = false
      this.feed()
    }
  }

  /**
   * Halts the run on a storage fault: nothing more leaves the queues (the items that waited are let
   * go for the other runners), the attempts in flight finish, and then the run ends paused.
   */
  protected halt(fault: StorageFault): void {
    if (this.halted) return
    this.halted = fault
    this.standDown()
    if (!this.cancelled) this.status = 'paused'
    this.report(true)
    void this.idle().then(() => this.finished())
  }

  /** Pauses the batch, for every runner of it: they stop claiming, their calls in flight finish. */
  pause(): void {
    if (this.cancelled || this.paused || this.halted) return
    this.stopPaused(true)
  }

  private stopPaused(say: boolean): void {
    this.paused = true
    this.status = 'paused'
    this.standDown()
    if (say) this.saying = this.sayStatus('paused')
    this.report(true)
    if (this.options.endWhenPaused) {
      this.leaving = true
      this.endIfIdle()
    }
  }

  /**
   * Stops taking items: the queued and deferred ones are dropped and their claims let go at once, so
   * another runner may take them; the ones a task runs now finish and are recorded.
   */
  private standDown(): void {
    this.lanes?.pause()
    this.outstanding -= this.lanes?.clear() ?? 0
    this.dropDeferred()
    void this.guardAsync(() =>
      this.coordination.releaseClaims(this.batchId, this.engine.owner, [...this.active]),
    )
  }

  /**
   * For a process about to exit: this runner leaves the batch (paused in the store when no other
   * runner has it) and resolves once the attempts in flight are written and the run has ended.
   */
  async stop(): Promise<void> {
    if (!this.ended) return
    this.leaving = true
    this.standDown()
    this.endIfIdle()
    await this.ended.catch(() => undefined)
  }

  /** Resumes the batch, for every runner of it that is paused. */
  resume(): void {
    // A halted run is ending: a new run resumes the batch, once the store takes writes again.
    if (this.cancelled || !this.paused || this.halted || this.leaving) return
    this.restart(true)
  }

  private restart(say: boolean): void {
    this.paused = false
    this.status = 'running'
    this.lanes.start()
    this.dry = false
    this.report(true)
    // Said before anything is claimed: the claiming reads the batch's status first.
    if (say)
      this.saying = this.guardAsync(() =>
        this.store.run(startBatchRunOn, this.batchId, this.engine.owner, this.now()),
      )
    // What the pause could not let go (an item that was leaving its queue then) goes now, and is
    // claimed again with the rest.
    void this.saying
      .then(() =>
        this.guardAsync(() =>
          this.coordination.releaseClaims(this.batchId, this.engine.owner, [...this.active]),
        ),
      )
      .then(() => this.feed())
  }

  /** Cancels the batch, for every runner of it: nothing new starts; the calls in flight are recorded. */
  cancel(): void {
    if (this.cancelled) return
    this.stopCancelled(true)
  }

  private stopCancelled(say: boolean): void {
    this.cancelled = true
    this.standDown()
    this.lanes?.start()
    this.status = 'cancelled'
    if (say) this.saying = this.sayStatus('cancelled')
    // Said at once: the window shows it cancelled while the calls on the wire come back.
    this.report(true)
    this.endIfIdle()
  }

  /** Claims pages of items while the lanes are hungry; one claiming at a time. */
  protected feed(): void {
    if (this.feeding) {
      this.feedAgain = true
      return
    }
    this.feeding = true
    void this.fill().finally(() => {
      this.feeding = false
      this.endIfIdle()
    })
  }

  private async fill(): Promise<void> {
    do {
      this.feedAgain = false
      const page = pageFor(this.lanes.share().qps, this.peers.count)
      const lowWater = Math.min(128, Math.ceil(page / 2))
      while (!this.dry && this.claiming() && this.lanes.hungry(lowWater) && (await this.follow())) {
        const claimed = await this.guardAsync(() =>
          this.coordination.claimItems(this.batchId, this.engine.owner, page, this.ttlMs),
        )
        if (!claimed) return
        if (claimed.length < page) this.dry = true
        if (claimed.length) await this.take(claimed)
      }
    } while (this.feedAgain && !this.dry)
  }

  /** The batch's status in the store, for every runner of it; a storage fault halts this one. */
  private sayStatus(status: BatchStatus, reason: StorageFault | null = null): Promise<unknown> {
    return this.guardAsync(() =>
      this.store.inTransaction(setBatchStatusOn, this.batchId, status, this.now(), reason),
    )
  }

  protected endIfIdle(): void {
    if (this.outstanding > 0 || this.feeding) return
    if (this.cancelled || this.halted || this.leaving || this.drained) this.finished()
    else if (this.dry && !this.paused) void this.lookAround()
  }
}
