import type pg from 'pg'
import { leaseHoldersOn, releaseLeasesOfGoneOn } from '../../store/leases'
import { databaseNow } from '../../store/pg/clock'
import { inPgTransaction } from '../../store/pg/transaction'
import { unsettledIntentsOn } from '../../store/intents'
import { pgExec } from '../../store/sql/pg-exec'
import { both } from '../../store/sql/exec'
import { ownerIsDeadHere } from '../owner'
import { AttemptRunner, ownerName } from './attempts'
import { HealthThrottle } from './health'
import type { Recovery } from './index'
import { PgBooks } from './pg-books'
import type { AdapterSource, EngineOptions } from './types'
import { intentInFlight, recordUnknownOutcomeOn } from './unknown'

// The sync engine on a team database (docs/team-mode.md B8.9): the same attempt as the desktop's
// (attempts.ts) over the PostgreSQL books (pg-books.ts), and the same recovery at every opening,
// asynchronous: what this computer's journal keeps is written, then every side effect nobody
// recorded, on any desktop, is shown and its trade made due.

export interface TeamEngineOptions extends EngineOptions {
  /** After every attempt committed: the other desktops are told. */
  committed?: () => void
}

const inFlight = both(intentInFlight)

export class TeamSyncEngine extends AttemptRunner {
  private readonly pgBooks: PgBooks

  constructor(
    private readonly pool: pg.Pool,
    adapters: AdapterSource,
    options: TeamEngineOptions = {},
  ) {
    const owner = ownerName(options)
    const now = options.now ?? Date.now
    const errorThreshold = options.errorThreshold ?? 20
    const books = new PgBooks(pool, {
      owner,
      leaseMs: options.leaseMs ?? 180_000,
      rules: { now, errorThreshold, health: new HealthThrottle() },
      journalFile: options.journalFile ?? null,
      retryForMs: options.writeRetryMs,
      committed: options.committed,
    })
    super(books, adapters, { ...options, owner, now, errorThreshold })
    this.pgBooks = books
  }

  /** Whether attempts wait to be written (for a cheap check before `recover`). */
  keepsAttempts(): boolean {
    return this.pgBooks.waiting()
  }

  async recover(): Promise<Recovery> {
    const replay = await this.pgBooks.replay()
    if (replay.fault)
      return { written: replay.written, waiting: replay.waiting, fault: replay.fault, syncAgain: [] }
    const x = pgExec(this.pool)
    // Leases expire by the database's clock: whether an attempt elsewhere still holds one is read by it too.
    const dbNow = await databaseNow.async(x)
    const syncAgain: Recovery['syncAgain'] = []
    for (const intent of await unsettledIntentsOn.async(x)) {
      if (replay.pendingIntents.has(intent.id) || (await inFlight.async(x, intent, dbNow))) continue
      const trade = await inPgTransaction(this.pool, (t) =>
        recordUnknownOutcomeOn.async(t, intent, this.now()),
      )
      if (trade) syncAgain.push(trade)
    }
    // A process of this computer that died leaves its leases; letting them go keeps the table true.
    for (const holder of await leaseHoldersOn.async(x))
      if (ownerIsDeadHere(holder.split('#')[0]!)) await releaseLeasesOfGoneOn.async(x, holder)
    return { written: replay.written, waiting: replay.waiting, fault: null, syncAgain }
  }
}
