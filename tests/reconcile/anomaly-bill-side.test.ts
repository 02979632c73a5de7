import { afterEach, describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import { bj } from '../helpers/statements'
import { anomaliesOf, reconcileAlipay } from '../helpers/reconcile'
import { createWorld, type World } from '../helpers/world'

// docs/reconcile.md A15.5: an anomaly a statement difference opened shows the bill's side beside the
// local one, down to the line as the file had it, with the way back to its statement. The anomaly of
// a sync carries none.

const D = '2026-10-03'

let w: World
afterEach(async () => w?.close())

describe('anomalies.get of a statement anomaly', () => {
  it('carries the difference and the bill line that opened it', async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
    const id = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS4',
      amount: 3580,
      status: 'success',
      paidAt: bj(`${D} 09:00:00`),
    })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS4', amount: 3500, time: bj(`${D} 09:00:00`) },
      { kind: 'pay', orderNo: 'PS-UNKNOWN', amount: 500, time: bj(`${D} 08:00:00`) },
    ])
    const byKind = new Map(anomaliesOf(w).map((a) => [a.kind, a]))

    const mismatch = await dispatch(w.ctx, 'anomalies.get', { id: byKind.get('amount_mismatch')!.id })
    expect(mismatch.order?.id).toBe(id)
    expect(mismatch.statement?.diff).toMatchObject({
      statementId: run.statementId,
      billDate: D,
      kind: 'amount_mismatch',
      localAmount: 3580,
      statementAmount: 3500,
      reasonText: '金额不符：本地 35.80 元，通道 35.00 元（PS4）',
    })
    expect(mismatch.statement?.line).toMatchObject({ orderNo: 'PS4', amount: 3500, kind: 'pay' })
    expect(mismatch.statement?.line?.raw).toContain('PS4')

    const unknown = await dispatch(w.ctx, 'anomalies.get', { id: byKind.get('statement_unknown_trade')!.id })
    expect(unknown.order).toBeNull()
    expect(unknown.statement?.diff).toMatchObject({ kind: 'gateway_only', orderNo: 'PS-UNKNOWN' })
    expect(unknown.statement?.line?.raw).toContain('PS-UNKNOWN')
    expect(unknown.statement?.diff.lineId).toBe(unknown.statement?.line?.id)
  })

  it('is null for an anomaly no statement opened', async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
    // The gateway says paid, for another amount: the sync opens amount_mismatch itself.
    const id = w.payOrder({ merchant: 'ali', orderNo: 'PS9', amount: 1000, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'PS9', amount: 1200, state: 'TRADE_SUCCESS' })
    await dispatch(w.ctx, 'orders.sync', { ids: [id] })
    const [anomaly] = anomaliesOf(w)
    expect(anomaly).toMatchObject({ kind: 'amount_mismatch', trade_id: id })
    expect((await dispatch(w.ctx, 'anomalies.get', { id: anomaly!.id })).statement).toBeNull()
  })
})
