import type { Actor, SyncSource, TradeType } from '../../shared/domain'
import type { Db } from '../store/connection'
import { duePayOrderIds, expiredProgressOrderIds, getPayOrder } from '../store/orders'
import { dueRefundOrderIds, getRefundOrder } from '../store/refunds'
import type { BatchLanes } from './batch-lanes'
import type { DailyReconcile } from './reconcile-schedule'
import type { ScheduleLead } from './schedule-lead'
import type { SyncEngine } from './sync'
import { syncInLanes, type PassTrade } from './sync-pass'

// The schedules of docs/domain.md section 7, while the desktop app runs: timeout close (progress orders
// more than a minute past expiry) and the pending pay and refund ladders (next_sync_at, set by every
// attempt from the trade's age). Each tick syncs what is due with the per-merchant rate limit; the
// engine's lease keeps a trade from being synced twice at once. Switched on by default. The same tick
// looks whether yesterday's bills are due (docs/reconcile.md A12, reconcile-schedule.ts), under a
// setting of its own, and without holding up the next pass while a bill downloads. With a lead
// (schedule-lead.ts), a tick does either only while this process leads the database's schedules:
// every process that opens it ticks, one runs the passes.

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
    private readonly db: Db,
    private readonly engine: SyncEngine,
    private readonly settings: () => ScheduleSettings,
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
    try {
      if (leads && this.settings().schedulesEnabled) await this.runOnce()
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
    if (this.timer) this.next(this.settings().scheduleTickSec * 1000)
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
    const s = this.settings()
    const by = this.actor()
    const expired = expiredProgressOrderIds(this.db, now, TIMEOUT_GRACE_MS, PER_TICK)
    const expiredSet = new Set(expired)
    const pay = duePayOrderIds(this.db, now, PER_TICK).filter((id) => !expiredSet.has(id))
    const refund = dueRefundOrderIds(this.db, now, PER_TICK)
    const trades: PassTrade[] = []
    const add = (type: TradeType, id: number, source: SyncSource) => {
      const trade = type === 'pay' ? getPayOrder(this.db, id) : getRefundOrder(this.db, id)
      if (trade) trades.push({ type, id, merchantId: trade.merchant_id, source })
    }
    for (const id of expired) add('pay', id, 'timeout')
    for (const id of pay) add('pay', id, 'schedule')
    for (const id of refund) add('refund', id, 'schedule')
    await syncInLanes(this.engine, trades, { concurrency: s.defaultConcurrency, qps: s.defaultQps }, by, {
      lanes: (l) => (this.lanes = l),
    })
    this.lastRunAt = now
    this.onRun?.(now)
    return { timeout: expired.length, pay: pay.length, refund: refund.length }
  }
}
