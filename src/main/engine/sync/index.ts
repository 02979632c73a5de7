import type { StorageFault, TradeType } from '../../../shared/domain'
import type { Db } from '../../store/connection'
import { leaseHolders, releaseLeasesOfGone } from '../../store/leases'
import { ownerIsDeadHere } from '../owner'
import { AttemptRunner, ownerName } from './attempts'
import { Durability } from './durable'
import { HealthThrottle } from './health'
import { Leases } from './lease'
import { SqliteBooks } from './sqlite-books'
import type { AdapterSource, EngineOptions } from './types'
import { surfaceUnknownOutcomes } from './unknown'
import type { AttemptWriter } from './write'

// One sync attempt, end to end, under the safety rules of docs/domain.md section 6:
// 1. every attempt writes a sync record, in its own transaction, with the gateway's text as received
//    (write.ts);
// 2. a repair changes the trade, writes its repair records and links the sync record in one
//    compare-and-set transaction (pay.ts, refund.ts, write.ts);
// 3. one worker per trade, across processes, through a lease row; a second one gets 10007 (lease.ts);
// 4. only verified answers change anything (the adapters return sync_error otherwise);
// 5. errors never change a trade; after N in a row an anomaly is opened and the schedule backs off;
// 6. anomalies are never resolved here;
// 8. nothing the gateway did or said is lost to a failing disk or a locked database: a side effect is
//    announced by an intent on disk first, a refused final write is retried and then kept in the
//    journal (durable.ts), and a side effect nobody recorded is shown and synced again (unknown.ts).

export { BUSY_CODE, BUSY_MESSAGE } from './types'
export type { AdapterSource, EngineOptions, SyncContext, SyncResult } from './types'
export { ClaimLostError, TradeNotFoundError } from './errors'
export { newRepairNo } from './repair-no'
export { refundableChange } from './repair'

export class SyncEngine extends AttemptRunner {
  private readonly durability: Durability

  constructor(
    private readonly db: Db,
    adapters: AdapterSource,
    options: EngineOptions = {},
  ) {
    const owner = ownerName(options)
    const now = options.now ?? Date.now
    const errorThreshold = options.errorThreshold ?? 20
    const writer: AttemptWriter = { db, now, errorThreshold, health: new HealthThrottle() }
    const durability = new Durability(writer, {
      journalFile: options.journalFile ?? null,
      retryForMs: options.writeRetryMs,
    })
    const leases = new Leases(db, owner, options.leaseMs ?? 180_000, now)
    super(new SqliteBooks(db, leases, durability), adapters, { ...options, owner, now, errorThreshold })
    this.durability = durability
  }

  /**
   * Writes what the database refused before (this process's, and the journal of any process), then
   * shows every side effect whose outcome nobody recorded and makes its trade due: at every opening
   * of the database, before anything else, and before a batch runs. The trades to sync again are
   * returned; `waiting` counts the attempts the database still refuses.
   */
  recover(): Recovery {
    const now = this.now()
    const replay = this.durability.replay(now)
    const again = replay.fault ? [] : surfaceUnknownOutcomes(this.db, now, replay.pendingIntents)
    // A process of this machine that died (kill -9, a crash) leaves its leases behind. Taking one
    // over already treats them as free; letting them go here keeps the table saying who really works.
    if (!replay.fault)
      for (const owner of leaseHolders(this.db))
        if (ownerIsDeadHere(owner.split('#')[0]!)) releaseLeasesOfGone(this.db, owner)
    return { written: replay.written, waiting: replay.waiting, fault: replay.fault, syncAgain: again }
  }

  /** Whether attempts wait to be written (for a cheap check before `recover`). */
  keepsAttempts(): boolean {
    return this.durability.waiting()
  }
}

export interface Recovery {
  written: number
  waiting: number
  fault: StorageFault | null
  syncAgain: Array<{ type: TradeType; id: number }>
}
