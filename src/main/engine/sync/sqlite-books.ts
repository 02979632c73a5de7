import type { TradeType } from '../../../shared/domain'
import type { Db } from '../../store/connection'
import { getPayOrder } from '../../store/orders'
import type { SideEffect } from '../../store/intents'
import { readTrade, type Trade } from '../trade'
import type { SyncBooks } from './books'
import type { Durability, KeptAttempt } from './durable'
import type { HeldLease, ItemClaim, Leases } from './lease'
import type { Attempt } from './types'

// The desktop's books: the SQLite file, its leases and its durable final write as they have always
// been (lease.ts, durable.ts), answered at once.

export class SqliteBooks implements SyncBooks {
  constructor(
    private readonly db: Db,
    private readonly leases: Leases,
    private readonly durability: Durability,
  ) {}

  takeLease(type: TradeType, id: number, claim?: ItemClaim) {
    return this.leases.take(type, id, claim)
  }

  async releaseLease(lease: HeldLease) {
    this.leases.release(lease)
  }

  async readTrade(type: TradeType, id: number) {
    return readTrade(this.db, type, id)
  }

  async payOrder(id: number) {
    return getPayOrder(this.db, id)
  }

  async intend(id: string, trade: Trade, holder: string, attempt: Attempt, action: SideEffect) {
    this.durability.intend(id, trade, holder, attempt, action)
  }

  write(entry: KeptAttempt) {
    return this.durability.write(entry)
  }
}
