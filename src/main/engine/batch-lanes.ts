import PQueue from 'p-queue'
import { CallSlots, RateGate } from '../gateways/rate-gate'

// A running batch's lanes, one per merchant: the queue of its items, its QPS gate and its call
// slots, made once per merchant for the whole run (never per sync). The batch runner decides what
// enters them and when they pause; the lanes only hold the three together.
//
// Several processes may run one batch (docs/team-mode.md B8.5): each takes its share of the batch's
// limits, qps / runners and concurrency / runners (at least one call), so that together they stay
// within them, and the share changes as runners join or leave.

/** How many items may wait in all before no more are read. */
const MAX_WAITING = 16_384

export interface Lane {
  queue: PQueue
  gate: RateGate
  slots: CallSlots
}

interface Limits {
  concurrency: number
  qps: number
}

export class BatchLanes {
  private readonly lanes = new Map<number, Lane>()
  private runners = 1

  constructor(private readonly plan: Limits) {}

  /** This runner's share of the batch's limits, while `runners` run it. */
  share(): Limits {
    return {
      concurrency: Math.max(1, Math.floor(this.plan.concurrency / this.runners)),
      qps: this.plan.qps / this.runners,
    }
  }

  /** Shares the limits among `runners` from now on, in every lane made and to be made. */
  divide(runners: number): void {
    if (runners === this.runners) return
    this.runners = Math.max(1, runners)
    const { concurrency, qps } = this.share()
    for (const lane of this.lanes.values()) {
      lane.queue.concurrency = concurrency * 2
      lane.gate.retune(qps)
      lane.slots.resize(concurrency)
    }
  }

  /** Resolves once every lane's calls in flight are within this runner's share again. */
  async settled(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.slots.settled()))
  }

  /** The merchant's lane, made on its first item; a lane made while the run is paused starts paused. */
  of(merchant: number, paused: boolean): Lane {
    let lane = this.lanes.get(merchant)
    if (!lane) {
      const { concurrency, qps } = this.share()
      // Twice the calls allowed: while some trades wait at the gateway, others do their SQLite work.
      lane = {
        queue: new PQueue({ concurrency: concurrency * 2 }),
        gate: new RateGate(qps),
        slots: new CallSlots(concurrency),
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
   * Whether to read another page: some merchant's queue holds fewer than `lowWater` (a merchant whose
   * items are all read stays short, so reading goes on until all wait or MAX_WAITING do).
   */
  hungry(lowWater: number): boolean {
    if (this.lanes.size === 0) return true
    let waiting = 0
    let short = false
    for (const l of this.lanes.values()) {
      waiting += l.queue.size
      if (l.queue.size < lowWater) short = true
    }
    return short && waiting < MAX_WAITING
  }

  /** Resolves once every lane has run all its items (none waiting, none running). */
  async drained(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.queue.onIdle()))
  }

  /** Resolves once no item is running in any lane. */
  async idle(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.queue.onPendingZero()))
  }
}
