import type { TradeType } from '../../../shared/domain'
import type { Db } from '../../store/connection'
import { stmt } from '../../store/connection'
import { addCarryOver, resolveCarryOver, waitingEntryOf, waitingOfMerchant } from '../../store/carry-over'
import { upsertStatementDiff } from '../../store/statement-diffs'
import { getStatement, reconciledDays } from '../../store/statements'
import { inScope } from './classify'
import { diffDraft } from './reasons'
import type { MatchScope } from './scope'
import { addDays, edgeOf } from './windows'

// The local side of a day (docs/reconcile.md A6 rule 6, A8): our successful trades of W(D) that no
// line matched. One near midnight waits in the carry-over pool for the neighbouring day's bill; any
// other is `local_only` at once. Then the pool's upkeep: an entry whose expected days are all
// reconciled, or that waited `carryOverDays`, expires into `local_only` on the statement it came from.

interface ExpectedTrade {
  id: number
  no: string
  order_no: string
  amount: number
  status: string
  time: number | null
  gateway_no: string | null
}

function expectedTrades(db: Db, s: MatchScope, type: TradeType): ExpectedTrade[] {
  // A trade this statement itself reconciled in an earlier run was unmarked when the run began.
  return type === 'pay'
    ? stmt<[number, number, number], ExpectedTrade>(
        db,
        `SELECT id, order_no AS no, order_no, amount, status, paid_at AS time, gateway_trade_no AS gateway_no
         FROM pay_orders WHERE merchant_id = ? AND status = 'success' AND reconciled_statement_id IS NULL
           AND paid_at >= ? AND paid_at < ? AND kind = 'pay'`,
      ).all(s.merchantId, s.window.start, s.window.end)
    : stmt<[number, number, number], ExpectedTrade>(
        db,
        `SELECT r.id, r.refund_no AS no, p.order_no, r.amount, r.status, r.finished_at AS time,
           r.gateway_refund_no AS gateway_no
         FROM refund_orders r CROSS JOIN pay_orders p ON p.id = r.pay_order_id
         WHERE r.merchant_id = ? AND r.status = 'success' AND r.reconciled_statement_id IS NULL
           AND r.finished_at >= ? AND r.finished_at < ?`,
      ).all(s.merchantId, s.window.start, s.window.end)
}

/** Works out the local side of the statement: pool entries near midnight, `local_only` differences. */
export function expectLocalSide(
  db: Db,
  s: MatchScope,
  bandMs: number,
): { carried: number; localOnly: number } {
  let carried = 0
  let localOnly = 0
  db.transaction(() => {
    for (const type of ['pay', 'refund'] as const) {
      for (const t of expectedTrades(db, s, type)) {
        if (!inScope(t.order_no, s.prefixes)) continue
        // Already waiting for another day's bill (a trade another statement carried): that day decides.
        if (waitingEntryOf(db, type, t.id)) continue
        const edge = edgeOf(t.time, s.window, bandMs)
        if (edge) {
          addCarryOver(
            db,
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
        localOnlyDiff(db, s.statementId, s.merchantId, s.run, type, t, s.now)
        localOnly += 1
      }
    }
  }).immediate()
  return { carried, localOnly }
}

function localOnlyDiff(
  db: Db,
  statementId: number,
  merchantId: number,
  run: number,
  type: TradeType,
  t: ExpectedTrade,
  now: number,
): void {
  upsertStatementDiff(
    db,
    statementId,
    merchantId,
    run,
    diffDraft({
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
    }),
    now,
  )
}

/**
 * The pool's upkeep after a statement of this merchant (A8 rule 2): an entry whose expected days
 * are all reconciled, or older than `carryOverDays` by the bill day just reconciled, becomes a
 * `local_only` difference on its own statement. Returns the statements that gained one.
 */
export function expirePool(
  db: Db,
  merchantId: number,
  billDate: string,
  carryOverDays: number,
  now: number,
): Set<number> {
  const touched = new Set<number>()
  db.transaction(() => {
    for (const e of waitingOfMerchant(db, merchantId)) {
      const expected = JSON.parse(e.expected_dates) as string[]
      const done = reconciledDays(db, merchantId, expected)
      const allDone = expected.every((d) => done.has(d))
      const tooOld = e.from_date !== undefined && addDays(e.from_date, carryOverDays) <= billDate
      if (!allDone && !tooOld) continue
      resolveCarryOver(db, e.id, 'expired', null, now)
      const from = getStatement(db, e.from_statement_id)
      if (!from) continue
      const t = expiredTrade(db, e.trade_type, e.trade_id)
      if (!t) continue
      localOnlyDiff(db, from.id, merchantId, from.lines_run, e.trade_type, t, now)
      touched.add(from.id)
    }
  }).immediate()
  return touched
}

function expiredTrade(db: Db, type: TradeType, id: number): ExpectedTrade | undefined {
  return type === 'pay'
    ? stmt<[number], ExpectedTrade>(
        db,
        `SELECT id, order_no AS no, order_no, amount, status, paid_at AS time, gateway_trade_no AS gateway_no
         FROM pay_orders WHERE id = ?`,
      ).get(id)
    : stmt<[number], ExpectedTrade>(
        db,
        `SELECT r.id, r.refund_no AS no, p.order_no, r.amount, r.status, r.finished_at AS time,
           r.gateway_refund_no AS gateway_no
         FROM refund_orders r CROSS JOIN pay_orders p ON p.id = r.pay_order_id WHERE r.id = ?`,
      ).get(id)
}
