import type { Coordination, Leadership } from '../store/coordination/types'
import { ownerIsDeadHere } from './owner'

// One leader for the schedules of a database (issue 15 item 3; docs/domain.md section 7): every
// process that opens it with schedules on (the app, `paysync serve`, later several desktops on one
// PostgreSQL) ticks, but only the one that leads runs a pass, so the gateways are asked once and the
// merchant's QPS is not spent twice. One job, `schedules`, for the timeout close, the pending ladders
// and the daily reconciliation alike: they ride one tick of one Scheduler and read one set of
// settings, so two jobs would only let two processes split what one does, and show two leaders.
// Written against Coordination alone: on SQLite a lease `leader:schedules`, on PostgreSQL an advisory
// lock (docs/team-mode.md B8.5).

export const SCHEDULE_JOB = 'schedules'

/** Who runs the schedules, as this process last saw it: itself, another owner, or nobody it knows of. */
export interface LeadState {
  self: boolean
  /** The leading owner (`host:pid:random`, engine/owner.ts), or null when nobody leads. */
  owner: string | null
}

export class ScheduleLead {
  private current: Leadership | null = null
  private asking: Promise<boolean> | null = null
  private released = false
  private seen: LeadState | null = null

  constructor(
    private readonly coordination: Coordination,
    /** The engine's owner, `host:pid:random`: owner.ts tells a leader that died here as it tells a runner. */
    readonly owner: string,
    private readonly job = SCHEDULE_JOB,
  ) {}

  /**
   * Whether this process leads now. A holder that still holds answers at once; any other asks the
   * coordination again (on SQLite one upsert), so a leader that stopped or died is replaced on the
   * next tick of another process. One question at a time: a tick that comes meanwhile shares it.
   */
  leads(): Promise<boolean> {
    if (this.current?.held()) return Promise.resolve(true)
    if (this.released) return Promise.resolve(false)
    this.asking ??= this.ask().finally(() => {
      this.asking = null
    })
    return this.asking
  }

  /**
   * Who leads: this process while it holds the leadership, else whoever did when it last asked; null
   * before its first tick, and from a loss until it asks again.
   */
  state(): LeadState | null {
    if (this.current?.held()) return { self: true, owner: this.owner }
    return this.seen
  }

  /**
   * Gives the leadership up, so that another process takes over on its next tick rather than after
   * a dead leader's expiry; no leadership is taken after this.
   */
  async release(): Promise<void> {
    this.released = true
    await this.asking?.catch(() => undefined)
    await this.current?.release()
    this.current = null
    this.seen = null
  }

  private async ask(): Promise<boolean> {
    // A leader that was a process of this computer and is gone (the app crashed and was started
    // again) is not waited for: its lease would otherwise hold the schedules up to 30 s.
    const got = await this.coordination.lead(this.job, this.owner, { holderIsGone: ownerIsDeadHere })
    if (got && this.released) {
      // stop() came while the store answered: nobody would give this one back.
      await got.release()
      return false
    }
    if (!got) {
      this.current = null
      this.seen = { self: false, owner: await this.coordination.leaderOf(this.job) }
      return false
    }
    this.current = got
    this.seen = null
    void got.ended.then((how) => {
      // Lost (the lease was taken while this process slept, its connection dropped): no new pass
      // starts here; one already running finishes, its trades under their own leases.
      if (how === 'lost') console.error(`schedule: this process no longer leads the ${this.job}`)
    })
    return true
  }
}
