import type { StorageFault, TradeType } from '../../shared/domain'
import type { SyncSummary } from '../../shared/views'
import { syncInLanes, type PassTrade } from '../engine/sync-pass'
import { pendingTradesOn } from '../store/trade-schedule'
import { leadingNightly, type NightlyRun } from './nightly'
import { summaryOf } from './sync'
import type { TeamDesk } from './team-desk'

// The nightly pass on a team database (`paysync sync --pending --db postgres://…` from cron,
// docs/team-mode.md B8.9): one per team at a time, whichever desktop's cron starts it (the job
// `nightly` is an advisory lock on the team database), over every trade not final that no paused or
// cancelled batch holds, a lane per merchant at the team's pace. A pass, not a stored batch, until
// the batch runner works on a team database (B8.6): a pass cut short leaves its trades pending, and
// the next one syncs them; what was answered is written, each trade under its lease.

export interface TeamPass {
  summary: SyncSummary
  /** The storage fault that stopped it, if one did: the rest waits for the next pass. */
  fault: StorageFault | null
  /** Trades that could not be synced for another reason (one gone meanwhile), said one by one. */
  failed: string[]
}

export function teamNightlyPass(
  desk: TeamDesk,
  pace: { concurrency: number; qps: number },
): Promise<NightlyRun<TeamPass>> {
  return leadingNightly(desk.coordination(), desk.engine.owner, async () => {
    const started = performance.now()
    const trades: PassTrade[] = []
    for (const type of ['pay', 'refund'] as const satisfies readonly TradeType[])
      for (const t of await pendingTradesOn.async(desk.reads.exec, type))
        trades.push({ type, id: t.id, merchantId: t.merchantId, source: 'schedule' })
    const out = await syncInLanes(desk.engine, trades, pace, desk.actor)
    return {
      summary: summaryOf(null, out.results, Math.round(performance.now() - started)),
      fault: out.fault,
      failed: out.failed,
    }
  })
}
