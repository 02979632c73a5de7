import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { ServiceContext } from '../../src/main/services/context'
import { getPayOrder } from '../../src/main/store/orders'
import { bj } from '../helpers/statements'
import {
  anomaliesOf,
  diffsOf as diffsIn,
  linesOf as linesIn,
  orderStatus,
  reconcileAlipay,
  reconcileWechat,
  reconcileWorlds,
  setMerchantSettings,
  syncRecordsOf,
} from '../helpers/reconcile'
import { FAST_RETRY, type World } from '../helpers/world'

// docs/reconcile.md A17, tests 12 to 23: matching and actions against the simulator, whose
// gateway-side orders are what the verified syncs answer. A bill line never changes a trade itself.

const D = '2026-10-03'
const D1 = '2026-10-04'
const D2 = '2026-10-05'
const D3 = '2026-10-06'

const open = reconcileWorlds(['ali', 'wx'])
let w: World
const world = async () => (w = await open())
const diffsOf = (statementId: number) => diffsIn(w, statementId)
const linesOf = (statementId: number) => linesIn(w, statementId)

describe('A17 matching and actions', () => {
  it('12: local progress, bill SUCCESS: a reconcile sync repairs it, the difference links the record; a re-run syncs nothing', async () => {
    await world()
    const id = w.payOrder({ merchant: 'ali', orderNo: 'PS1', amount: 3580, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'PS1', amount: 3580, state: 'TRADE_SUCCESS' })
    const rows = [{ kind: 'pay' as const, orderNo: 'PS1', amount: 3580, time: bj(`${D} 12:00:00`) }]
    const run = await reconcileAlipay(w, D, rows)
    expect(run.diffs.local_not_success).toBe(1)
    expect(run.actions.syncQueued).toBe(1)
    const records = syncRecordsOf(w, 'pay', id)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ source: 'reconcile', outcome: 'repaired' })
    expect(orderStatus(w, id)).toBe('success')
    const [diff] = await diffsOf(run.statementId!)
    expect(diff).toMatchObject({
      kind: 'local_not_success',
      syncRecordId: records[0]!.id,
      status: 'resolved',
    })
    expect(run.result).toBe('balanced')

    const again = await reconcileAlipay(w, D, rows)
    expect(again.statementId).toBe(run.statementId)
    // No new batch: the statement still names the one of the first run.
    expect(again.actions.syncBatchId).toBe(run.actions.syncBatchId)
    expect(syncRecordsOf(w, 'pay', id)).toHaveLength(1)
    expect((await diffsOf(run.statementId!))[0]!.id).toBe(diff!.id)
  })

  it('13: local close, bill SUCCESS: the sync opens paid_after_close, the difference says so', async () => {
    await world()
    const id = w.payOrder({ merchant: 'ali', orderNo: 'PS2', amount: 1000, status: 'close' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'PS2', amount: 1000, state: 'TRADE_SUCCESS' })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS2', amount: 1000, time: bj(`${D} 10:00:00`) },
    ])
    const [diff] = await diffsOf(run.statementId!)
    const anomaly = anomaliesOf(w).find((a) => a.kind === 'paid_after_close')
    expect(anomaly).toBeDefined()
    expect(diff).toMatchObject({
      kind: 'local_not_success',
      action: 'anomaly_opened',
      anomalyId: anomaly!.id,
      status: 'open',
    })
    expect(orderStatus(w, id)).toBe('close')
    expect(run.result).toBe('unbalanced')
  })

  it('14: a local success at 12:00 on D missing from the bill, the gateway answers 404: success_but_gateway_missing', async () => {
    await world()
    const id = w.payOrder({
      merchant: 'wx',
      orderNo: 'PS3',
      amount: 1000,
      status: 'success',
      paidAt: bj(`${D} 12:00:00`),
    })
    const run = await reconcileWechat(w, D, [])
    const [diff] = await diffsOf(run.statementId!)
    expect(diff).toMatchObject({
      kind: 'local_only',
      tradeType: 'pay',
      payOrderId: id,
      action: 'anomaly_opened',
    })
    expect(anomaliesOf(w).map((a) => a.kind)).toEqual(['success_but_gateway_missing'])
    expect(syncRecordsOf(w, 'pay', id)[0]).toMatchObject({ source: 'reconcile', outcome: 'anomaly' })
  })

  it('15: amounts 3 580 and 3 500: amount_mismatch, no sync, no status change, 本地长款', async () => {
    await world()
    const id = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS4',
      amount: 3580,
      status: 'success',
      paidAt: bj(`${D} 09:00:00`),
    })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS4', amount: 3500, time: bj(`${D} 09:00:00`) },
    ])
    const [diff] = await diffsOf(run.statementId!)
    expect(diff).toMatchObject({
      kind: 'amount_mismatch',
      label: '本地长款，金额不符',
      action: 'anomaly_opened',
    })
    expect(diff!.reasonText).toBe('金额不符：本地 35.80 元，通道 35.00 元（PS4）')
    expect(anomaliesOf(w)).toMatchObject([
      { kind: 'amount_mismatch', trade_id: id, statement_line_id: diff!.lineId },
    ])
    expect(syncRecordsOf(w, 'pay', id)).toHaveLength(0)
    expect(run.actions.syncQueued).toBe(0)
    expect(getPayOrder(w.ctx.db, id)!.amount).toBe(3580)
  })

  it('16: an unknown order in scope opens statement_unknown_trade; out of the PS scope it is foreign', async () => {
    await world()
    setMerchantSettings(w, 'ali', { statementScope: 'PS' })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS-UNKNOWN', amount: 500, time: bj(`${D} 08:00:00`) },
      { kind: 'pay', orderNo: 'XX-OTHER-SYSTEM', amount: 700, time: bj(`${D} 08:00:00`) },
    ])
    expect(run.diffs.gateway_only).toBe(1)
    expect(run.lines.foreign).toBe(1)
    const anomalies = anomaliesOf(w)
    expect(anomalies).toMatchObject([
      { kind: 'statement_unknown_trade', trade_id: 0, trade_no: 'PS-UNKNOWN', status: 'open' },
    ])
    const foreign = (await linesOf(run.statementId!)).find((l) => l.orderNo === 'XX-OTHER-SYSTEM')
    expect(foreign?.matchState).toBe('foreign')
    // A person decides: the anomaly of a trade we do not have can be dismissed.
    const detail = await dispatch(w.ctx, 'anomalies.get', { id: anomalies[0]!.id })
    expect(detail.actions).toEqual(['acknowledge', 'dismiss'])
  })

  it('17: a refund line of a known order with an unknown refund number: refund_unrecorded', async () => {
    await world()
    const id = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS5',
      amount: 2000,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS5', amount: 2000, time: bj(`${D} 08:00:00`) },
      { kind: 'refund', orderNo: 'PS5', refundNo: 'RF-UNKNOWN', amount: 500, time: bj(`${D} 09:00:00`) },
    ])
    expect(run.diffs.refund_unrecorded).toBe(1)
    expect(anomaliesOf(w)).toMatchObject([{ kind: 'refund_unrecorded', trade_id: id }])
  })

  it('18: a WeChat refund row PROCESSING and a local refund success: matched, no difference', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'wx',
      orderNo: 'PS6',
      amount: 2000,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    w.refund({ merchant: 'wx', payOrderId: pay, refundNo: 'RF6', amount: 2000, status: 'success' })
    const run = await reconcileWechat(w, D, [
      { kind: 'pay', orderNo: 'PS6', amount: 2000, time: bj(`${D} 08:00:00`) },
      {
        kind: 'refund',
        orderNo: 'PS6',
        refundNo: 'RF6',
        amount: 2000,
        status: 'PROCESSING',
        time: bj(`${D} 09:00:00`),
      },
    ])
    expect(run.matched).toBe(2)
    expect(Object.values(run.diffs).every((n) => n === 0)).toBe(true)
    expect(run.result).toBe('balanced')
  })

  it('19: paid 23:59:58 on D, its line on D+1: D waits, then balances; D+1 matched_cross_day; nothing synced', async () => {
    await world()
    const id = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS7',
      amount: 900,
      status: 'success',
      paidAt: bj(`${D} 23:59:58`),
    })
    const day = await reconcileAlipay(w, D, [])
    expect(day.result).toBe('pending_cross_day')
    expect(day.carried).toBe(1)
    const next = await reconcileAlipay(w, D1, [
      { kind: 'pay', orderNo: 'PS7', amount: 900, time: bj(`${D1} 00:00:03`) },
    ])
    expect(next.matchedCrossDay).toBe(1)
    expect((await linesOf(next.statementId!))[0]!.matchState).toBe('matched_cross_day')
    const before = await dispatch(w.ctx, 'statements.get', { id: day.statementId! })
    expect(before.statement.result).toBe('balanced')
    expect(before.carryOver.from).toMatchObject([
      { status: 'matched', resolvedStatementId: next.statementId },
    ])
    expect(syncRecordsOf(w, 'pay', id)).toHaveLength(0)
    expect(getPayOrder(w.ctx.db, id)).toMatchObject({ reconciled_statement_id: next.statementId })
  })

  it('20: D+1, D+2 and D+3 without the line: local_only on D, synced', async () => {
    await world()
    const id = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS8',
      amount: 900,
      status: 'success',
      paidAt: bj(`${D} 23:59:58`),
    })
    w.gatewayOrder({
      merchant: 'ali',
      orderNo: 'PS8',
      amount: 900,
      state: 'TRADE_SUCCESS',
      paidAt: bj(`${D} 23:59:58`),
    })
    const day = await reconcileAlipay(w, D, [])
    for (const d of [D1, D2, D3]) await reconcileAlipay(w, d, [])
    const diffs = await diffsOf(day.statementId!)
    expect(diffs).toMatchObject([{ kind: 'local_only', payOrderId: id }])
    expect(syncRecordsOf(w, 'pay', id)[0]).toMatchObject({ source: 'reconcile', outcome: 'consistent' })
    expect(diffs[0]).toMatchObject({ action: 'sync_done', status: 'resolved', resolvedBy: 'sync' })
  })

  it('21: Alipay refund rows (negative in the file) never mismatch a positive local refund', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS9',
      amount: 2000,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    w.refund({ merchant: 'ali', payOrderId: pay, refundNo: 'RF9', amount: 129, status: 'success' })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS9', amount: 2000, time: bj(`${D} 08:00:00`) },
      { kind: 'refund', orderNo: 'PS9', refundNo: 'RF9', amount: 129, time: bj(`${D} 09:00:00`) },
    ])
    expect(run.diffs.amount_mismatch).toBe(0)
    expect(run.matched).toBe(2)
    expect(run.amounts.channelRefund).toBe(129)
  })

  it('22: two processes reconcile the same day: the second gets STATEMENT_BUSY, no line twice', async () => {
    await world()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS10',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const other = new ServiceContext({
      dbFile: w.dbFile,
      retry: FAST_RETRY,
      transport: 'cli',
      operator: 'other',
    })
    try {
      const rows = [{ kind: 'pay' as const, orderNo: 'PS10', amount: 100, time: bj(`${D} 08:00:00`) }]
      const first = reconcileAlipay(w, D, rows)
      const w2 = { ...w, ctx: other }
      const second = reconcileAlipay(w2, D, rows)
      const [a, b] = await Promise.allSettled([first, second])
      expect(a.status).toBe('fulfilled')
      expect(b.status).toBe('rejected')
      expect((b as PromiseRejectedResult).reason).toMatchObject({ code: 'busy', id: 'statement.busy' })
      const n = w.ctx.db.prepare('SELECT count(*) AS n FROM statement_lines').get() as { n: number }
      expect(n.n).toBe(1)
    } finally {
      await other.close()
    }
  })

  it('23: the identical file again: identical JSON but for ids and durations, no new anomaly', async () => {
    await world()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS11',
      amount: 3580,
      status: 'success',
      paidAt: bj(`${D} 09:00:00`),
    })
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS12',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 09:00:00`),
    })
    const rows = [
      { kind: 'pay' as const, orderNo: 'PS11', amount: 3500, time: bj(`${D} 09:00:00`) },
      { kind: 'pay' as const, orderNo: 'PS12', amount: 100, time: bj(`${D} 09:00:00`) },
      { kind: 'pay' as const, orderNo: 'PS-NOT-OURS', amount: 100, time: bj(`${D} 09:30:00`) },
    ]
    const first = await reconcileAlipay(w, D, rows)
    const anomalies = anomaliesOf(w)
    const again = await reconcileAlipay(w, D, rows)
    const strip = (r: typeof first) => ({ ...r, durationMs: 0, actions: { ...r.actions, syncBatchId: null } })
    expect(strip(again)).toEqual(strip(first))
    expect(anomaliesOf(w).map((a) => a.id)).toEqual(anomalies.map((a) => a.id))
    expect(anomalies).toHaveLength(2)
  })
})
