import type { TradeType } from '../../../shared/domain'
import type { Db } from '../../store/connection'
import {
  addCarryOverOn,
  resolveCarryOver,
  waitingEntriesOf,
  waitingEntryOf,
  waitingOfMerchantOn,
} from '../../store/carry-over'
import { upsertStatementDiffs } from '../../store/statement-diffs'
import { reconciledDays, statementById } from '../../store/statements'
import { all, both, joinInOrder, one, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import { inScope } from './classify'
import { diffDraft } from './reasons'
import type { MatchScope } from './scope'
import { addDays, edgeOf } from './windows'

// The local side of a day (docs/reconcile.md A6 rule 6, A8): our successful trades of W(D) that no
// line matched. One near midnight waits in the carry-over pool for the neighbouring day's bill; any
// other is `local_only` at once. Then the pool's upkeep: an entry whose expected days are all
// reconciled, or that waited `carryOverDays`, expires into `local_only` on the statement it came from.
// Written once over Exec (docs/team-mode.md B8.12).

interface ExpectedTrade {
  id: number
  no: string
  order_no: string
  amount: number
  status: string
  time: number | null
  gateway_no: string | null
}

function* expectedTrades(x: Exec, s: MatchScope, type: TradeType): Q<ExpectedTrade[]> {
  // A trade this statement itself reconciled in an earlier run was unmarked when the run began.
  return type === 'pay'
    ? yield* all<ExpectedTrade>(
        x,
        `SELECT id, order_no AS no, order_no, amount, status, paid_at AS time, gateway_trade_no AS gateway_no
         FROM pay_orders WHERE merchant_id = ? AND status = 'success' AND reconciled_statement_id IS NULL
           AND paid_at >= ? AND paid_at < ? AND kind = 'pay'`,
        [s.merchantId, s.window.start, s.window.end],
      )
    : yield* all<ExpectedTrade>(
        x,
        `SELECT r.id, r.refund_no AS no, p.order_no, r.amount, r.status, r.finished_at AS time,
           r.gateway_refund_no AS gateway_no
         FROM refund_orders r ${joinInOrder(x)} pay_orders p ON p.id = r.pay_order_id
         WHERE r.merchant_id = ? AND r.status = 'success' AND r.reconciled_statement_id IS NULL
           AND r.finished_at >= ? AND r.finished_at < ?`,
        [s.merchantId, s.window.start, s.window.end],
      )
}

/** Works out the local side of the statement, in the caller's transaction. */
export const expectLocalSideOn = both(function* (
  x: Exec,
  s: MatchScope,
  bandMs: number,
): Q<{ carried: number; localOnly: number }> {
  let carried = 0
  let localOnly = 0
  for (const type of ['pay', 'refund'] as const) {
    const trades = yield* expectedTrades(x, s, type)
    // Whether a trade already waits for another day's bill: on the file one indexed lookup per trade,
    // as it always was; on a team database the day's trades in one query, not one round trip each.
    const waiting =
      x.dialect === 'pg'
        ? yield* waitingEntriesOf(
            x,
            type,
            trades.map((t) => t.id),
          )
        : null
    const missing: ExpectedTrade[] = []
    for (const t of trades) {
      if (!inScope(t.order_no, s.prefixes)) continue
      // Already waiting for another day's bill (a trade another statement carried): that day decides.
      if (waiting ? waiting.has(t.id) : (yield* waitingEntryOf(x, type, t.id)) !== undefined) continue
      const edge = edgeOf(t.time, s.window, bandMs)
      if (edge) {
        yield* addCarryOverOn(
          x,
          {
            merchantId: s.merchantId,
            tradeType: type,
            tradeId: t.id,
            fromStatementId: s.statementId,
            expectedDates: [addDays(s.billDate, edge === 'late' ? 1 : -1)],
            reason: 'near_midnight',
          },
          s.now,
        )
        carried += 1
        continue
      }
      missing.push(t)
      localOnly += 1
    }
    yield* upsertStatementDiffs(
      x,
      s.statementId,
      s.merchantId,
      s.run,
      missing.map((t) => localOnlyDraft(type, t)),
      s.now,
    )
  }
  return { carried, localOnly }
})

/** Works out the local side of the statement on the file: pool entries near midnight, `local_only` differences. */
export function expectLocalSide(
  db: Db,
  s: MatchScope,
  bandMs: number,
): { carried: number; localOnly: number } {
  const x = sqliteExec(db)
  return db.transaction(() => expectLocalSideOn.sync(x, s, bandMs)).immediate()
}

function localOnlyDraft(type: TradeType, t: ExpectedTrade) {
  return diffDraft({
    kind: 'local_only',
    tradeType: type,
    tradeKey: `${type}:${t.id}`,
    lineId: null,
    payOrderId: type === 'pay' ? t.id : null,
    refundId: type === 'refund' ? t.id : null,
    orderNo: t.order_no,
    refundNo: type === 'refund' ? t.no : null,
    gatewayNo: t.gateway_no,
    localAmount: t.amount,
    statementAmount: null,
    localStatus: t.status,
    statementStatus: null,
    localTime: t.time,
    statementTime: null,
    label: '本地长款，状态不符（通道漏单）',
  })
}

/**
 * The pool's upkeep after a statement of this merchant (A8 rule 2), in the caller's transaction: an
 * entry whose expected days are all reconciled, or older than `carryOverDays` by the bill day just
 * reconciled, becomes a `local_only` difference on its own statement. Returns the statements that
 * gained one.
 */
export const expirePoolOn = both(function* (
  x: Exec,
  merchantId: number,
  billDate: string,
  carryOverDays: number,
  now: number,
): Q<Set<number>> {
  const touched = new Set<number>()
  for (const e of yield* waitingOfMerchantOn(x, merchantId)) {
    const expected = JSON.parse(e.expected_dates) as string[]
    const done = yield* reconciledDays(x, merchantId, expected)
    const allDone = expected.every((d) => done.has(d))
    const tooOld = e.from_date !== undefined && addDays(e.from_date, carryOverDays) <= billDate
    if (!allDone && !tooOld) continue
    yield* resolveCarryOver(x, e.id, 'expired', null, now)
    const from = yield* statementById(x, e.from_statement_id)
    if (!from) continue
    const t = yield* expiredTrade(x, e.trade_type, e.trade_id)
    if (!t) continue
    yield* upsertStatementDiffs(
      x,
      from.id,
      merchantId,
      from.lines_run,
      [localOnlyDraft(e.trade_type, t)],
      now,
    )
    touched.add(from.id)
  }
  return touched
})

export function expirePool(
  db: Db,
  merchantId: number,
  billDate: string,
  carryOverDays: number,
  now: number,
): Set<number> {
  const x = sqliteExec(db)
  return db.transaction(() => expirePoolOn.sync(x, merchantId, billDate, carryOverDays, now)).immediate()
}

function* expiredTrade(x: Exec, type: TradeType, id: number): Q<ExpectedTrade | undefined> {
  return type === 'pay'
    ? yield* one<ExpectedTrade>(
        x,
        `SELECT id, order_no AS no, order_no, amount, status, paid_at AS time, gateway_trade_no AS gateway_no
         FROM pay_orders WHERE id = ?`,
        [id],
      )
    : yield* one<ExpectedTrade>(
        x,
        `SELECT r.id, r.refund_no AS no, p.order_no, r.amount, r.status, r.finished_at AS time,
           r.gateway_refund_no AS gateway_no
         FROM refund_orders r ${joinInOrder(x)} pay_orders p ON p.id = r.pay_order_id WHERE r.id = ?`,
        [id],
      )
}
