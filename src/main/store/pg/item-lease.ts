import { one, type Exec, type Q } from '../sql/exec'
import { PG_NOW_MS } from './clock'

// A batch item's lease on a team database in one statement (docs/team-mode.md B8.10): the item still
// held by its runner's claim, and the trade's lease taken on the database's clock, as one snapshot.
// The same two steps as a transaction (BEGIN, the claim, the lease, COMMIT) were four round trips
// for every item of a batch; most items find their lease free.

export type ItemLease = 'taken' | 'lost' | 'held'

export function* takeItemLeaseOn(
  x: Exec,
  key: string,
  holder: string,
  ttlMs: number,
  claim: { itemId: number; owner: string },
): Q<ItemLease> {
  const r = yield* one<{ claimed: number; took: number }>(
    x,
    `WITH claim AS (
       SELECT id FROM batch_items WHERE id = ? AND claimed_by = ? AND state = 'pending'),
     took AS (
       INSERT INTO trade_leases (trade_key, owner, expires_at)
       SELECT ?, ?, ${PG_NOW_MS} + ?::bigint FROM claim
       ON CONFLICT (trade_key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE trade_leases.expires_at < ${PG_NOW_MS}
       RETURNING owner)
     SELECT (SELECT count(*) FROM claim) AS claimed, (SELECT count(*) FROM took) AS took`,
    [claim.itemId, claim.owner, key, holder, ttlMs],
  )
  if (!r || Number(r.claimed) === 0) return 'lost'
  return Number(r.took) === 1 ? 'taken' : 'held'
}
