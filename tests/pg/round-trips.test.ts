import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/main/services/db-copy'
import { TeamDesk } from '../../src/main/services/team-desk'
import { freshDatabase, pgMissing } from '../helpers/pg'
import { createWorld, tempDir, type World } from '../helpers/world'

// How many times an attempt on a team database waits for the server (docs/team-mode.md B8.10): the
// lease with the trade's read behind it, then the final write, whose BEGIN, unanswered writes and
// COMMIT share their round trips (store/pg/transaction.ts). A count, not a time. Checked to fail before
// the pipeline: the same attempts made 13 (a repair) and 10. The merchant's version, which its kept
// adapter is checked against so that another desktop's change of the profile counts at once
// (docs/team-mode.md B8.17), is read behind the lease on the same connection: it made one more before.
// And how many statements it sends, each of which the server parses, plans and runs and the runner
// encodes and reads: the merchant's version is now a few columns of the trade's read, and a repair
// writes its bookkeeping in its compare-and-set and its row after the record. Checked to fail on the
// code before: 13 (a repair) and 10.

const TEAM = 'Team-Pass for 2026!'
const HOUR = 3_600_000

/**
 * Counts round trips of every pg connection of this process: a query sent to a connection with
 * nothing in flight. pg_notify is left out: the engine tells the other desktops at most every 250 ms,
 * whichever attempt's commit comes then.
 */
function countRoundTrips(): { trips: () => number; statements: () => number; stop: () => void } {
  type Query = (this: pg.Client, ...args: unknown[]) => unknown
  const proto = pg.Client.prototype as unknown as { query: Query }
  const original = proto.query
  const inFlight = new WeakMap<object, number>()
  let trips = 0
  let statements = 0
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined
    const text = typeof first === 'string' ? first : (first?.text ?? '')
    const n = inFlight.get(this) ?? 0
    if (!text.includes('pg_notify')) statements += 1
    if (n === 0 && !text.includes('pg_notify')) trips += 1
    inFlight.set(this, n + 1)
    const done = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1)
    const last = args[args.length - 1]
    if (typeof last === 'function') {
      // pg-pool's query passes a callback: the count drops before the pool hears the answer.
      args[args.length - 1] = (...answer: unknown[]) => {
        done()
        return (last as (...a: unknown[]) => unknown)(...answer)
      }
      return original.apply(this, args)
    }
    const answer = original.apply(this, args) as Promise<unknown> | undefined
    // Heard before the caller's own await, which is attached after this returns.
    answer?.then(done, done)
    return answer
  }
  return { trips: () => trips, statements: () => statements, stop: () => void (proto.query = original) }
}

describe.skipIf(pgMissing())('round trips of an attempt on a team database', () => {
  let world: World
  let desk: TeamDesk
  const actor = { operator: 'amy', systemUser: 'amy', transport: 'cli' as const }

  /** A pay order in progress in the team database, and the gateway's answer for it. */
  const order = async (orderNo: string, state: 'TRADE_SUCCESS' | 'WAIT_BUYER_PAY'): Promise<number> => {
    world.gatewayOrder({ merchant: 'ali', orderNo, amount: 500, state })
    const { rows } = await desk.reads.pool.query(
      `INSERT INTO pay_orders (merchant_id, order_no, biz_order_no, amount, refundable_amount, status, channel,
         created_at, updated_at, expired_at, next_sync_at)
       SELECT merchant_id, $1, $1, 500, 0, 'progress', channel, created_at, updated_at, $2, created_at
         FROM pay_orders WHERE order_no = 'T-FIRST' RETURNING id`,
      [orderNo, Date.now() + HOUR],
    )
    return Number(rows[0].id)
  }

  const tripsOf = async (orderNo: string, state: 'TRADE_SUCCESS' | 'WAIT_BUYER_PAY') => {
    const id = await order(orderNo, state)
    const counter = countRoundTrips()
    try {
      const result = await desk.engine.syncPay(id, { source: 'manual', ...actor })
      return { outcome: result.outcome, trips: counter.trips(), statements: counter.statements() }
    } finally {
      counter.stop()
    }
  }

  beforeAll(async () => {
    world = await createWorld({
      merchants: [{ name: 'ali', channel: 'alipay' }],
      context: { passphrase: TEAM },
    })
    world.payOrder({ merchant: 'ali', orderNo: 'T-FIRST', amount: 500 })
    world.gatewayOrder({ merchant: 'ali', orderNo: 'T-FIRST', amount: 500, state: 'TRADE_SUCCESS' })
    const url = await freshDatabase()
    expect((await copyDatabase(world.dbFile, url)).outcome).toBe('copied')
    desk = await TeamDesk.open(url, { keys: { passphrase: TEAM }, actor, dataDir: tempDir('paysync-trips-') })
    // The merchant's keys opened and its adapter made: what every later attempt finds ready.
    const first = await desk.reads.pool.query("SELECT id FROM pay_orders WHERE order_no = 'T-FIRST'")
    await desk.engine.syncPay(Number(first.rows[0].id), { source: 'manual', ...actor })
  })

  afterAll(async () => {
    await desk?.close()
    await world?.close()
  })

  it('a repair: the lease with the reads, the compare-and-set, the record, the rest with the COMMIT', async () => {
    expect(await tripsOf('T-TRIPS-PAID', 'TRADE_SUCCESS')).toEqual({
      outcome: 'repaired',
      trips: 4,
      statements: 10,
    })
  })

  it('nothing to repair: the lease with the reads, the record, the rest with the COMMIT', async () => {
    expect(await tripsOf('T-TRIPS-WAIT', 'WAIT_BUYER_PAY')).toEqual({
      outcome: 'waiting',
      trips: 3,
      statements: 9,
    })
  })

  it('the trade read under the lease: a second attempt sees what the first one wrote', async () => {
    const id = await order('T-TRIPS-AGAIN', 'TRADE_SUCCESS')
    expect((await desk.engine.syncPay(id, { source: 'manual', ...actor })).outcome).toBe('repaired')
    const again = await desk.engine.syncPay(id, { source: 'manual', ...actor })
    expect(again).toMatchObject({ outcome: 'consistent', repairNo: null })
    const { rows } = await desk.reads.pool.query(
      'SELECT count(*)::int AS n FROM repair_records WHERE trade_no = $1',
      ['T-TRIPS-AGAIN'],
    )
    expect(rows[0].n).toBe(1)
  })
})
