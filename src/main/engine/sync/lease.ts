import type { TradeType } from '../../../shared/domain'
import { CallAbandonedError } from '../../gateways/types'
import { commitGroupOf, type CommitGroup } from '../../store/commit-group'
import type { Db } from '../../store/connection'
import { StorageFaultError, storageFaultOf } from '../../store/faults'
import { itemHeldBy } from '../../store/batches'
import { acquireLease, leaseOwner, releaseLease, tradeKey } from '../../store/leases'
import { ownerIsDeadHere } from '../owner'
import type { Trade } from '../trade'
import type { SyncBooks } from './books'
import { ClaimLostError, TradeNotFoundError } from './errors'
import { busyFinding, failedFinding, notAskedFinding, type Finding } from './finding'
import type { SyncResult } from './types'

// One worker per trade, across processes too (docs/domain.md section 6, rule 3): a lease row per
// trade, taken before the trade is read and given back in the transaction that writes the attempt.

/** The batch item an attempt finishes and the runner that must still hold it. */
export interface ItemClaim {
  itemId: number
  owner: string
}

export interface HeldLease {
  key: string
  holder: string
}

export class Leases {
  private attempts = 0
  private readonly group: CommitGroup

  constructor(
    private readonly db: Db,
    readonly owner: string,
    private readonly leaseMs: number,
    private readonly now: () => number,
  ) {
    this.group = commitGroupOf(db)
  }

  /**
   * Takes the trade's lease; one left by a process of this machine that has died is broken at once.
   * Committed with the other writes due in this turn (store/commit-group.ts), and resolved only once
   * committed: the gateway is never asked under a lease that is not yet in the database.
   */
  take(type: TradeType, id: number, claim?: ItemClaim): Promise<HeldLease | null | 'lost'> {
    const key = tradeKey(type, id)
    // Each attempt holds the lease in its own name, so two attempts of one process exclude each other too.
    const holder = `${this.owner}#${++this.attempts}`
    return this.group.run(() => {
      // In the lease's transaction: a runner that claims the item after this finds the lease taken.
      if (claim && !itemHeldBy(this.db, claim.itemId, claim.owner)) return 'lost'
      if (acquireLease(this.db, key, holder, this.leaseMs, this.now())) return { key, holder }
      const current = leaseOwner(this.db, key)
      if (current && ownerIsDeadHere(current.split('#')[0]!)) {
        releaseLease(this.db, key, current)
        if (acquireLease(this.db, key, holder, this.leaseMs, this.now())) return { key, holder }
      }
      return null
    })
  }

  /**
   * Gives the lease back. Best effort under a storage fault: the attempt's own fault is the one to
   * report, and a lease left behind expires, or is broken at once when its process has died.
   */
  release(lease: HeldLease): void {
    try {
      releaseLease(this.db, lease.key, lease.holder)
    } catch (err) {
      if (!storageFaultOf(err)) throw err
    }
  }
}

/**
 * Takes the lease, then reads the trade once: the decision is made on what is current under the
 * lease. `write` gives the lease back in its transaction; if nothing is written, it goes back here.
 * Without the lease the attempt is still recorded, as skipped with 10007.
 *
 * A storage fault inside the work (its intent could not be recorded, so the side effect was not
 * asked) is still an attempt: written as skipped with its reason, then thrown, so that a batch
 * pauses. One in the write itself comes out of `write` once the attempt is kept (durable.ts).
 */
export async function withLease<T extends Trade>(
  leases: Pick<SyncBooks, 'takeLease' | 'releaseLease'>,
  type: T['type'],
  id: number,
  read: (lease: HeldLease | null) => Promise<T | undefined>,
  work: (trade: T, lease: HeldLease) => Promise<Finding>,
  write: (trade: T, finding: Finding, lease: HeldLease | null) => Promise<SyncResult>,
  claim?: ItemClaim,
): Promise<SyncResult> {
  const lease = await leases.takeLease(type, id, claim)
  if (lease === 'lost') throw new ClaimLostError(claim!.itemId)
  if (!lease) {
    const trade = await read(null)
    if (!trade) throw new TradeNotFoundError(type, id)
    return write(trade, busyFinding(), null)
  }
  let written = false
  try {
    const trade = await read(lease)
    if (!trade) throw new TradeNotFoundError(type, id)
    let finding: Finding
    let fault: StorageFaultError | null = null
    try {
      finding = await work(trade, lease)
    } catch (err) {
      // Nothing was asked: no attempt to record; the lease goes back below.
      if (err instanceof CallAbandonedError) throw err
      if (err instanceof StorageFaultError) fault = err
      finding = fault ? notAskedFinding(fault) : failedFinding(err)
    }
    let result: SyncResult
    try {
      result = await write(trade, finding, lease)
    } catch (err) {
      // Kept only in this process's memory: the lease stays until it expires, so that its intent
      // does not look abandoned to another process while the answer is known here.
      if (err instanceof StorageFaultError && err.kept === 'memory') written = true
      throw err
    }
    written = true
    if (fault) throw fault
    return result
  } finally {
    if (!written) await leases.releaseLease(lease)
  }
}
