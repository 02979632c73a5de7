import { setTimeout as sleep } from 'node:timers/promises'

/**
 * A pacing token bucket: at most `qps` requests start per second, evenly spaced, so that no
 * one-second window at the gateway ever sees more than the limit. Shared by every call to one
 * merchant within a batch or schedule run, retries included.
 */
export class RateGate {
  private next = 0
  private readonly intervalMs: number

  constructor(readonly qps: number) {
    if (!(qps > 0)) throw new RangeError(`qps must be positive: ${qps}`)
    // A hair of margin keeps network jitter from bunching requests into one window at the gateway.
    this.intervalMs = (1000 / qps) * 1.004
  }

  async take(): Promise<void> {
    const now = performance.now()
    const at = Math.max(now, this.next)
    this.next = at + this.intervalMs
    const wait = at - now
    if (wait > 0.5) await sleep(Math.ceil(wait))
  }
}
