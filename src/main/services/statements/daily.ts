import { summarize } from '../../engine/reconcile/close'
import { expirePool } from '../../engine/reconcile/expected'
import { DailyReconcile } from '../../engine/reconcile-schedule'
import { getMerchant, type MerchantRow } from '../../store/merchants'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import type { ServiceContext } from '../context'
import { reconcileDay } from './reconcile-day'
import { reconcilableMerchants } from './runs'
import { act, merchantLimits, runSyncs } from './syncs'

// The daily reconciliation as a host runs it (docs/reconcile.md A12; when, in engine/reconcile-schedule.ts):
// yesterday's download for each merchant, its syncs in the background as a window's run has them, by
// the schedule; then the carry-over pool's upkeep, which a day whose bill is not out yet would
// otherwise never give (A8 rule 2).

/** The daily reconciliation of this context's merchants, for the host's scheduler. */
export function dailyReconcileOf(ctx: ServiceContext): DailyReconcile {
  return new DailyReconcile({
    exec: sqliteExec(ctx.db),
    settings: () => ctx.settings(),
    now: ctx.now,
    merchants: () => reconcilableMerchants(ctx).map((m) => ({ id: m.id, name: m.name })),
    reconcile: (m, billDate) => reconcileScheduled(ctx, m.id, billDate),
  })
}

/** One merchant's day by the schedule: the download, then the pool's upkeep whatever the run came to. */
export async function reconcileScheduled(
  ctx: ServiceContext,
  merchantId: number,
  billDate: string,
): Promise<void> {
  const merchant = getMerchant(ctx.db, merchantId)
  // Removed between the list and its turn: nothing of it to reconcile.
  if (!merchant) return
  try {
    await reconcileDay(ctx, merchant, billDate, {
      file: null,
      dryRun: false,
      waitForSyncs: false,
      actor: ctx.scheduleActor,
    })
  } finally {
    maintainPool(ctx, merchant, billDate)
  }
}

/**
 * A8 rule 2 after a scheduled run: pool entries whose expected days are all reconciled, or too old,
 * become `local_only` on their own statements, and their syncs start as a run's would.
 */
function maintainPool(ctx: ServiceContext, merchant: MerchantRow, billDate: string): void {
  const now = ctx.now()
  const touched = [...expirePool(ctx.db, merchant.id, billDate, ctx.settings().carryOverDays, now)]
  if (touched.length === 0) return
  for (const id of touched) summarize(ctx.db, id, now)
  const plan = act(ctx, merchantLimits(ctx, merchant), touched, {
    name: `对账跨日到期 ${merchant.name} ${billDate}`,
    actor: ctx.scheduleActor,
  })
  if (plan.batchId === null) return
  runSyncs(ctx, touched[0]!, plan.batchId, touched).catch((err: Error) =>
    console.error(`statement pool of ${merchant.name}: syncs stopped: ${err.message}`),
  )
}
