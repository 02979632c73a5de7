import { afterEach, describe, expect, it } from 'vitest'
import { linesOf, merchantSetting, reconcileUnionpay, reconcileWechat } from '../helpers/reconcile'
import { bj } from '../helpers/statements'
import { createWorld, type World } from '../helpers/world'

// Which merchant a bill's lines belong to (docs/reconcile.md A6): a UnionPay line of another 商户代码
// and a WeChat partner's line of another 特约商户号 are foreign, never matched nor reported as a
// difference of this merchant (services/statements/bill-accounts.ts).

const D = '2026-10-03'
let w: World | undefined
afterEach(async () => {
  await w?.close()
  w = undefined
})

async function stateOf(world: World, statementId: number, orderNo: string) {
  return (await linesOf(world, statementId)).find((l) => l.orderNo === orderNo)?.matchState
}

describe('the accounts a bill names', () => {
  it("a UnionPay line of another 商户代码 is foreign; the profile's own is matched", async () => {
    w = await createWorld({ merchants: [{ name: 'up', channel: 'unionpay' }] })
    w.payOrder({
      merchant: 'up',
      orderNo: 'PSU1',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const run = await reconcileUnionpay(
      w,
      D,
      [
        { kind: 'pay', orderNo: 'PSU1', amount: 100, time: bj(`${D} 08:00:00`) },
        {
          kind: 'pay',
          orderNo: 'PSU2',
          amount: 100,
          time: bj(`${D} 09:00:00`),
          fields: { 商户代码: '777000000000999' },
        },
      ],
      { dryRun: true },
    )
    expect(run.lines.foreign).toBe(1)
    expect(await stateOf(w, run.statementId!, 'PSU1')).toBe('matched')
    expect(await stateOf(w, run.statementId!, 'PSU2')).toBe('foreign')
  })

  it("a WeChat partner's line of another 特约商户号 is foreign; its own sub-merchant's is matched", async () => {
    w = await createWorld({ merchants: [{ name: 'wxp', channel: 'wechat', mode: 'partner' }] })
    const own = merchantSetting(w, 'wxp', 'subMchid')
    w.payOrder({
      merchant: 'wxp',
      orderNo: 'PSW1',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const run = await reconcileWechat(
      w,
      D,
      [
        { kind: 'pay', orderNo: 'PSW1', amount: 100, time: bj(`${D} 08:00:00`), subMchid: own },
        { kind: 'pay', orderNo: 'PSW2', amount: 100, time: bj(`${D} 09:00:00`), subMchid: '1900000999' },
      ],
      { merchant: 'wxp', dryRun: true },
    )
    expect(run.lines.foreign).toBe(1)
    expect(await stateOf(w, run.statementId!, 'PSW1')).toBe('matched')
    expect(await stateOf(w, run.statementId!, 'PSW2')).toBe('foreign')
  })
})
