import type { TradeType } from '../../../shared/domain'
import { CallAbandonedError } from '../../gateways/types'
import type { Db } from '../../store/connection'
import { acquireLease, leaseOwner, releaseLease, tradeKey } from '../../store/leases'
import { ownerIsDeadHere } from '../owner'
import type { Trade } from '../trade'
import { TradeNotFoundError } from './errors'
import { busyFinding, failedFinding, type Finding } from './finding'
import type { SyncResult } from './types'

// One worker per trade, across processes too (docs/domain.md section 6, rule 3): a lease row per
// trade, taken before the trade is read and given back in the transaction that writes the attempt.

export interface HeldLease {
  key: string
  holder: string
}

export class Leases {
  private attempts = 0

  constructor(
    private readonly db: Db,
    readonly owner: string,
    private readonly leaseMs: number,
    private readonly now: () => number,
  ) {}

  /** Takes the trade's lease; one left by a process of this machine that has died is broken at once. */
  take(type: TradeType, id: number): HeldLease | null {
    const key = tradeKey(type, id)
    // Each attempt holds the lease in its own name, so two attempts of one process exclude each other too.
    const holder = `${this.owner}#${++this.attempts}`
    if (acquireLease(this.db, key, holder, this.leaseMs, this.now())) return { key, holder }
    const current = leaseOwner(this.db, key)
    if (current && ownerIsDeadHere(current.split('#')[0]!)) {
      releaseLease(this.db, key, current)
      if (acquireLease(this.db, key, holder, this.leaseMs, this.now())) return { key, holder }
    }
    return null
  }

  release(lease: HeldLease): void {
    releaseLease(this.db, lease.key, lease.holder)
  }
}

/**
 * Takes the lease, then reads the trade once: the decision is made on what is current under the
 * lease. `write` gives the lease back in its transaction; if nothing is written, it goes back here.
 * Without the lease the attempt is still recorded, as skipped with 10007.
 */
export async function withLease<T extends Trade>(
  leases: Leases,
  type: T['type'],
  id: number,
  read: () => T | undefined,
  work: (trade: T) => Promise<Finding>,
  write: (trade: T, finding: Finding, lease: HeldLease | null) => SyncResult,
): Promise<SyncResult> {
  const lease = leases.take(type, id)
  if (!lease) {
    const trade = read()
    if (!trade) throw new TradeNotFoundError(type, id)
    return write(trade, busyFinding(), null)
  }
  let written = false
  try {
    const trade = read()
    if (!trade) throw new TradeNotFoundError(type, id)
    let finding: Finding
    try {
      finding = await work(trade)
    } catch (err) {
      // Nothing was asked: no attempt to record; the lease goes back below.
      if (err instanceof CallAbandonedError) throw err
      finding = failedFinding(err)
    }
    const result = write(trade, finding, lease)
    written = true
    return result
  } finally {
    if (!written) leases.release(lease)
  }
}
