import { teamCalls } from '../store/sql/calls'
import { removeDemoOn, type DemoBooks } from './demo-removal'
import type { TeamDesk } from './team-desk'
import type { TeamHandlers } from './team-handlers'

// The old sandbox's demo taken out of a team database (docs/team-mode.md B8.20), where `paysync db
// copy` brought it from a desktop's file: by the function the file runs (demo-removal.ts), in one
// PostgreSQL transaction that first makes sure no desktop of the team holds a demo trade.

/** A team database's books for the removal: the window's, and `paysync merchant remove-demo --db postgres://…`. */
export function teamDemoBooks(desk: TeamDesk): DemoBooks {
  return {
    calls: teamCalls(desk.reads.pool),
    actor: desk.actor,
    now: Date.now,
    forgetAdapter: (m) => desk.merchants.forgetAdapter(m),
    changed: () => desk.changed(),
  }
}

export const demoOps: TeamHandlers = {
  'merchants.removeDemo': async ({ desk }) => removeDemoOn(teamDemoBooks(desk)),
}
