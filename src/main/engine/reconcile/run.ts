import { dropWaitingFrom, reopenMatchedBy } from '../../store/carry-over'
import { closeUnseenDiffs } from '../../store/statement-diffs'
import { updateStatementOn } from '../../store/statements'
import type { StoreCalls } from '../../store/sql/calls'
import { both, one, run, type Exec, type Q } from '../../store/sql/exec'
import { summarizeOn } from './close'
import { expectLocalSideOn, expirePoolOn } from './expected'
import { recordFeeDeviations } from './fees'
import { matchLinesOn } from './match'
import type { MatchScope } from './scope'
import { bandMs, dayWindow } from './windows'

// One run's classification (docs/reconcile.md A4 "match", A6-A8), after the lines are stored and
// before anything is acted on: the run starts from a clean slate of its own (what an earlier run of
// this statement marked is unmarked), matches the lines, works out the local side and the pool, and
// closes the differences it no longer finds. Re-running the same file gives the same classification
// and keeps the differences' ids (A11). Written once (docs/team-mode.md B8.12): each step one
// transaction of the desktop's file or of a team database, through StoreCalls.

export interface ClassifyOptions {
  /** `matched`, or `empty` for a day the channel has no bill for (its local side still counts). */
  status: 'matched' | 'empty'
  toleranceMinutes: number
  carryOverDays: number
  onProgress?: (done: number, total: number) => void
}

/** What an earlier run of this statement marked, unmarked: the run starts from a clean slate. */
const cleanSlateOn = both(function* (x: Exec, s: MatchScope): Q<void> {
  for (const table of ['pay_orders', 'refund_orders'])
    yield* run(
      x,
      `UPDATE ${table} SET reconciled_statement_id = NULL, reconciled_at = NULL WHERE reconciled_statement_id = ?`,
      [s.statementId],
    )
  yield* reopenMatchedBy(x, s.statementId)
  yield* dropWaitingFrom(x, s.statementId)
  // Only the lines an earlier run classified: the lines of a new file are unclassified, and
  // rewriting each of them (its row and its state's index entry) cost as much as a third of matching.
  yield* run(
    x,
    `UPDATE statement_lines SET match_state = NULL, pay_order_id = NULL, refund_id = NULL, note = NULL
       WHERE statement_id = ? AND run = ? AND (match_state IS NOT NULL OR pay_order_id IS NOT NULL
         OR refund_id IS NOT NULL OR note IS NOT NULL)`,
    [s.statementId, s.run],
  )
})

const lineCountOn = both(function* (x: Exec, s: MatchScope): Q<number> {
  return (
    (yield* one<{ n: number }>(
      x,
      'SELECT count(*) AS n FROM statement_lines WHERE statement_id = ? AND run = ?',
      [s.statementId, s.run],
    ))?.n ?? 0
  )
})

/** The closing steps of a run, written in one transaction: unseen differences closed, the status. */
const closeRunOn = both(function* (x: Exec, s: MatchScope, status: ClassifyOptions['status']): Q<void> {
  yield* closeUnseenDiffs(x, s.statementId, s.run, s.now)
  yield* updateStatementOn(x, s.statementId, { status }, s.now)
})

/** Classifies the statement's current lines; answers the other statements whose result may have changed. */
export async function classifyRun(
  calls: StoreCalls,
  scope: MatchScope,
  o: ClassifyOptions,
): Promise<Set<number>> {
  const s: MatchScope = { ...scope, window: dayWindow(scope.billDate) }
  await calls.inTransaction(cleanSlateOn, s)
  const total = await calls.run(lineCountOn, s)
  o.onProgress?.(0, total)
  const tally = await matchLinesOn(calls, s, (done) => o.onProgress?.(done, total))
  if (s.feeRateMillionths !== null) await recordFeeDeviations(calls, s, s.feeRateMillionths)
  await calls.inTransaction(expectLocalSideOn, s, bandMs(s.channel, o.toleranceMinutes))
  await calls.run(closeRunOn, s, o.status)
  const expired = await calls.inTransaction(expirePoolOn, s.merchantId, s.billDate, o.carryOverDays, s.now)
  const touched = new Set([...tally.touched, ...expired])
  touched.delete(s.statementId)
  await calls.run(summarizeOn, s.statementId, s.now)
  for (const id of touched) await calls.run(summarizeOn, id, s.now)
  return touched
}
