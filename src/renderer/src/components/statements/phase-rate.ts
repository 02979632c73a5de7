import type { StatementPhase } from '../../../../shared/statements'

// The rate and time left of a reconciliation's phase (docs/reconcile.md A15.1), from the progress
// events main sends: counted from the phase's first event, so a phase's rate is its own (lines parsed
// and matched go by the thousand, syncs at the merchant's QPS).

export interface PhaseRate {
  /** Per second, or null until it can be told. */
  rate: number | null
  /** Seconds, or null when the total is not known (a parse does not know its lines ahead). */
  left: number | null
}

export class PhaseClock {
  private phase: StatementPhase | null = null
  private startedAt = 0
  private startDone = 0

  /** Takes an event at `now` (ms) and answers the phase's rate and time left so far. */
  take(p: { phase: StatementPhase; done: number; total: number }, now: number): PhaseRate {
    if (p.phase !== this.phase || p.done < this.startDone) {
      this.phase = p.phase
      this.startedAt = now
      this.startDone = p.done
      return { rate: null, left: null }
    }
    const seconds = (now - this.startedAt) / 1000
    const moved = p.done - this.startDone
    if (seconds < 0.5 || moved <= 0) return { rate: null, left: null }
    const rate = moved / seconds
    return { rate, left: p.total > 0 ? Math.max(0, p.total - p.done) / rate : null }
  }
}
