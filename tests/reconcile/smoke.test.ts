import { afterEach, describe, expect, it } from 'vitest'
import { createWorld, type World } from '../helpers/world'
import { bj } from '../helpers/statements'
import { reconcileAlipay, orderStatus, syncRecordsOf } from '../helpers/reconcile'
import { dispatch } from '../../src/main/services/index'

let w: World
afterEach(async () => w?.close())

describe('smoke', () => {
  it('12', async () => {
    w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
    const id = w.payOrder({ merchant: 'ali', orderNo: 'PS1', amount: 3580, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'PS1', amount: 3580, state: 'TRADE_SUCCESS' })
    const run = await reconcileAlipay(w, '2026-10-03', [
      { kind: 'pay', orderNo: 'PS1', amount: 3580, time: bj('2026-10-03 12:00:00') },
    ])
    console.log(JSON.stringify(run, null, 1))
    console.log(orderStatus(w, id), syncRecordsOf(w, 'pay', id))
    const diffs = await dispatch(w.ctx, 'statements.diffs', { id: run.statementId! })
    console.log(JSON.stringify(diffs, null, 1))
    expect(run.status).toBe('matched')
  })
})
