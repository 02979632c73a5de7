import type { SyncSource, TradeType } from '../../shared/domain'
import { CallAbandonedError } from '../gateways/types'
import { deferBatchItemOn, merchantsOfItemsOn } from '../store/batch-run'
import { completeBatchItemOn } from '../store/batches'
import type { ClaimedItem } from '../store/coordination/types'
import { storageFaultOf } from '../store/faults'
import { latestRecordOfTradeOn } from '../store/records'
import type { Lane } from './batch-lanes'
import { BatchRunBase, failed, type FinishedItem } from './batch-run-base'
import { BUSY_CODE, ClaimLostError, TradeNotFoundError } from './sync'

// A batch run's items: handed from a claimed page to their merchants' queues, each synced under its
// claim (the engine checks the claim where it takes the trade's lease), deferred and tried again after
// a lease conflict, and settled once, whatever becomes of it.

export abstract class BatchWork extends BatchRunBase {
  /** Hands claimed items to their merchants' queues; a deferred one waits out its delay first. */
  protected async take(claimed: ClaimedItem[]): Promise<void> {
    const merchants = await this.guardAsync(() =>
      this.store.run(
        merchantsOfItemsOn,
        claimed.map((i) => i.id),
      ),
    )
    if (!merchants) return
    const now = this.now()
    for (const item of claimed) {
      const merchant = merchants.get(item.id) ?? 0
      this.outstanding += 1
      this.lanes.of(merchant, this.paused)
      if (item.notBefore !== null) {
        // Deferred by an earlier run after a lease conflict: as if this run had deferred it.
        const since = item.notBefore - (this.options.conflictRetryMs ?? 2_000)
        this.later(item.id, item.tradeType, item.tradeId, merchant, since, item.notBefore - now)
      } else {
        this.enqueue(this.lanes.get(merchant), item.id, () =>
          this.work(item.id, item.tradeType, item.tradeId, merchant, this.plan.source),
        )
      }
    }
  }

  /**
   * Hands an item's task to a queue. The tasks settle their item themselves and catch what the
   * engine throws, storage faults included; what still escapes is a bug. It is not lost: the item is
   * finished as an error where the store still takes it, and the failure is logged either way.
   */
  protected enqueue(lane: Lane, itemId: number, task: () => Promise<void>): void {
    lane.queue
      .add(async () => {
        this.active.add(itemId)
        try {
          await task()
        } finally {
          this.active.delete(itemId)
        }
      })
      .catch(async (err: unknown) => {
        const message = `internal error: ${err instanceof Error ? err.message : String(err)}`
        try {
          await this.finishItem(itemId, failed(message))
        } catch (storeErr) {
          // The store refuses even this: the run halts if it is the storage; the log line stays.
          const fault = storageFaultOf(storeErr)
          if (fault) this.halt(fault)
        }
        console.error(`batch ${this.batchId}, item ${itemId}: ${message}`)
      })
  }

  protected async work(
    itemId: number,
    type: TradeType,
    tradeId: number,
    merchant: number,
    source: SyncSource,
  ): Promise<void> {
    let requeued = false
    try {
      if (!this.claiming()) {
        await this.guardAsync(() => this.coordination.releaseClaim(itemId, this.engine.owner))
        return
      }
      const lane = this.lanes.get(merchant)
      const result = await this.engine.sync(type, tradeId, {
        source,
        batchId: this.batchId,
        batchItemId: itemId,
        claimedBy: this.engine.owner,
        ...this.plan.actor,
        gate: lane.gate,
        slots: lane.slots,
        // Cancelled or paused while this item waited its turn at the gate: the gateway is not asked.
        stop: () => !this.claiming(),
      })
      if (result.outcome === 'skipped') {
        // Another worker holds the trade (maybe the desktop app while cron runs): come back later,
        // and if it has been synced meanwhile, take that result instead of asking the gateway again.
        // The item stays claimed by this runner meanwhile (its claim is renewed on the heartbeat).
        const since = this.now()
        const retryMs = this.options.conflictRetryMs ?? 2_000
        await this.guardAsync(() =>
          this.store.run(deferBatchItemOn, itemId, since + retryMs, result.errorCode ?? BUSY_CODE),
        )
        if (!this.claiming()) return
        requeued = true
        this.later(itemId, type, tradeId, merchant, since, retryMs)
        return
      }
      this.tally.count(result.outcome, result.gatewayStatus)
    } catch (err) {
      // Paused, cancelled or halted at the gate, or the item is another runner's now: nothing was
      // asked, and the item stays pending for whoever runs it next (its claim let go below).
      if (err instanceof CallAbandonedError || err instanceof ClaimLostError) {
        if (err instanceof CallAbandonedError)
          await this.guardAsync(() => this.coordination.releaseClaim(itemId, this.engine.owner))
        return
      }
      // The storage refused a write: the item stays pending (its answer, if the gateway gave one,
      // is kept and written before the batch runs again), and the run halts.
      const fault = storageFaultOf(err)
      if (fault) return this.halt(fault)
      const message =
        err instanceof TradeNotFoundError ? err.message : `internal error: ${(err as Error).message}`
      await this.guardAsync(() => this.finishItem(itemId, failed(message)))
    } finally {
      if (!requeued) this.settle()
    }
  }

  /** An item deferred after a lease conflict comes back after `delayMs`, into its merchant's queue. */
  protected later(
    itemId: number,
    type: TradeType,
    tradeId: number,
    merchant: number,
    since: number,
    delayMs: number,
  ): void {
    const timer = setTimeout(
      () => {
        this.deferred.delete(timer)
        if (!this.claiming()) return this.settle()
        this.enqueue(this.lanes.get(merchant), itemId, () =>
          this.retryAfterConflict(itemId, type, tradeId, merchant, since),
        )
      },
      Math.max(0, delayMs),
    )
    this.deferred.set(timer, itemId)
  }

  protected async retryAfterConflict(
    itemId: number,
    type: TradeType,
    tradeId: number,
    merchant: number,
    since: number,
  ): Promise<void> {
    let other: Awaited<ReturnType<typeof latestRecordOfTradeOn.async>>
    try {
      other = await this.guardAsync(() => this.store.run(latestRecordOfTradeOn, type, tradeId, since))
      if (other) {
        const { outcome, gateway_status: gatewayStatus, id: syncRecordId, error_msg: error } = other
        await this.guardAsync(() => this.finishItem(itemId, { outcome, gatewayStatus, syncRecordId, error }))
      }
    } catch (err) {
      // Settled here, or the run would wait for this item for ever; enqueue's catch records it.
      this.settle()
      throw err
    }
    // Nobody synced it meanwhile: ask the gateway now (work settles the item itself).
    if (!other && !this.halted) return this.work(itemId, type, tradeId, merchant, this.plan.source)
    this.settle()
  }

  /** Finishes an item without an attempt of its own (a bug, another worker's record), counted once. */
  protected async finishItem(itemId: number, item: FinishedItem): Promise<void> {
    if (await this.store.run(completeBatchItemOn, itemId, item))
      this.tally.count(item.outcome, item.gatewayStatus)
  }

  protected settle(): void {
    this.outstanding -= 1
    this.report(false)
    if (this.claiming()) this.feed()
    else this.endIfIdle()
  }

  protected dropDeferred(): void {
    for (const timer of this.deferred.keys()) clearTimeout(timer)
    this.outstanding -= this.deferred.size
    this.deferred.clear()
  }
}
