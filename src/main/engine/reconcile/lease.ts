import type { Db } from '../../store/connection'
import { acquireLease, leaseOwner, releaseLease, renewLease } from '../../store/leases'
import { ownerIsDeadHere } from '../owner'

// One run per statement, across processes (docs/reconcile.md A4): a row `statement:<merchant>:<kind>:<date>`
// in the trades' lease table, 10 minutes, renewed while the run lasts (its syncs included). A second
// run meets it and answers STATEMENT_BUSY, having changed nothing.

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

export class StatementLease {
  private timer: NodeJS.Timeout | null = null

  private constructor(
    private readonly db: Db,
    readonly key: string,
    private readonly holder: string,
    private readonly now: () => number,
  ) {}

  /**
   * Takes the lease, or names the process of the run that holds it (one of a dead process of this
   * machine gives way). The holder is read in the transaction that failed to take it, so the run named
   * is the one that was in the way, not whoever came after.
   */
  static take(db: Db, key: string, owner: string, now: () => number): StatementLease | StatementHolder {
    const holder = `${owner}#statement`
    const taken = db
      .transaction((): StatementHolder | null => {
        if (acquireLease(db, key, holder, STATEMENT_LEASE_MS, now())) return null
        const current = leaseOwner(db, key)!
        if (ownerIsDeadHere(current.split('#')[0]!)) {
          releaseLease(db, key, current)
          if (acquireLease(db, key, holder, STATEMENT_LEASE_MS, now())) return null
        }
        return holderOf(current)
      })
      .immediate()
    if (taken) return taken
    const lease = new StatementLease(db, key, holder, now)
    lease.timer = setInterval(() => lease.renew(), RENEW_EVERY_MS)
    lease.timer.unref()
    return lease
  }

  renew(): void {
    try {
      renewLease(this.db, this.key, this.holder, STATEMENT_LEASE_MS, this.now())
    } catch {
      // The database closed under a finished run: nothing left to hold.
    }
  }

  release(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    releaseLease(this.db, this.key, this.holder)
  }
}
