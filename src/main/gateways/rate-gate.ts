import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A pacing gate: calls to one merchant go out evenly spaced, `qps` of them per second and a margin.
 * Pacing alone is not enough: when the event loop stalls (a collection, a long write), the calls
 * whose turn came meanwhile leave together, and a one-second window at the gateway can then hold more
 * than the limit. So the gate also remembers when each of the last `qps` calls actually left, and a
 * call waits until the one `qps` calls before it left more than a second and the margin ago.
 *
 * The margin covers what happens between our send and the gateway's count: the HTTP client's own
 * steps, the network, the gateway's scheduling. Measured against the simulator with both processes
 * busy on two cores, that varies by up to about 20 ms: 15 ms let one call in a few thousand over, 20 ms none in our runs.
 */
export class RateGate {
  private next = 0
  private intervalMs = 0
  private sent = new Float64Array(1).fill(-Infinity)
  private head = 0
  private rate = 0

  constructor(
    qps: number,
    /** Allowance for the way between our send and the gateway's count. */
    readonly marginMs = 25,
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
    this.rate = qps
    this.intervalMs = (1000 + this.marginMs) / qps
  }

  /** Waits for this call's turn. */
  async take(): Promise<void> {
    const now = performance.now()
    const at = Math.max(this.next, now)
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
