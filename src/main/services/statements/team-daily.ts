import type { Actor } from '../../../shared/domain'
import { summarizeOn } from '../../engine/reconcile/close'
import { expirePoolOn } from '../../engine/reconcile/expected'
import { DailyReconcile } from '../../engine/reconcile-schedule'
import { merchantById, type MerchantRow } from '../../store/merchants'
import { both } from '../../store/sql/exec'
import type { TeamDesk } from '../team-desk'
import { teamStatementBooks, type StatementBooks } from './books'
import { reconcilableMerchantsOn } from './runs'
import { limitsOf } from './syncs'
import { syncDiffsOnTeam } from './team-act'
import type { RunInBackground } from './team-decisions'
import { reconcileOnTeam } from './team-run'

// The daily reconciliation on a team database (docs/reconcile.md A12; docs/team-mode.md B8.19), as a
// window on the file runs it (services/statements/daily.ts): yesterday's download of each merchant by
// the team's key, its syncs in this desktop's background by the schedule, then the carry-over pool's
// upkeep. Which days ran is read from the team's statements (engine/reconcile-schedule.ts), so it is
// run once per team by the desktop that leads the schedules, whichever desktop that is that day.

const merchantByIdOn = both(merchantById)

/** What the host that serves the window lends the daily run. */
export interface TeamDailyHost {
  /** Whether the team key opens now; no pass while it does not (B8.15). */
  keyOpens(): Promise<boolean>
  /** The host's background runs of a stored batch (TeamHost.runInBackground). */
  runInBackground: RunInBackground
  progress?: StatementBooks['progress']
}

/** The daily reconciliation of the team's merchants, for the host's scheduler. */
export function teamDailyReconcileOf(desk: TeamDesk, host: TeamDailyHost): DailyReconcile {
  return new DailyReconcile({
    exec: desk.reads.exec,
    settings: () => desk.settings(),
    now: Date.now,
    merchants: async () =>
      (await reconcilableMerchantsOn(desk.reads.exec)).map((m) => ({ id: m.id, name: m.name })),
    ready: () => host.keyOpens(),
    reconcile: (m, billDate) => reconcileScheduledOnTeam(desk, host, m.id, billDate),
  })
}

/** One merchant's day by the schedule: the download, then the pool's upkeep whatever the run came to. */
export async function reconcileScheduledOnTeam(
  desk: TeamDesk,
  host: TeamDailyHost,
  merchantId: number,
  billDate: string,
): Promise<void> {
  const merchant = await merchantByIdOn.async(desk.reads.exec, merchantId)
  // Removed between the list and its turn: nothing of it to reconcile.
  if (!merchant || merchant.removed_at !== null) return
  const actor: Actor = { ...desk.actor, transport: 'schedule' }
  try {
    await reconcileOnTeam(desk, {
      merchant: merchant.name,
      date: billDate,
      dryRun: false,
      actor,
      background: host.runInBackground,
      progress: host.progress,
    })
  } finally {
    await maintainPoolOnTeam(desk, host, merchant, billDate, actor)
  }
}

/**
 * A8 rule 2 after a scheduled run, as on the file (daily.ts maintainPool): pool entries whose expected
 * days are all reconciled, or too old, become `local_only` on their own statements, and their syncs
 * run in the background.
 */
async function maintainPoolOnTeam(
  desk: TeamDesk,
  host: TeamDailyHost,
  merchant: MerchantRow,
  billDate: string,
  actor: Actor,
): Promise<void> {
  const books = teamStatementBooks(desk.reads.pool, { progress: host.progress })
  const settings = await desk.settings()
  const expired = await books.calls.inTransaction(
    expirePoolOn,
    merchant.id,
    billDate,
    settings.carryOverDays,
    books.now(),
  )
  const touched = [...expired]
  if (touched.length === 0) return
  for (const id of touched) await books.calls.run(summarizeOn, id, books.now())
  await syncDiffsOnTeam(desk, books, touched[0]!, touched, {
    limits: limitsOf(settings, merchant),
    name: `对账跨日到期 ${merchant.name} ${billDate}`,
    actor,
    recordOn: false,
    background: host.runInBackground,
  })
  desk.changed()
}
