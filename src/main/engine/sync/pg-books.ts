import type pg from 'pg'
import type { StorageFault, TradeType } from '../../../shared/domain'
import { itemHeldByOn } from '../../store/batches'
import { StorageFaultError, storageFaultOf } from '../../store/faults'
import { insertIntentOn, sendJournalEntryOn, settleIntentOn, type SideEffect } from '../../store/intents'
import { appendToJournal, claimJournal, dropClaimed, journalWaiting } from '../../store/journal'
import { acquireLeaseOn, leaseOwnerOn, releaseLeaseOn, tradeKey } from '../../store/leases'
import { payOrderById } from '../../store/orders/lookups'
import { takeItemLeaseOn, type ItemLease } from '../../store/pg/item-lease'
import { ignoreLost, inPgTransaction } from '../../store/pg/transaction'
import { both, one, type Exec, type Q } from '../../store/sql/exec'
import { pgExec } from '../../store/sql/pg-exec'
import { ownerIsDeadHere } from '../owner'
import { tradeAt, tradeWithMerchantAt, type Trade } from '../trade'
import type { SyncBooks } from './books'
import { intentOf, type KeptAttempt, type Replay } from './durable'
import type { HeldLease, ItemClaim } from './lease'
import type { Attempt, SyncResult } from './types'
import { attemptWriteOn, type AttemptRules } from './write'

// The books of a team database (docs/team-mode.md B8.9): the same attempt as on the desktop's file,
// each unit one PostgreSQL transaction over the store functions written once. What differs:
// - the lease's expiry is the database's clock, and the batch item's claim is checked in the same
//   transaction that takes it;
// - a final write whose COMMIT went unanswered (the connection dropped) may have committed: every
//   write notes its attempt's id in journal_applied, and a retry or a replay that finds it there
//   writes nothing again;
// - what the database refuses for longer than the retries (the server or the network down) goes to
//   a journal on this computer, replayed when the team database answers again (`replay`).

