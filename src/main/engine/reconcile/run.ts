import type { Db } from '../../store/connection'
import { stmt } from '../../store/connection'
import { dropWaitingFrom, reopenMatchedBy } from '../../store/carry-over'
import { closeUnseenDiffs } from '../../store/statement-diffs'
import { updateStatement } from '../../store/statements'
import { summarize } from './close'
import { expectLocalSide, expirePool } from './expected'
import { recordFeeDeviations } from './fees'
import { matchLines } from './match'
import type { MatchScope } from './scope'
import { bandMs, dayWindow } from './windows'

// One run's classification (docs/reconcile.md A4 "match", A6-A8), after the lines are stored and
// before anything is acted on: the run starts from a clean slate of its own (what an earlier run of
// this statement marked is unmarked), matches the lines, works out the local side and the pool, and
// closes the differences it no longer finds. Re-running the same file gives the same classification
// and keeps the differences' ids (A11).

export interface ClassifyOptions {
  /** `matched`, or `empty` for a day the channel has no bill for (its local side still counts). */
  status: 'matched' | 'empty'
  toleranceMinutes: number
  carryOverDays: number
  onProgress?: (done: number, total: number) => void
}

/** Classifies the statement's current lines; answers the other statements whose result may have changed. */
export function classifyRun(db: Db, scope: MatchScope, o: ClassifyOptions): Set<number> {
  const s: MatchScope = { ...scope, window: dayWindow(scope.billDate) }
  db.transaction(() => {
    for (const table of ['pay_orders', 'refund_orders'])
      stmt(
        db,
        `UPDATE ${table} SET reconciled_statement_id = NULL, reconciled_at = NULL WHERE reconciled_statement_id = ?`,
      ).run(s.statementId)
    reopenMatchedBy(db, s.statementId)
    dropWaitingFrom(db, s.statementId)
    // Only the lines an earlier run classified: the lines of a new file are unclassified, and
    // rewriting each of them (its row and its state's index entry) cost as much as a third of matching.
    stmt(
      db,
      `UPDATE statement_lines SET match_state = NULL, pay_order_id = NULL, refund_id = NULL, note = NULL
       WHERE statement_id = ? AND run = ? AND (match_state IS NOT NULL OR pay_order_id IS NOT NULL
         OR refund_id IS NOT NULL OR note IS NOT NULL)`,
    ).run(s.statementId, s.run)
  }).immediate()
  const total =
    stmt<[number, number], { n: number }>(
      db,
      'SELECT count(*) AS n FROM statement_lines WHERE statement_id = ? AND run = ?',
    ).get(s.statementId, s.run)?.n ?? 0
  o.onProgress?.(0, total)
  const tally = matchLines(db, s, (done) => o.onProgress?.(done, total))
  if (s.feeRateMillionths !== null) recordFeeDeviations(db, s, s.feeRateMillionths)
  expectLocalSide(db, s, bandMs(s.channel, o.toleranceMinutes))
  closeUnseenDiffs(db, s.statementId, s.run, s.now)
  updateStatement(db, s.statementId, { status: o.status }, s.now)
  const expired = expirePool(db, s.merchantId, s.billDate, o.carryOverDays, s.now)
  const touched = new Set([...tally.touched, ...expired])
  touched.delete(s.statementId)
  summarize(db, s.statementId, s.now)
  for (const id of touched) summarize(db, id, s.now)
  return touched
}
