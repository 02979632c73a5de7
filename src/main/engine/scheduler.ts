import type { Actor } from '../../shared/domain'
import type { DueTrade } from '../store/schedule-due'
import type { BatchLanes } from './batch-lanes'
import type { DailyReconcile } from './reconcile-schedule'
import type { ScheduleLead } from './schedule-lead'
import type { AttemptRunner } from './sync/attempts'
import { syncInLanes } from './sync-pass'

// The schedules of docs/domain.md section 7, while the desktop app runs: timeout close (progress orders
// more than a minute past expiry) and the pending pay and refund ladders (next_sync_at, set by every
// attempt from the trade's age). Each tick syncs what is due with the per-merchant rate limit; the
// engine's lease keeps a trade from being synced twice at once. Switched on by default. The same tick
// looks whether yesterday's bills are due (docs/reconcile.md A12, reconcile-schedule.ts), under a
// setting of its own, and without holding up the next pass while a bill downloads. With a lead
// (schedule-lead.ts), a tick does either only while this process leads the database's schedules:
// every process that opens it ticks, one runs the passes. The same on the desktop's file and on a team
// database (docs/team-mode.md B8.15): what is due is read through `due` (store/schedule-due.ts), the
// settings may be the team's, read at each tick, and the lead is one per team.

export interface ScheduleSettings {
  schedulesEnabled: boolean
  scheduleTickSec: number
  defaultConcurrency: number
  defaultQps: number
}

export interface TickResult {
  timeout: number
  pay: number
  refund: number
}

const TIMEOUT_GRACE_MS = 60_000
const PER_TICK = 2_000

export class Scheduler {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<TickResult> | null = null
  /** The lanes of the pass in progress, so that stop() can drop what has not started. */
  private lanes: BatchLanes | null = null
  lastRunAt: number | null = null

  constructor(
    /** What is due now, at most `limit` of each kind (store/schedule-due.ts scheduleDueOn). */
    private readonly due: (now: number, graceMs: number, limit: number) => Promise<DueTrade[]>,
    private readonly engine: Pick<AttemptRunner, 'sync'>,
    private readonly settings: () => ScheduleSettings | Promise<ScheduleSettings>,
    private readonly now: () => number = Date.now,
    private readonly onRun?: (at: number) => void,
    /** Who the passes' repairs name: the host's operator and user, by the schedule (asked per pass). */
    private readonly actor: () => Actor = () => ({ operator: null, transport: 'schedule' }),
    /** The daily reconciliation, when this host runs it. */
    private readonly daily: DailyReconcile | null = null,
    /** The database's one leader of the schedules; none: this scheduler alone runs them (tests). */
    private readonly lead: ScheduleLead | null = null,
  ) {}

  start(firstTickMs = 5_000): void {
    if (this.timer) return
    this.next(firstTickMs)
  }

  private next(delay: number): void {
    this.timer = setTimeout(() => void this.tick(), delay)
    this.timer.unref()
  }

  /**
   * One tick of the timer: a pass if the schedules are on and this process leads them, then the next
   * tick unless stopped meanwhile.
   */
  private async tick(): Promise<void> {
    const leads = await this.leads()
    // Stopped while the leadership was asked for: stop() gives it back, and nothing more starts.
    if (!this.timer) return
    let tickSec: number | null = null
    try {
      const settings = await this.settings()
      tickSec = settings.scheduleTickSec
      if (leads && settings.schedulesEnabled) await this.runOnce()
    } catch (err) {
      // A failed pass (the store busy or closed under it) must not end the schedules: said, and on.
      console.error(`schedule: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (leads && this.daily && this.timer)
      this.daily
        .check()
        .catch((err: unknown) =>
          console.error(`reconcile schedule: ${err instanceof Error ? err.message : String(err)}`),
        )
    // Settings that could not be read (a team database away): the next look in a minute.
    if (this.timer) this.next((tickSec ?? 60) * 1000)
  }

  /** Whether this process leads the schedules now; a store that cannot say is not led from here. */
  private async leads(): Promise<boolean> {
    if (!this.lead) return true
    try {
      return await this.lead.leads()
    } catch (err) {
      console.error(`schedule leader: ${err instanceof Error ? err.message : String(err)}`)
      return false
    }
  }

  /**
   * Stops the schedules: no further pass, and nothing more of the pass in progress starts. Resolves
   * once the attempts in flight are written. Closing the database under them (as `paysync serve` did
   * on SIGTERM) lost their records and left their leases behind. Then the leadership is given back,
   * so another process leads from its next tick, not after this one's lease expires.
   */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.lanes?.clear()
    await Promise.all([this.running?.catch(() => undefined), this.daily?.stop()])
    await this.lead?.release()
  }

  /** One pass over what is due now. A pass still running is joined, not doubled. */
  runOnce(): Promise<TickResult> {
    this.running ??= this.pass().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async pass(): Promise<TickResult> {
    const now = this.now()
    const s = await this.settings()
    const by = this.actor()
    const trades = await this.due(now, TIMEOUT_GRACE_MS, PER_TICK)
    const out = await syncInLanes(
      this.engine,
      trades,
      { concurrency: s.defaultConcurrency, qps: s.defaultQps },
      by,
      { lanes: (l) => (this.lanes = l) },
    )
    // The storage refused a write: what was answered is kept (written once it takes writes again),
    // and the rest is due at the next tick.
    if (out.fault) console.error(`schedule: the pass stopped: ${out.fault}`)
    this.lastRunAt = now
    this.onRun?.(now)
    const count = (type: string, source: string) =>
      trades.filter((t) => t.type === type && t.source === source).length
    return {
      timeout: count('pay', 'timeout'),
      pay: count('pay', 'schedule'),
      refund: count('refund', 'schedule'),
    }
  }
}
