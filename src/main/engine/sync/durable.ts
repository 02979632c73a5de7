import type { StorageFault, SyncSource, Transport } from '../../../shared/domain'
import { commitGroupOf, type CommitGroup } from '../../store/commit-group'
import { synced } from '../../store/connection'
import { StorageFaultError, storageFaultOf } from '../../store/faults'
import {
  insertIntent,
  journalEntryWritten,
  noteJournalEntry,
  settleIntent,
  type NewIntent,
  type SideEffect,
} from '../../store/intents'
import { appendToJournal, claimJournal, dropClaimed, journalWaiting } from '../../store/journal'
import type { Trade } from '../trade'
import type { Finding } from './finding'
import type { HeldLease } from './lease'
import type { SyncResult } from './types'
import { writeAttempt, type AttemptWriter } from './write'

// The final write of an attempt may not be lost (docs/domain.md section 6.8): once the gateway has
// answered, and above all once it has closed an order, the answer exists only in this process until
// the database takes it. So:
// - a call that changes something at the gateway is announced first by an intent record, committed
//   on its own and synced to disk (`intend`); no intent, no call;
// - the final write is retried with backoff well past the busy timeout while another process holds
//   the database (`write`);
// - what the database still refuses (a lock that outlasts the retries, a full disk, an I/O error) is
//   appended to the journal beside the database, and kept in memory if even that is refused;
// - the next opening of the database, in any process, writes the journal before anything else, each
//   entry once (`replay`), and after that shows every intent no record answers (unknown.ts).

/** One attempt's final write as data: what the journal keeps when the database refuses it. */
export interface KeptAttempt {
  /** The attempt's id, also its intent's: unique, so a replay can tell it has been written. */
  id: string
  /** When the attempt was written first; its record carries this time, also when replayed later. */
  at: number
  trade: Trade
  attempt: {
    source: SyncSource
    operator: string | null
    /** Who else the repair names (docs/domain.md section 2); absent in a journal older than them. */
    systemUser?: string | null
    transport?: Transport | null
    clientIp: string | null
    batchId: number | null
    batchItemId: number | null
  }
  durationMs: number
  finding: Finding
  lease: HeldLease | null
  /** The intent this attempt answers, when it had a side effect. */
  intent: string | null
  /** Why the database refused it. */
  fault?: StorageFault
}

export interface DurabilityOptions {
  /** Beside the database; null for an in-memory one, whose refused writes can only wait in memory. */
  journalFile: string | null
  /** How long a final write is retried while the database is locked, after the busy timeout (60 s). */
  retryForMs?: number
  /** The first wait between retries, doubled each time up to `maxBackoffMs` (250 ms, 8 s). */
  backoffMs?: number
  maxBackoffMs?: number
}

export interface Replay {
  /** Entries written now. */
  written: number
  /** Entries still waiting: the database refused them again. */
  waiting: number
  /** The fault that stopped the replay, if one did. */
  fault: StorageFault | null
  /** Intents of the entries still waiting: their outcome is known, only not yet written. */
  pendingIntents: Set<string>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A merchant's health is the latest call's; a replayed one is old news. */
const NO_HEALTH = { note: () => null }

export class Durability {
  /** Attempts the journal refused too (its disk is full as well): they wait here for the database. */
  private readonly held: KeptAttempt[] = []
  private readonly retryForMs: number
  private readonly backoffMs: number
  private readonly maxBackoffMs: number
  private readonly group: CommitGroup

  constructor(
    private readonly writer: AttemptWriter,
    private readonly options: DurabilityOptions,
  ) {
    this.group = commitGroupOf(writer.db)
    this.retryForMs = options.retryForMs ?? 60_000
    this.backoffMs = options.backoffMs ?? 250
    this.maxBackoffMs = options.maxBackoffMs ?? 8_000
  }

  /**
   * Records that a side effect is about to be asked of the gateway, synced to disk before the call.
   * A storage fault here means the call is not made.
   */
  intend(
    id: string,
    trade: Trade,
    holder: string,
    attempt: { source: SyncSource; operator?: string | null; batchId?: number | null },
    action: SideEffect,
  ): void {
    const { db } = this.writer
    try {
      synced(db, () => insertIntent(db, intentOf(id, trade, holder, attempt, action, this.writer.now())))
    } catch (err) {
      const fault = storageFaultOf(err)
      if (fault) throw new StorageFaultError(fault, null, err)
      throw err
    }
  }

  /**
   * Writes an attempt: its record, repair and bookkeeping, and its intent's answer, in one
   * transaction (a savepoint of the commit shared with the other writes due in this turn: the
   * attempt is settled only once that has committed). While the database is locked it tries again with backoff; when it cannot be written,
   * the attempt is kept and a StorageFaultError says where.
   */
  async write(entry: KeptAttempt): Promise<SyncResult> {
    let backoff = this.backoffMs
    const until = performance.now() + this.retryForMs
    for (;;) {
      try {
        return await this.group.run(() => this.apply(entry))
      } catch (err) {
        const fault = storageFaultOf(err)
        if (!fault) throw err
        if (fault === 'db_locked' && performance.now() < until) {
          await sleep(backoff)
          backoff = Math.min(backoff * 2, this.maxBackoffMs)
          continue
        }
        throw new StorageFaultError(fault, this.keep({ ...entry, fault }), err)
      }
    }
  }

