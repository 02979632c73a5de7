import { AppError } from '../../shared/errors'
import { amongIds, demoTrades } from './demo-data'
import { PG_NOW_MS } from './pg/clock'
import { all, run, type Exec, type Q } from './sql/exec'

// Whether another desktop of a team may be working on the old sandbox's demo trades, asked inside the
// removal's own transaction (docs/team-mode.md B8.20). On the desktop's file only this process syncs,
// and it refuses while it runs a batch (services/sandbox.ts); on a team database another desktop's
// sync, nightly pass or batch may hold a demo trade right now.
//
// Every way the engine comes to hold a trade writes one of two tables first: the trade's lease
// (`trade_leases`: an insert or an upsert, store/coordination/pg.ts and store/pg/item-lease.ts) and a
// batch item's claim (`batch_items`: an update). Both take ROW EXCLUSIVE on their table, which SHARE ROW
// EXCLUSIVE excludes: once this lock is granted, every such write of another desktop that began
// earlier has committed, and none begins until the removal commits. What it then reads is what holds
// the demo, and nothing can come to hold it before its rows are gone. The lists and every read go on
// meanwhile (a read's ACCESS SHARE is not excluded). The two tables are locked in the order an
// attempt's write takes them (the lease released, then the batch item done: engine/sync/write.ts), so
// a write under way finishes first instead of the two waiting for each other.

/** The desktop a holder names: `host:pid` of `host:pid:random#attempt` (engine/owner.ts). */
const desktopOf = (owner: string) => owner.split('#')[0]!.split(':').slice(0, 2).join(':')

const namesOf = (owners: string[]) => [...new Set(owners.map(desktopOf))].sort().join(', ')

/**
 * Locks out new leases and claims until the caller's transaction ends, then refuses in one sentence,
 * naming the desktops, when a live lease or claim (on the database's clock) covers a demo trade, or a
 * batch holding demo trades is running with a live runner. PostgreSQL only.
 */
export function* refuseWhileDemoHeldOnPg(x: Exec, merchantIds: number[]): Q<void> {
  yield* run(x, 'LOCK TABLE trade_leases, batch_items IN SHARE ROW EXCLUSIVE MODE')
  const [m, p] = amongIds(x, 'merchant_id', merchantIds)
  const t = demoTrades(m)
  // A trade in a batch is claimed by its runner and leased by the runner's attempt: counted once.
  const held = yield* all<{ owner: string; trade: string }>(
    x,
    `SELECT owner, trade_key AS trade FROM trade_leases WHERE expires_at >= ${PG_NOW_MS} AND ${t.leases}
     UNION
     SELECT claimed_by, trade_type || ':' || trade_id FROM batch_items
      WHERE state = 'pending' AND claimed_by IS NOT NULL AND claim_expires_at >= ${PG_NOW_MS}
        AND ${t.items()}`,
    [p, p, p, p],
  )
  if (held.length > 0)
    throw AppError.say('conflict', 'demo.heldOnTeam', {
      holders: namesOf(held.map((h) => h.owner)),
      trades: new Set(held.map((h) => h.trade)).size,
    })
  const running = yield* all<{ id: number | string; owner: string }>(
    x,
    `SELECT b.id, l.owner FROM batches b
       JOIN trade_leases l ON l.trade_key LIKE 'batch:' || b.id || ':runner:%' AND l.expires_at >= ${PG_NOW_MS}
      WHERE b.status = 'running'
        AND EXISTS (SELECT 1 FROM batch_items i WHERE i.batch_id = b.id AND ${t.items('i.')})
      ORDER BY b.id`,
    [p, p],
  )
  if (running.length > 0)
    throw AppError.say('conflict', 'demo.batchRunningOnTeam', {
      batch: Number(running[0]!.id),
      holders: namesOf(running.filter((r) => r.id === running[0]!.id).map((r) => r.owner)),
    })
}
