import type { Actor } from '../../shared/domain'
import type { DemoRemoval } from '../../shared/views'
import { auditOn } from '../store/audit'
import { deleteDemoOn, sandboxMerchantIdsOn, type DemoDeletion } from '../store/demo-data'
import { refuseWhileDemoHeldOnPg } from '../store/demo-holds'
import type { StoreCalls } from '../store/sql/calls'
import { both, type Exec, type Q } from '../store/sql/exec'

// Taking an older version's sandbox demo out of the books, written once for the desktop's file and a
// team database (docs/team-mode.md B8.20): the same rows go, with the same counts and audit row, in one
// transaction of either store. What may hold the demo's trades differs: on the file this process's
// batches (its caller refuses while one runs), on a team database any desktop's leases, claims and
// running batches, checked under a lock in the transaction itself (store/demo-holds.ts).

/** What the removal needs of the books it works on. */
export interface DemoBooks {
  /** The store functions: SQLite's immediate transaction, or one PostgreSQL transaction. */
  calls: StoreCalls
  /** Who the audit row names. */
  actor: Actor
  now(): number
  forgetAdapter(merchantId: number): void
  /** The other desktops' windows told (a team database); nothing on the file. */
  changed(): void
}

const removeDemoIn = both(function* (x: Exec, actor: Actor, now: number): Q<DemoDeletion> {
  const ids = yield* sandboxMerchantIdsOn(x)
  // Nothing to remove locks nothing out.
  if (x.dialect === 'pg' && ids.length > 0) yield* refuseWhileDemoHeldOnPg(x, ids)
  const removed = yield* deleteDemoOn(x, ids)
  if (removed.counts.merchants > 0)
    yield* auditOn(x, { ...actor, action: 'demo_removed', detail: removed.counts }, now)
  return removed
})

/** Removes the old sandbox's demo, audited; what went (all zero when there was none). */
export async function removeDemoOn(books: DemoBooks): Promise<DemoRemoval> {
  const { counts, merchantIds } = await books.calls.inTransaction(removeDemoIn, books.actor, books.now())
  for (const id of merchantIds) books.forgetAdapter(id)
  if (counts.merchants > 0) books.changed()
  return counts
}
