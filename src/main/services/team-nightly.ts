import type { BatchProgressEvent } from '../../shared/contract'
import type { SyncSummary } from '../../shared/views'
import { leadingNightly, type NightlyRun } from './nightly'
import { summaryOf } from './sync'
import { createTeamBatch, runTeamBatch, teamTrades } from './team-batches'
import type { TeamDesk } from './team-desk'

// The nightly pass on a team database (`paysync sync --pending --db postgres://…` from cron,
// docs/team-mode.md B8.9, B8.10): one per team at a time, whichever desktop's cron starts it (the job
// `nightly` is an advisory lock on the team database), over every trade not final that no paused or
// cancelled batch holds. It is a stored batch, as on the desktop's file: every desktop's window lists
// it with its progress, a pass cut short resumes where it stopped (`paysync batch resume`), and other
// desktops may join it.

export function teamNightlyPass(
  desk: TeamDesk,
  pace: { concurrency: number; qps: number; name?: string },
  onProgress?: (p: BatchProgressEvent) => void,
): Promise<NightlyRun<SyncSummary>> {
  return leadingNightly(desk.coordination(), desk.engine.owner, async () => {
    const refs = await teamTrades(desk, true, true)
    if (refs.length === 0) return summaryOf(null)
    const id = await createTeamBatch(desk, refs, {
      name: pace.name ?? 'sync --pending',
      source: 'schedule',
      concurrency: pace.concurrency,
      qps: pace.qps,
    })
    return summaryOf(await runTeamBatch(desk, id, onProgress, { endWhenPaused: true }))
  })
}
