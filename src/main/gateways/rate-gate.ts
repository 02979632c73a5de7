import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A pacing gate: calls to one merchant go out evenly spaced, `qps` of them per second and a margin.
 * Pacing alone is not enough: when the event loop stalls (a collection, a long write), the calls
 * whose turn came meanwhile leave together, and a one-second window at the gateway can then hold more
 * than the limit. So the gate also remembers when each of the last `qps` calls actually left, and a
 * call waits until the one `qps` calls before it left more than a second and the margin ago.
 *
 * After a pause, up to `BURST_MS` worth of calls may leave at once instead of one spacing apart: the
 * answers of several calls often come back in one turn, and the calls that follow them would
 * otherwise wait their spacing out while each holds a call slot (CallSlots, taken before the gate).
 * Strictly spaced, a batch at 20 ms of latency, 16 slots and 400 a second reached 0.87 of its limit
 * on two busy cores; with the burst, 0.96 (docs/team-mode.md B8.10, "The gate's spacing"). A burst
 * only spends turns a pause left unused, and the window above holds it to the limit. A gate's first
 * call, and the first after a new rate, find nothing banked: a runner that joins others opens paced.
 *
 * The margin covers what happens between our send and the gateway's count: the HTTP client's own
 * steps, the network, the gateway's scheduling. Measured against the simulator with the processes
 * busy on two cores, that varies by up to about 20 to 30 ms. Strictly spaced, calls rarely filled a
 * window, and 20 ms let none over; with the burst the window fills to its count whenever a batch runs
 * at its limit, and 25 ms let 3 calls of 10,000 over in one run of two, 30 ms none in eleven.
 */
/** How far behind its pace the gate may fall and catch up at once: 50 ms of calls, at least one. */
const BURST_MS = 50

export class RateGate {
  /** When the next call's turn is; before now by at most the burst. Unset until the first call. */
  private next = -1
  private intervalMs = 0
  /** How long before now a call's turn may be: the burst a pause allows. */
  private slackMs = 0
  private sent = new Float64Array(1).fill(-Infinity)
  private head = 0
  private rate = 0

  constructor(
    qps: number,
    /** Allowance for the way between our send and the gateway's count. */
    readonly marginMs = 30,
  ) {
    this.retune(qps)
  }

  get qps(): number {
    return this.rate
  }

  /**
   * A new limit from now on (a batch's share when another runner joins or leaves it). The send times
   * of the last calls are kept: a lower limit holds from the first call after it, over the window
   * that still holds calls sent under the old one.
   */
  retune(qps: number): void {
    if (!(qps > 0)) throw new RangeError(`qps must be positive: ${qps}`)
    if (qps === this.rate) return
    const size = Math.max(1, Math.floor(qps))
    // The most recent sends, newest last, then read again from the head as the ring wants them.
    const recent = [...this.sent.subarray(this.head), ...this.sent.subarray(0, this.head)].slice(-size)
    this.sent = new Float64Array(size).fill(-Infinity)
    this.sent.set(recent, size - recent.length)
    this.head = 0
    // No turn is banked across a new share: a joiner may be starting its own calls (batch-peers.ts).
    if (this.next >= 0) this.next = Math.max(this.next, performance.now())
    this.rate = qps
    this.intervalMs = (1000 + this.marginMs) / qps
    this.slackMs = Math.max(0, Math.floor((qps * BURST_MS) / 1000) - 1) * this.intervalMs
  }

  /** Waits for this call's turn. */
  async take(): Promise<void> {
    const now = performance.now()
    // A turn left unused by a pause is taken now, up to the burst (slackMs); a gate's first call
    // finds none banked, so that a runner starting beside others does not open with a burst.
    if (this.next < 0) this.next = now
    const at = Math.max(this.next, now - this.slackMs)
    this.next = at + this.intervalMs
    if (at - now > 0.5) await sleep(Math.ceil(at - now))
    for (;;) {
      const t = performance.now()
      const wait = this.sent[this.head]! + 1000 + this.marginMs - t
      if (wait <= 0) {
        this.sent[this.head] = t
        this.head = (this.head + 1) % this.sent.length
        return
      }
      await sleep(Math.ceil(wait))
    }
  }
}

/**
 * At most `limit` calls in flight at the gateway. Held only around the HTTP exchange itself, so the
 * work before and after a call (leases, the decision, the SQLite writes) never eats into the
 * concurrency a gateway allows.
 */
export class CallSlots {
  private busy = 0
  private readonly waiting: Array<() => void> = []
  /** Those waiting for the calls in flight to be within the limit again (`settled`). */
  private readonly settling: Array<() => void> = []

  constructor(private limit: number) {
    if (!(limit >= 1)) throw new RangeError(`limit must be at least 1: ${limit}`)
  }

  /** A new limit: calls in flight above a lower one finish, and no new one starts until below it. */
  resize(limit: number): void {
    if (!(limit >= 1)) throw new RangeError(`limit must be at least 1: ${limit}`)
    this.limit = limit
    while (this.busy < this.limit && this.waiting.length) {
      this.busy += 1
      this.waiting.shift()!()
    }
    this.wake()
  }

  /**
   * Resolves once no more calls are in flight than the limit allows: after a lower limit, when the
   * calls started under the higher one have come back (a batch's runner tells a joiner so, batch-peers.ts).
   */
  settled(): Promise<void> {
    if (this.busy <= this.limit) return Promise.resolve()
    return new Promise((resolve) => this.settling.push(resolve))
  }

  private wake(): void {
    if (this.busy <= this.limit) for (const resolve of this.settling.splice(0)) resolve()
  }

  async acquire(): Promise<() => void> {
    if (this.busy >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.busy += 1
    let released = false
    return () => {
      if (released) return
      released = true
      // The slot passes straight to the next waiter, unless a lower limit took it; otherwise it is free.
      const next = this.busy <= this.limit ? this.waiting.shift() : undefined
      if (next) next()
      else {
        this.busy -= 1
        this.wake()
      }
    }
  }
}
