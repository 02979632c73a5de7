import type { StatementStatus } from '../../shared/statements'
import { formatBeijing } from '../../shared/time'
import type { Exec } from '../store/sql/exec'
import { findStatementOn } from '../store/statements'

// The daily reconciliation of docs/reconcile.md A12, while the app or `paysync serve` runs: at the set
// Beijing time (10:30 by default) yesterday's bill of every enabled merchant whose channel has bills;
// a bill not out yet (`not_ready`), or a run that never got to its end, is asked again every 30 minutes
// until 14:00, and after that the day stays as it is, for the overview to show. Whether a day is done
// is read from its statement, not from this process's memory, so a restart does not reconcile a day
// twice; two processes at the same minute meet at the statement lease (STATEMENT_BUSY). The same on the
// desktop's file and on a team database (docs/team-mode.md B8.19): the statements are read through an
// Exec of either store, the settings and merchants may be a team's, read at each pass.

export interface ReconcileScheduleSettings {
  autoReconcileEnabled: boolean
  /** HH:MM, Beijing. */
  autoReconcileTime: string
}

/** How long a bill not out yet, or a run that stopped short, waits before it is asked again. */
export const RETRY_EVERY_MS = 30 * 60_000
/** After this Beijing time of day, a day still without its bill is left for a person (and the overview). */
export const RETRY_UNTIL = '14:00'

const DAY_MS = 86_400_000

/** A day's statement as the schedule weighs it. */
export interface DayState {
  status: StatementStatus
  lastRunAt: number | null
}

/** A result, a day the channel had no bill for, or a file refused whole: done for the schedule. */
const SETTLED: ReadonlySet<StatementStatus> = new Set(['matched', 'empty', 'failed'])

/**
 * Whether a merchant's day is to be reconciled now. Never tried (no statement, no attempt of this
 * process): at once, however late the app started. A bill not out yet or a run that stopped short:
 * again once 30 minutes have passed since the last try, until 14:00.
 */
export function dayDue(
  state: DayState | undefined,
  triedAt: number | null,
  now: number,
  timeOfDay: string,
): boolean {
  if (!state && triedAt === null) return true
  if (state && SETTLED.has(state.status)) return false
  const last = Math.max(state?.lastRunAt ?? 0, triedAt ?? 0)
  return timeOfDay < RETRY_UNTIL && now - last >= RETRY_EVERY_MS
}

/** Whether a day still waiting for its bill is past its last try: the bill never came (the overview's 未生成). */
export function billNeverCame(status: StatementStatus, billDate: string, now: number): boolean {
  if (status !== 'not_ready') return false
  const clock = formatBeijing(now)
  const nextDay = formatBeijing(Date.parse(`${billDate}T00:00:00+08:00`) + DAY_MS).slice(0, 10)
  const today = clock.slice(0, 10)
  return today > nextDay || (today === nextDay && clock.slice(11, 16) >= RETRY_UNTIL)
}

export interface DailyMerchant {
  id: number
  name: string
}

export interface DailyReconcileDeps {
  /** The books whose statements say which days ran: the desktop's file or a team database. */
  exec: Exec
  settings: () => ReconcileScheduleSettings | Promise<ReconcileScheduleSettings>
  now: () => number
  /** The merchants a scheduled run covers: enabled, with a channel that has bills. */
  merchants: () => DailyMerchant[] | Promise<DailyMerchant[]>
  /**
   * Whether a pass may run now (a team database's key unlocked, B8.15): when not, nothing is tried,
   * so the day is due at once when it may.
   */
  ready?: () => Promise<boolean>
  /** One merchant's day end to end, pool upkeep after it; may throw (busy, the gateway unreachable). */
  reconcile: (merchant: DailyMerchant, billDate: string) => Promise<void>
}

export interface DailyResult {
  /** The day reconciled, or null before the set time, with the schedule off or the team key locked. */
  billDate: string | null
  /** The merchants this pass ran for. */
  ran: string[]
}

export class DailyReconcile {
  private running: Promise<DailyResult> | null = null
  private stopped = false
  /** This process's last try per merchant's day, for a run that failed before its statement was written. */
  private readonly tried = new Map<string, number>()

  constructor(private readonly deps: DailyReconcileDeps) {}

  /** One look at what is due now; a look still running is joined, not doubled. */
  check(): Promise<DailyResult> {
    this.running ??= this.pass().finally(() => {
      this.running = null
    })
    return this.running
  }

  /** No merchant more is started; resolves once the one in progress is handed on. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.running?.catch(() => undefined)
  }

  private async pass(): Promise<DailyResult> {
    const s = await this.deps.settings()
    const now = this.deps.now()
    const clock = formatBeijing(now)
    const timeOfDay = clock.slice(11, 16)
    if (!s.autoReconcileEnabled || timeOfDay < s.autoReconcileTime || this.stopped)
      return { billDate: null, ran: [] }
    if (this.deps.ready && !(await this.deps.ready())) return { billDate: null, ran: [] }
    const billDate = formatBeijing(now - DAY_MS).slice(0, 10)
    for (const key of this.tried.keys()) if (!key.endsWith(`:${billDate}`)) this.tried.delete(key)
    const ran: string[] = []
    for (const m of await this.deps.merchants()) {
      if (this.stopped) break
      const row = await findStatementOn.async(this.deps.exec, m.id, billDate)
      const key = `${m.id}:${billDate}`
      const state = row ? { status: row.status, lastRunAt: row.last_run_at } : undefined
      if (!dayDue(state, this.tried.get(key) ?? null, now, timeOfDay)) continue
      this.tried.set(key, now)
      ran.push(m.name)
      try {
        await this.deps.reconcile(m, billDate)
      } catch (err) {
        // A merchant that cannot be reconciled now (busy elsewhere, the gateway unreachable, its
        // secrets locked) is said and tried again later; the others go on.
        console.error(`reconcile ${m.name} ${billDate}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    return { billDate, ran }
  }
}
