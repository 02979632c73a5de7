import type { TradeType } from '../../../shared/domain'
import type { SideEffect } from '../../store/intents'
import type { PayOrderRow } from '../../store/orders'
import type { Trade } from '../trade'
import type { KeptAttempt } from './durable'
import type { HeldLease, ItemClaim } from './lease'
import type { Attempt, SyncResult } from './types'

// What one attempt needs of the books, on whichever store holds them (docs/team-mode.md B8.9): the
// trade's lease, the trade as it is under it, the intent before a side effect, and the one final
// write. The desktop's SQLite file answers through sqlite-books.ts, a team database through
// pg-books.ts; the attempt itself (attempts.ts) is the same code on both.

export interface SyncBooks {
  /** Takes the trade's lease: null when another holds it, 'lost' when the batch item's claim passed on. */
  takeLease(type: TradeType, id: number, claim?: ItemClaim): Promise<HeldLease | null | 'lost'>
  /** Gives a lease back when nothing was written; best effort under a storage fault. */
  releaseLease(lease: HeldLease): Promise<void>
  /** The trade as it is now; `lease`, the attempt's own, when it holds one (read after it was taken). */
  readTrade(type: TradeType, id: number, lease: HeldLease | null): Promise<Trade | undefined>
  /** The pay order of a refund: the refund query names it. */
  payOrder(id: number): Promise<PayOrderRow | undefined>
  /** Records, durably, that a side effect is about to be asked; a StorageFaultError means: do not ask. */
  intend(id: string, trade: Trade, holder: string, attempt: Attempt, action: SideEffect): Promise<void>
  /** The attempt's final write; kept (journal, memory) when the store refuses it. */
  write(entry: KeptAttempt): Promise<SyncResult>
}
