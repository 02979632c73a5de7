import { ScheduleLead } from '../engine/schedule-lead'
import type { Coordination } from '../store/coordination/types'
import type { ServiceContext } from './context'

// The nightly pass (`paysync sync --pending` from cron, docs/cli.md section 1) runs once at a time per
// database: it leads the job `nightly` for as long as it runs (docs/domain.md section 7). Without it
// two crons that overlap (a slow night and the next run, or one cron per desktop on a shared store)
// would each make a batch of every pending trade and ask the gateways about each trade twice. The
// app's own schedules are another job (`schedules`, engine/schedule-lead.ts): they sync what is due
// by the ladder, and keep doing so while a nightly pass runs.

export const NIGHTLY_JOB = 'nightly'

export type NightlyRun<T> = { ran: true; value: T } | { ran: false; leader: string | null }

/** Runs `pass` while this process leads the nightly pass; another that leads it now is named instead. */
export function asNightlyPass<T>(ctx: ServiceContext, pass: () => Promise<T>): Promise<NightlyRun<T>> {
  return leadingNightly(ctx.coordination, ctx.engine.owner, pass)
}

/** The same on any store's coordination: a team database's is one advisory lock per team (B8.5). */
export async function leadingNightly<T>(
  coordination: Coordination,
  owner: string,
  pass: () => Promise<T>,
): Promise<NightlyRun<T>> {
  const lead = new ScheduleLead(coordination, owner, NIGHTLY_JOB)
  try {
    if (!(await lead.leads())) return { ran: false, leader: lead.state()?.owner ?? null }
    return { ran: true, value: await pass() }
  } finally {
    await lead.release()
  }
}