  private apply(entry: KeptAttempt, replay = false): SyncResult {
    const { db } = this.writer
    const write = () =>
      writeAttempt(
        { ...this.writer, now: () => entry.at, ...(replay ? { health: NO_HEALTH } : {}) },
        entry.trade,
        { ...entry.attempt, waited: { ms: 0 }, intend: replayAsksNothing },
        performance.now() - entry.durationMs,
        entry.finding,
        entry.lease,
      )
    // Most attempts change nothing at the gateway: their write is writeAttempt's one transaction.
    const { intent } = entry
    if (!intent) return write()
    return db
      .transaction(() => {
        const result = write()
        settleIntent(db, intent, result.recordId, entry.at)
        return result
      })
      .immediate()
  }

  private keep(entry: KeptAttempt): 'journal' | 'memory' {
    if (this.options.journalFile) {
      try {
        appendToJournal(this.options.journalFile, entry)
        return 'journal'
      } catch (err) {
        console.error(
          `paysync: the journal ${this.options.journalFile} refused an attempt too (${(err as Error).message}); ` +
            'it waits in memory until the database takes it',
        )
      }
    }
    this.held.push(entry)
    return 'memory'
  }

  /** Whether anything waits to be written: in memory, or in a journal file. */
  waiting(): boolean {
    return this.held.length > 0 || (!!this.options.journalFile && journalWaiting(this.options.journalFile))
  }

  /**
   * Writes what waits: this process's attempts held in memory, then every journal file (this
   * process's and any other's, a crashed one's included). Each entry is written once, with the
   * commit synced to disk before its journal file goes. Stops at the first storage fault.
   */
  replay(now: number): Replay {
    const out: Replay = { written: 0, waiting: 0, fault: null, pendingIntents: new Set() }
    const wait = (entry: KeptAttempt) => {
      out.waiting += 1
      if (entry.intent) out.pendingIntents.add(entry.intent)
    }
    for (const entry of this.held.splice(0)) {
      if (out.fault) {
        this.held.push(entry)
        wait(entry)
        continue
      }
      const r = this.replayOne(entry, now)
      if (r === 'written') out.written += 1
      else if (r !== 'skipped') {
        out.fault = r
        this.held.push(entry)
        wait(entry)
      }
    }
    if (!this.options.journalFile) return out
    for (const claimed of claimJournal<KeptAttempt>(this.options.journalFile)) {
      if (claimed.torn > 0)
        console.error(`paysync: ${claimed.torn} torn line(s) in ${claimed.file} were skipped`)
      let whole = true
      for (const entry of claimed.entries) {
        if (out.fault) {
          whole = false
          wait(entry)
          continue
        }
        const r = this.replayOne(entry, now)
        if (r === 'written') out.written += 1
        else if (r !== 'skipped') {
          out.fault = r
          whole = false
          wait(entry)
        }
      }
      if (whole) dropClaimed(claimed)
    }
    return out
  }

  /** One entry, unless the database has it already; the storage fault that refused it otherwise. */
  private replayOne(entry: KeptAttempt, now: number): 'written' | 'skipped' | StorageFault {
    const { db } = this.writer
    try {
      return synced(db, () => {
        if (journalEntryWritten(db, entry.id)) return 'skipped'
        const result = this.apply(entry, true)
        noteJournalEntry(db, entry.id, result.recordId, now)
        return 'written'
      })
    } catch (err) {
      const fault = storageFaultOf(err)
      if (fault) return fault
      // Not the storage: this entry can never be written (a bug). Said, and set aside so it does not
      // block the others; its intent, if it had one, stays open and is shown to a person.
      console.error(`paysync: a kept attempt (${entry.id}) could not be written: ${(err as Error).message}`)
      try {
        synced(db, () => noteJournalEntry(db, entry.id, null, now))
      } catch {
        // The next replay meets it again.
      }
      return 'skipped'
    }
  }
}

/** The intent row of an attempt about to ask for `action`, on either store's books. */
export function intentOf(
  id: string,
  trade: Trade,
  holder: string,
  attempt: { source: SyncSource; operator?: string | null; batchId?: number | null },
  action: SideEffect,
  now: number,
): NewIntent {
  return {
    id,
    trade_type: trade.type,
    trade_id: trade.row.id,
    action,
    holder,
    source: attempt.source,
    operator: attempt.operator ?? null,
    batch_id: attempt.batchId ?? null,
    created_at: now,
  }
}

/** A replayed attempt asked the gateway long ago; nothing in a replay asks it again. */
function replayAsksNothing(): never {
  throw new Error('a replayed attempt asks the gateway nothing')
}
