import PQueue from 'p-queue'
import { CallSlots, RateGate } from '../gateways/rate-gate'

// A running batch's lanes, one per merchant: the queue of its items, its QPS gate and its call
// slots, made once per merchant for the whole run (never per sync). The batch runner decides what
// enters them and when they pause; the lanes only hold the three together.

/** How few items may wait in a merchant's queue before the next page is read, and how many in all. */
const LOW_WATER = 128
const MAX_WAITING = 16_384

export interface Lane {
  queue: PQueue
  gate: RateGate
  slots: CallSlots
}

export class BatchLanes {
  private readonly lanes = new Map<number, Lane>()

  /** The merchant's lane, made on its first item; a lane made while the run is paused starts paused. */
  of(merchant: number, plan: { concurrency: number; qps: number }, paused: boolean): Lane {
    let lane = this.lanes.get(merchant)
    if (!lane) {
      // Twice the calls allowed: while some trades wait at the gateway, others do their SQLite work.
      lane = {
        queue: new PQueue({ concurrency: plan.concurrency * 2 }),
        gate: new RateGate(plan.qps),
        slots: new CallSlots(plan.concurrency),
      }
      if (paused) lane.queue.pause()
      this.lanes.set(merchant, lane)
    }
    return lane
  }

  /** The lane of a merchant that has had an item already. */
  get(merchant: number): Lane {
    return this.lanes.get(merchant)!
  }

  pause(): void {
    for (const l of this.lanes.values()) l.queue.pause()
  }

  start(): void {
    for (const l of this.lanes.values()) l.queue.start()
  }

  /** Drops every item still waiting its turn; returns how many there were. */
  clear(): number {
    let dropped = 0
    for (const l of this.lanes.values()) {
      dropped += l.queue.size
      l.queue.clear()
    }
    return dropped
  }

  /**
   * Whether to read another page: some merchant's queue runs short (a merchant whose items are all
   * read stays short, so reading goes on until all wait or MAX_WAITING do).
   */
  hungry(): boolean {
    if (this.lanes.size === 0) return true
    let waiting = 0
    let short = false
    for (const l of this.lanes.values()) {
      waiting += l.queue.size
      if (l.queue.size < LOW_WATER) short = true
    }
    return short && waiting < MAX_WAITING
  }

  /** Resolves once no item is running in any lane. */
  async idle(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.queue.onPendingZero()))
  }
}
