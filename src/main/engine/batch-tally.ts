import type { BatchProgressEvent } from '../../shared/contract'
import type { BatchStatus, GatewayStatus } from '../../shared/domain'
import type { OutcomeCounts } from '../../shared/entity-views'

// What a running batch has done, by outcome and by gateway status, and how fast: the numbers of its
// progress events. The rate is taken over the last few seconds, so that a pause or a slow patch shows.

const RATE_SPAN_MS = 5_000
/** Below this much history the rate would be noise: it stays 0 and the time left unknown. */
const RATE_MIN_MS = 200

export class BatchTally {
  private readonly samples: Array<[number, number]> = []

  constructor(
    readonly batchId: number,
    readonly total: number,
    private done: number,
    private readonly counts: OutcomeCounts,
    private readonly byGatewayStatus: Partial<Record<GatewayStatus, number>>,
    /** When the run started (performance.now()), for the elapsed time. */
    private readonly started: number,
  ) {}

  /**
   * The whole batch's counts as the store has them: with other runners on the batch, what this one
   * counted alone is only its part (docs/team-mode.md B8.5).
   */
  load(done: number, counts: OutcomeCounts, byGatewayStatus: Partial<Record<GatewayStatus, number>>): void {
    this.done = done
    Object.assign(this.counts, counts)
    for (const key of Object.keys(this.byGatewayStatus) as GatewayStatus[]) delete this.byGatewayStatus[key]
    Object.assign(this.byGatewayStatus, byGatewayStatus)
  }

  count(outcome: keyof OutcomeCounts, status: GatewayStatus | null): void {
    this.counts[outcome] += 1
    this.done += 1
    if (status) this.byGatewayStatus[status] = (this.byGatewayStatus[status] ?? 0) + 1
  }

  /** Notes how many are done now, for the rate. */
  sample(t = performance.now()): void {
    this.samples.push([t, this.done])
    while (this.samples.length > 2 && this.samples[0]![0] < t - RATE_SPAN_MS) this.samples.shift()
  }

  snapshot(status: BatchStatus, t = performance.now()): BatchProgressEvent {
    const first = this.samples[0]
    const rate = first && t - first[0] > RATE_MIN_MS ? ((this.done - first[1]) * 1000) / (t - first[0]) : 0
    const left = Math.max(0, this.total - this.done)
    return {
      batchId: this.batchId,
      status,
      total: this.total,
      done: this.done,
      counts: { ...this.counts },
      byGatewayStatus: { ...this.byGatewayStatus },
      rate: Math.round(rate * 10) / 10,
      etaSeconds: rate > 0 ? Math.round(left / rate) : left === 0 ? 0 : null,
      elapsedMs: Math.round(t - this.started),
    }
  }
}
