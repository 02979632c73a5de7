import { ServiceContext } from '../src/main/services/context'
import { addMerchant } from '../src/main/services/merchants'
import { insertPayOrder, type NewPayOrder } from '../src/main/store/orders'
import type { SimChild } from './sim-child'

// The books of the batch figures: `n` Alipay orders of the simulator's first merchant, in progress
// in the books and on the gateway half paid, half waiting, so each sync asks once and writes a record.

/** One Alipay order of 1 yuan in progress in the books, as every batch figure seeds them. */
export function benchOrder(orderNo: string, merchantId: number, now: number): NewPayOrder {
  return {
    orderNo,
    bizOrderNo: orderNo,
    gatewayTradeNo: null,
    merchantId,
    channel: 'alipay',
    kind: 'pay',
    title: '',
    amount: 100,
    status: 'progress',
    createdAt: now - 60_000,
    expiredAt: now + 3600_000,
    paidAt: null,
    importId: null,
  }
}

export async function seedBatchOrders(
  ctx: ServiceContext,
  sim: SimChild,
  n: number,
  prefix: string,
): Promise<Array<{ type: 'pay'; id: number }>> {
  const [profile] = sim.profiles()
  const merchant = await addMerchant(ctx, profile)
  const name = String(profile!.name)
  const now = Date.now()
  const gateway: Array<{ merchant: string; orderNo: string; amount: number; state: string }> = []
  const ids: Array<{ type: 'pay'; id: number }> = []
  ctx.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const orderNo = `${prefix}${String(i).padStart(8, '0')}`
      ids.push({
        type: 'pay',
        id: insertPayOrder(ctx.db, benchOrder(orderNo, merchant.id, now)),
      })
      gateway.push({
        merchant: name,
        orderNo,
        amount: 100,
        state: i % 2 ? 'TRADE_SUCCESS' : 'WAIT_BUYER_PAY',
      })
    }
  })()
  for (let i = 0; i < gateway.length; i += 2000) await sim.post('/_sim/orders', gateway.slice(i, i + 2000))
  return ids
}
