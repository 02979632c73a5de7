import type { Db } from '../../store/connection'
import { acquireLeaseOn, leaseOwnerOn, releaseLeaseOn, renewLeaseOn } from '../../store/leases'
import type { StoreCalls } from '../../store/sql/calls'
import { both, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import { ownerIsDeadHere } from '../owner'

// One run per statement, across processes (docs/reconcile.md A4): a row `statement:<merchant>:<kind>:<date>`
// in the trades' lease table, 10 minutes, renewed while the run lasts (its syncs included). A second
// run meets it and answers STATEMENT_BUSY, having changed nothing. On a team database the same row is
// taken on the database's clock (docs/team-mode.md B8.12), so the desktops of a team meet it too.

export const STATEMENT_LEASE_MS = 10 * 60_000
const RENEW_EVERY_MS = 60_000

export function statementKey(merchantId: number, billDate: string, kind = 'trade'): string {
  return `statement:${merchantId}:${kind}:${billDate}`
}

/** The process that runs a statement, as people read it: `host:pid:random` split (engine/owner.ts). */
interface StatementHolder {
  host: string
  pid: string
}

function holderOf(owner: string): StatementHolder {
  const [host, pid] = owner.split('#')[0]!.split(':')
  return { host: host || '?', pid: pid || '?' }
}

/**
 * Takes the lease, or names the process of the run that holds it (one of a dead process of this
 * machine gives way). Run in one transaction: the holder is read in the transaction that failed to
 * take it, so the run named is the one that was in the way, not whoever came after.
 */
export const takeStatementLeaseOn = both(function* (
  x: Exec,
  key: string,
  holder: string,
  now: number,
): Q<StatementHolder | null> {
  if (yield* acquireLeaseOn(x, key, holder, STATEMENT_LEASE_MS, now)) return null
  const current = yield* leaseOwnerOn(x, key)
  // Let go between the failed upsert and this read (a run that just ended): take it again.
  if (current === null || ownerIsDeadHere(current.split('#')[0]!)) {
    if (current !== null) yield* releaseLeaseOn(x, key, current)
    if (yield* acquireLeaseOn(x, key, holder, STATEMENT_LEASE_MS, now)) return null
    return holderOf((yield* leaseOwnerOn(x, key)) ?? '?')
  }
  return holderOf(current)
})

const holderName = (owner: string) => `${owner}#statement`

export class StatementLease {
  private timer: NodeJS.Timeout | null = null

  private constructor(
    private readonly db: Db,
    readonly key: string,
    private readonly holder: string,
    private readonly now: () => number,
  ) {}

  /** Takes the lease on the desktop's file, in one immediate transaction, or names its holder. */
  static take(db: Db, key: string, owner: string, now: () => number): StatementLease | StatementHolder {
    const holder = holderName(owner)
    const x = sqliteExec(db)
    const taken = db.transaction(() => takeStatementLeaseOn.sync(x, key, holder, now())).immediate()
    if (taken) return taken
    const lease = new StatementLease(db, key, holder, now)
    lease.timer = setInterval(() => lease.renew(), RENEW_EVERY_MS)
    lease.timer.unref()
    return lease
  }

  renew(): void {
    try {
      renewLeaseOn.sync(sqliteExec(this.db), this.key, this.holder, STATEMENT_LEASE_MS, this.now())
    } catch {
      // The database closed under a finished run: nothing left to hold.
    }
  }

  release(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    releaseLeaseOn.sync(sqliteExec(this.db), this.key, this.holder)
  }
}

/** The same lease on a team database: taken in one PostgreSQL transaction, on the database's clock. */
export class TeamStatementLease {
  private timer: NodeJS.Timeout | null = null

  private constructor(
    private readonly calls: StoreCalls,
    readonly key: string,
    private readonly holder: string,
  ) {}

  static async take(
    calls: StoreCalls,
    key: string,
    owner: string,
  ): Promise<TeamStatementLease | StatementHolder> {
    const holder = holderName(owner)
    // `now` is not read on PostgreSQL: the database's clock decides (store/leases.ts).
    const taken = await calls.inTransaction(takeStatementLeaseOn, key, holder, 0)
    if (taken) return taken
    const lease = new TeamStatementLease(calls, key, holder)
    lease.timer = setInterval(() => void lease.renew(), RENEW_EVERY_MS)
    lease.timer.unref()
    return lease
  }

  async renew(): Promise<void> {
    // A renewal the database did not answer is tried again at the next tick; the lease lasts ten.
    await this.calls.run(renewLeaseOn, this.key, this.holder, STATEMENT_LEASE_MS, 0).catch(() => false)
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.calls.run(releaseLeaseOn, this.key, this.holder)
  }
}