const payOrderAt = both(payOrderById)
const itemLeaseAt = both(takeItemLeaseOn)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Faults that pass on their own (a lock let go, the network back, another desktop's pool closed). */
const PASSING = new Set<StorageFault>(['db_locked', 'db_unreachable', 'db_too_many_connections'])

export interface PgBooksOptions {
  owner: string
  leaseMs: number
  rules: AttemptRules
  /** This computer's journal for the team database (store/journal.ts teamJournalFileFor). */
  journalFile: string | null
  /** How long a refused final write is tried again before it is kept in the journal (60 s). */
  retryForMs?: number
  backoffMs?: number
  maxBackoffMs?: number
  /** After every commit of an attempt: the other desktops are told (LISTEN store_changed). */
  committed?: () => void
}

/** A replay's calls are long past: it notes no merchant health. */
const NO_HEALTH = { note: () => null }

/** What a written attempt's record says, for a write found already committed. */
interface RecordAnswer {
  id: number
  trade_type: TradeType
  trade_id: number
  outcome: SyncResult['outcome']
  gateway_status: SyncResult['gatewayStatus']
  repair_no: string | null
  anomaly_id: number | null
  error_code: string | null
  error_msg: string | null
}

function* writtenAs(x: Exec, recordId: number): Q<SyncResult | undefined> {
  const r = yield* one<RecordAnswer>(
    x,
    `SELECT id, trade_type, trade_id, outcome, gateway_status, repair_no, anomaly_id, error_code, error_msg
       FROM sync_records WHERE id = ?`,
    [recordId],
  )
  return (
    r && {
      tradeType: r.trade_type,
      tradeId: Number(r.trade_id),
      recordId: Number(r.id),
      outcome: r.outcome,
      gatewayStatus: r.gateway_status,
      repairNo: r.repair_no,
      anomalyId: r.anomaly_id === null ? null : Number(r.anomaly_id),
      errorCode: r.error_code,
      errorMsg: r.error_msg,
    }
  )
}

export class PgBooks implements SyncBooks {
  private attempts = 0
  private readonly exec: Exec
  /** Attempts the journal refused too: they wait here for the database. */
  private readonly held: KeptAttempt[] = []
  /** The trade read behind the statement that took its lease, by the lease's holder: readTrade's answer. */
  private readonly readAhead = new Map<string, Promise<Trade | undefined>>()
  /**
   * This engine's lease holders whose attempt still runs, or whose answer waits to be written. A lease
   * of this engine held by anyone else is left over: its statement committed but the answer was lost
   * with the connection, or its release was refused. Nothing of that attempt will be written any more,
   * so the lease is taken at once instead of after its expiry (minutes), as a dead process's is.
   */
  private readonly inHand = new Set<string>()

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PgBooksOptions,
  ) {
    this.exec = pgExec(pool)
  }

  async takeLease(type: TradeType, id: number, claim?: ItemClaim): Promise<HeldLease | null | 'lost'> {
    const key = tradeKey(type, id)
    const holder = `${this.options.owner}#${++this.attempts}`
    this.inHand.add(holder)
    try {
      const lease = await this.leaseOf(type, id, key, holder, claim)
      if (!lease || lease === 'lost') this.inHand.delete(holder)
      return lease
    } catch (err) {
      // Nothing was asked under it: a lease committed with its answer lost is left over (inHand).
      this.inHand.delete(holder)
      throw err
    }
  }

  private async leaseOf(
    type: TradeType,
    id: number,
    key: string,
    holder: string,
    claim: ItemClaim | undefined,
  ): Promise<HeldLease | null | 'lost'> {
    const ttl = this.options.leaseMs
    // Most attempts find the lease free: one statement, committed as it runs, with a batch item's
    // claim checked in the same statement, and the trade read behind it.
    const first = await this.leaseAndTrade(type, id, key, holder, claim)
    if (first === 'taken') return { key, holder }
    if (first === 'lost') return 'lost'
    return inPgTransaction(this.pool, async (x) => {
      if (claim && !(await itemHeldByOn.async(x, claim.itemId, claim.owner))) return 'lost'
      if (await acquireLeaseOn.async(x, key, holder, ttl, 0)) return { key, holder }
      // A holder of this computer that died or was closed, or one of this engine's left over, is
      // broken at once; one of another computer expires.
      const current = await leaseOwnerOn.async(x, key)
      if (current && (ownerIsDeadHere(current.split('#')[0]!) || this.leftOver(current))) {
        await releaseLeaseOn.async(x, key, current)
        if (await acquireLeaseOn.async(x, key, holder, ttl, 0)) return { key, holder }
      }
      return null
    })
  }

  private leftOver(holder: string): boolean {
    return holder.startsWith(`${this.options.owner}#`) && !this.inHand.has(holder)
  }

  async releaseLease(lease: HeldLease): Promise<void> {
    this.inHand.delete(lease.holder)
    try {
      await releaseLeaseOn.async(this.exec, lease.key, lease.holder)
    } catch (err) {
      // The attempt's own fault is the one to report; a lease left behind expires.
      if (!storageFaultOf(err)) throw err
    }
  }

  readTrade(type: TradeType, id: number, lease: HeldLease | null): Promise<Trade | undefined> {
    const ahead = lease && this.readAhead.get(lease.holder)
    if (ahead) {
      this.readAhead.delete(lease.holder)
      return ahead
    }
    return tradeAt.async(this.exec, type, id)
  }

  /**
   * The trade's lease (a batch item's: store/pg/item-lease.ts) and, behind it on the same pipelined
   * connection, the trade's read with its merchant profile's version: one round trip where there were
   * three, two statements where there were three. The server runs the read after the lease statement
   * has committed, in a snapshot of its own, so it is the trade and the profile as they are under the
   * lease, as a read sent after the
   * answer would be: a profile another desktop switched off before this lease was taken is seen here,
   * and its kept adapter refused (services/team-merchants.ts, docs/team-mode.md B8.17). Kept for
   * readTrade when the lease was taken.
   */
  private async leaseAndTrade(
    type: TradeType,
    id: number,
    key: string,
    holder: string,
    claim: ItemClaim | undefined,
  ): Promise<ItemLease> {
    const ttl = this.options.leaseMs
    const client = await this.pool.connect()
    client.on('error', ignoreLost)
    try {
      const x = pgExec(client)
      // gensync starts each generator at once: the lease statement is on the connection before the read.
      const lease: Promise<ItemLease> = claim
        ? itemLeaseAt.async(x, key, holder, ttl, claim)
        : acquireLeaseOn.async(x, key, holder, ttl, 0).then((took) => (took ? 'taken' : 'held'))
      const trade = tradeWithMerchantAt.async(x, type, id)
      // Its failure is heard by readTrade, or by nobody when the lease was not taken.
      trade.catch(() => undefined)
      // Both answered before the connection goes back to the pool.
      const [took] = await Promise.allSettled([lease, trade])
      if (took.status === 'rejected') throw took.reason
      if (took.value === 'taken') this.readAhead.set(holder, trade)
      return took.value
    } finally {
      client.off('error', ignoreLost)
      client.release()
    }
  }

  payOrder(id: number) {
    return payOrderAt.async(this.exec, id)
  }

  async intend(
    id: string,
    trade: Trade,
    holder: string,
    attempt: Attempt,
    action: SideEffect,
  ): Promise<void> {
    try {
      // Committed on its own before the call: a PostgreSQL commit is on the server's disk.
      await insertIntentOn.async(
        this.exec,
        intentOf(id, trade, holder, attempt, action, this.options.rules.now()),
      )
    } catch (err) {
      const fault = storageFaultOf(err)
      if (fault) throw new StorageFaultError(fault, null, err)
      throw err
    }
  }

  async write(entry: KeptAttempt): Promise<SyncResult> {
    let backoff = this.options.backoffMs ?? 250
    const until = performance.now() + (this.options.retryForMs ?? 60_000)
    for (let tries = 0; ; tries++) {
      try {
        // Only a try after one whose COMMIT went unanswered can find the attempt written already.
        const result = await this.apply(entry, tries > 0)
        if (entry.lease) this.inHand.delete(entry.lease.holder)
        this.options.committed?.()
        return result
      } catch (err) {
        const fault = storageFaultOf(err)
        if (!fault) throw err
        if (PASSING.has(fault) && performance.now() < until) {
          await sleep(backoff)
          backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 8_000)
          continue
        }
        throw new StorageFaultError(fault, this.keep({ ...entry, fault }), err)
      }
    }
  }

  /**
   * The attempt in one transaction, unless a commit before (unanswered, or a replay's) has it: `again`
   * says one may have. A replay's calls are long past and note no merchant health.
   */
  private apply(entry: KeptAttempt, again: boolean, replay = false): Promise<SyncResult> {
    const rules = replay ? { ...this.options.rules, health: NO_HEALTH } : this.options.rules
    return inPgTransaction(this.pool, async (x) => {
      const before = again ? await writtenBefore.async(x, entry.id) : undefined
      if (before) return before
      const result = await attemptWriteOn.async(
        x,
        { ...rules, now: () => entry.at },
        entry.trade,
        { ...entry.attempt, waited: { ms: 0 }, intend: replayAsksNothing },
        performance.now() - entry.durationMs,
        entry.finding,
        entry.lease,
      )
      if (entry.intent) await settleIntentOn.async(x, entry.intent, result.recordId, entry.at)
      await sendJournalEntryOn.async(x, entry.id, result.recordId, entry.at)
      return result
    })
  }

  private keep(entry: KeptAttempt): 'journal' | 'memory' {
    const file = this.options.journalFile
    if (file) {
      try {
        appendToJournal(file, entry)
        return 'journal'
      } catch (err) {
        console.error(
          `paysync: the journal ${file} refused an attempt too (${(err as Error).message}); ` +
            'it waits in memory until the team database takes it',
        )
      }
    }
    this.held.push(entry)
    return 'memory'
  }

  waiting(): boolean {
    return this.held.length > 0 || (!!this.options.journalFile && journalWaiting(this.options.journalFile))
  }

  /**
   * Writes what waits: this process's attempts held in memory, then this computer's journal of the
   * team database (a crashed run's too). Each entry once; stops at the first fault.
   */
  async replay(): Promise<Replay> {
    const out: Replay = { written: 0, waiting: 0, fault: null, pendingIntents: new Set() }
    const wait = (entry: KeptAttempt) => {
      out.waiting += 1
      if (entry.intent) out.pendingIntents.add(entry.intent)
    }
    const one = async (entry: KeptAttempt): Promise<boolean> => {
      if (out.fault) return false
      try {
        await this.apply(entry, true, true)
        if (entry.lease) this.inHand.delete(entry.lease.holder)
        out.written += 1
        return true
      } catch (err) {
        const fault = storageFaultOf(err)
        if (!fault) {
          // Not the storage: this entry can never be written (a bug). Said and set aside; its intent
          // stays open and is shown to a person.
          console.error(
            `paysync: a kept attempt (${entry.id}) could not be written: ${(err as Error).message}`,
          )
          return true
        }
        out.fault = fault
        return false
      }
    }
    for (const entry of this.held.splice(0)) {
      if (!(await one(entry))) {
        this.held.push(entry)
        wait(entry)
      }
    }
    const file = this.options.journalFile
    if (!file) return out
    for (const claimed of claimJournal<KeptAttempt>(file)) {
      let whole = true
      for (const entry of claimed.entries) {
        if (!(await one(entry))) {
          whole = false
          wait(entry)
        }
      }
      if (whole) dropClaimed(claimed)
    }
    return out
  }
}

/** The result of an attempt already committed, found by its id (journal_applied). */
const writtenBefore = both(function* (x: Exec, id: string): Q<SyncResult | undefined> {
  const row = yield* one<{ record_id: number | null }>(
    x,
    'SELECT record_id FROM journal_applied WHERE id = ?',
    [id],
  )
  return row?.record_id == null ? undefined : yield* writtenAs(x, Number(row.record_id))
})

function replayAsksNothing(): never {
  throw new Error('a replayed attempt asks the gateway nothing')
}
