import type pg from 'pg'
import type { World } from './world'

// Trades made straight in a team database for the batch suites on PostgreSQL: an order in progress
// there that the world's gateway has paid, so that each batch item is one repair.

/** Pay orders of merchant `ali` in progress in the team database, 1.00 yuan each, paid at the gateway. */
export async function insertPaidOrders(world: World, pool: pg.Pool, nos: string[]): Promise<void> {
  for (const orderNo of nos) {
    world.gatewayOrder({ merchant: 'ali', orderNo, amount: 100, state: 'TRADE_SUCCESS' })
    await pool.query(
      `INSERT INTO pay_orders (merchant_id, order_no, biz_order_no, amount, refundable_amount, status, channel,
         created_at, updated_at, expired_at, next_sync_at)
       SELECT id, $1, $1, 100, 0, 'progress', channel, $2::bigint, $2::bigint, $2::bigint + 3600000, $2::bigint
         FROM merchants WHERE name = 'ali'`,
      [orderNo, Date.now()],
    )
  }
}

/** The orders as a batch's trades, in id order. */
export async function payRefsOf(pool: pg.Pool, nos: string[]): Promise<Array<{ type: 'pay'; id: number }>> {
  const { rows } = await pool.query('SELECT id FROM pay_orders WHERE order_no = ANY($1) ORDER BY id', [nos])
  return rows.map((r) => ({ type: 'pay' as const, id: Number(r.id) }))
}
