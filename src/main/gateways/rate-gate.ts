import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A pacing gate: calls to one merchant go out evenly spaced, so that no one-second window at the
 * gateway sees more than qps of them. One percent is kept spare for the bunching that network and
 * scheduling add on the way.
 */
export class RateGate {
  private next = 0
  readonly intervalMs: number

  constructor(readonly qps: number) {
    if (!(qps > 0)) throw new RangeError(`qps must be positive: ${qps}`)
    this.intervalMs = (1000 / qps) * 1.01
  }

  /** Waits for this call's turn. */
  async take(): Promise<void> {
    const now = performance.now()
    const at = Math.max(this.next, now)
    this.next = at + this.intervalMs
    const wait = at - now
    if (wait > 0.5) await sleep(Math.ceil(wait))
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

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`limit must be at least 1: ${limit}`)
  }

  async acquire(): Promise<() => void> {
    if (this.busy >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.busy += 1
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      // The slot passes straight to the next waiter; otherwise it is free.
      if (next) next()
      else this.busy -= 1
    }
  }
}
