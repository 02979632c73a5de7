import type { SyncSource, TradeType } from '../../shared/domain'
import type { Db } from './connection'
import { all, both, one, run, send, type Exec, type Q } from './sql/exec'
import { sqliteExec } from './sql/sqlite-exec'

// Intent records (docs/domain.md section 6.8): a call that changes something at the gateway (a close,
// a payscore sync) is announced here, in a commit of its own that is synced to disk, before it is
// sent; the attempt's final write links the intent to its sync record. An intent without a record,
// once the attempt that wrote it is gone, is a side effect whose outcome nobody recorded.

/** A call that changes something at the gateway. */
export type SideEffect = 'close' | 'payscore_sync'

export interface IntentRow {
  id: string
  trade_type: TradeType
  trade_id: number
  action: SideEffect
  /** The lease holder of the attempt: while it holds the trade's lease, the attempt is still running. */
  holder: string
  source: SyncSource
  operator: string | null
  batch_id: number | null
  created_at: number
  record_id: number | null
  settled_at: number | null
}

export type NewIntent = Omit<IntentRow, 'record_id' | 'settled_at'>

export const insertIntentOn = both(function* (x: Exec, i: NewIntent): Q<void> {
  yield* run(
    x,
    `INSERT INTO sync_intents (id, trade_type, trade_id, action, holder, source, operator, batch_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [i.id, i.trade_type, i.trade_id, i.action, i.holder, i.source, i.operator, i.batch_id, i.created_at],
  )
})

export const insertIntent = (db: Db, i: NewIntent): void => insertIntentOn.sync(sqliteExec(db), i)

/** The attempt is recorded: its intent points at the record that says how the call went. */
export const settleIntentOn = both(function* (x: Exec, id: string, recordId: number, now: number): Q<void> {
  yield* send(x, 'UPDATE sync_intents SET record_id = ?, settled_at = ? WHERE id = ? AND record_id IS NULL', [
    recordId,
    now,
    id,
  ])
})

export const settleIntent = (db: Db, id: string, recordId: number, now: number): void =>
  settleIntentOn.sync(sqliteExec(db), id, recordId, now)

/** Intents with no record yet: attempts in flight, or side effects whose outcome was never written. */
export const unsettledIntentsOn = both(function* (x: Exec): Q<IntentRow[]> {
  return yield* all<IntentRow>(
    x,
    'SELECT * FROM sync_intents WHERE record_id IS NULL ORDER BY created_at, id',
  )
})

export const unsettledIntents = (db: Db): IntentRow[] => unsettledIntentsOn.sync(sqliteExec(db))

/** Whether an intent still waits for its record (another process may have answered it meanwhile). */
export function* intentUnsettled(x: Exec, id: string): Q<boolean> {
  return (
    (yield* one(x, 'SELECT 1 AS one FROM sync_intents WHERE id = ? AND record_id IS NULL', [id])) !==
    undefined
  )
}

const NOTE_APPLIED =
  'INSERT INTO journal_applied (id, record_id, applied_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING'

/**
 * Notes a journal entry as written; false when it was written before (by this process or another),
 * so a replay that meets it again skips it. Called in the transaction that writes the entry.
 */
export const noteJournalEntryOn = both(function* (
  x: Exec,
  id: string,
  recordId: number | null,
  now: number,
): Q<boolean> {
  return (yield* run(x, NOTE_APPLIED, [id, recordId, now])) === 1
})

/**
 * The same in a team database's final write, which does not ask whether the entry was new: it looked
 * for the entry first when one could be there (engine/sync/pg-books.ts), so the write goes out unanswered
 * (Exec.send).
 */
export const sendJournalEntryOn = both(function* (
  x: Exec,
  id: string,
  recordId: number | null,
  now: number,
): Q<void> {
  yield* send(x, NOTE_APPLIED, [id, recordId, now])
})

export const noteJournalEntry = (db: Db, id: string, recordId: number | null, now: number): boolean =>
  noteJournalEntryOn.sync(sqliteExec(db), id, recordId, now)

export const journalEntryWrittenOn = both(function* (x: Exec, id: string): Q<boolean> {
  return (yield* one(x, 'SELECT 1 AS one FROM journal_applied WHERE id = ?', [id])) !== undefined
})

export const journalEntryWritten = (db: Db, id: string): boolean =>
  journalEntryWrittenOn.sync(sqliteExec(db), id)

/** A trade whose side effect has an unknown outcome is due at once, whatever its ladder said. */
export function* syncAgainNow(x: Exec, type: TradeType, id: number, now: number): Q<void> {
  const sql =
    type === 'pay'
      ? "UPDATE pay_orders SET next_sync_at = ? WHERE id = ? AND status = 'progress'"
      : "UPDATE refund_orders SET next_sync_at = ? WHERE id = ? AND status = 'progress'"
  yield* run(x, sql, [now, id])
}
