import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import { openAnomaly } from '../../src/main/store/anomalies'
import { getPayOrder } from '../../src/main/store/orders'
import type { WireError } from '../../src/shared/errors'
import { formatBeijing } from '../../src/shared/time'
import { startLockHolder } from '../helpers/lock-holder'
import { createWorld, FAST_RETRY, type World } from '../helpers/world'

// Issue 15 item 6, on one SQLite file: two processes (the app and `paysync serve`, or the app and the
// cron) acting on the same thing at once, through the contract as the window calls it (`dispatch`).
// Each "process" is a ServiceContext of its own: its connection, engine owner and coordination. Both
// calls are started before either is awaited; where the point is that both queue for the database, a
// third process holds the write lock meanwhile (tests/helpers/lock-holder.ts). The same through two
// real command-line processes is tests/cli/two-processes.test.ts; statements are in
// two-processes-statements.test.ts.

let w: World
/** The other desktop process on the same books, another person at it. */
let other: ServiceContext

beforeEach(async () => {
  w = await createWorld()
  other = new ServiceContext({ dbFile: w.dbFile, retry: FAST_RETRY, transport: 'http', operator: '王会计' })
})

afterEach(async () => {
  await other.close()
  await w.close()
})

const count = (sql: string, ...args: unknown[]) => (w.ctx.db.prepare(sql).get(...args) as { n: number }).n
const repairsOf = (tradeId: number) =>
  count('SELECT count(*) AS n FROM repair_records WHERE trade_id = ?', tradeId)
const auditsOf = (anomalyId: number) =>
  count(
    "SELECT count(*) AS n FROM audit_log WHERE target = ? AND action LIKE 'anomaly_%'",
    `anomaly:${anomalyId}`,
  )
const queries = () => w.sim.state.stats.requests['alipay.trade.query'] ?? 0

/** A pay order closed here that the gateway says was paid: a sync opens `paid_after_close`. */
async function paidAfterClose(orderNo: string): Promise<{ orderId: number; anomalyId: number }> {
  const orderId = w.payOrder({ merchant: 'ali', orderNo, status: 'close' })
  w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
  const summary = await dispatch(w.ctx, 'orders.sync', { ids: [orderId] })
  expect(summary.anomalies).toBe(1)
  const { id } = w.ctx.db
    .prepare("SELECT id FROM anomalies WHERE trade_id = ? AND status = 'open'")
    .get(orderId) as {
    id: number
  }
  return { orderId, anomalyId: id }
}

/** Both settled, in the order they were started; never a rejection left unhandled. */
function both<A, B>(a: Promise<A>, b: Promise<B>) {
  return Promise.allSettled([a, b])
}

function loserOf(results: PromiseSettledResult<unknown>[]): WireError & { params?: Record<string, unknown> } {
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  expect(lost).toHaveLength(1)
  return lost[0]!.reason
}

describe('two processes decide one anomaly at once', () => {
  it('both mark it paid, queued behind a third holder of the write lock: one repair, one audit row, the other told who and when', async () => {
    const { orderId, anomalyId } = await paidAfterClose('TWO-PAID')
    const holder = await startLockHolder(w.dbFile)
    await holder.lock(400)
    // Started while the lock is held: both wait for the database, then run one after the other.
    const results = await both(
      dispatch(w.ctx, 'anomalies.resolve', { id: anomalyId, action: 'mark_paid', remark: '买家已付，补单' }),
      dispatch(other, 'anomalies.resolve', { id: anomalyId, action: 'mark_paid', remark: '核对后补单' }),
    )
    await holder.released

    const won = results.find((r) => r.status === 'fulfilled')
    expect(won).toBeDefined()
    const loser = loserOf(results)
    const row = w.ctx.db.prepare('SELECT * FROM anomalies WHERE id = ?').get(anomalyId) as {
      status: string
      operator: string
      resolved_at: number
    }
    expect(row.status).toBe('resolved')
    expect(loser).toMatchObject({ code: 'conflict', id: 'anomaly.closed' })
    // The sentence names the winner and the moment of the decision, in both languages' parameters.
    expect(loser.params).toMatchObject({ operator: row.operator, at: formatBeijing(row.resolved_at) })
    expect(loser.message).toContain(row.operator)
    expect(loser.message).toContain(formatBeijing(row.resolved_at))
    expect(getPayOrder(w.ctx.db, orderId)!.status).toBe('success')
    expect(repairsOf(orderId)).toBe(1)
    expect(auditsOf(anomalyId)).toBe(1)
    expect(count("SELECT count(*) AS n FROM audit_log WHERE action = 'manual_repair'")).toBe(1)
  })

  it('dismiss against dismiss, and mark paid against dismiss: exactly one decision stands', async () => {
    const first = await paidAfterClose('TWO-DISMISS')
    const dismissed = await both(
      dispatch(other, 'anomalies.resolve', {
        id: first.anomalyId,
        action: 'dismiss',
        remark: '本地记录正确',
      }),
      dispatch(w.ctx, 'anomalies.resolve', { id: first.anomalyId, action: 'dismiss', remark: '已线下处理' }),
    )
    expect(loserOf(dismissed)).toMatchObject({ code: 'conflict', id: 'anomaly.closed' })
    expect(auditsOf(first.anomalyId)).toBe(1)
    expect(repairsOf(first.orderId)).toBe(0)

    const second = await paidAfterClose('TWO-MIXED')
    const mixed = await both(
      dispatch(w.ctx, 'anomalies.resolve', { id: second.anomalyId, action: 'mark_paid', remark: '买家已付' }),
      dispatch(other, 'anomalies.resolve', {
        id: second.anomalyId,
        action: 'dismiss',
        remark: '本地记录正确',
      }),
    )
    const loser = loserOf(mixed)
    expect(loser).toMatchObject({ code: 'conflict', id: 'anomaly.closed' })
    const row = w.ctx.db
      .prepare('SELECT status, action FROM anomalies WHERE id = ?')
      .get(second.anomalyId) as {
      status: string
      action: string
    }
    // The trade agrees with whichever decision stood, and with nothing of the other.
    const paid = row.action === 'mark_paid'
    expect(row.status).toBe(paid ? 'resolved' : 'dismissed')
    expect(repairsOf(second.orderId)).toBe(paid ? 1 : 0)
    expect(getPayOrder(w.ctx.db, second.orderId)!.status).toBe(paid ? 'success' : 'close')
    expect(auditsOf(second.anomalyId)).toBe(1)
  })
})

describe('two processes sync one trade at once (docs/domain.md 6.3)', () => {
  it('through orders.sync: the gateway is asked once, one repair, the other is told 10007 and changes nothing', async () => {
    const orderNo = 'TWO-SYNC'
    const orderId = w.payOrder({ merchant: 'ali', orderNo, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    const asked = queries()
    // The gateway keeps the first asker's answer until the other has been turned away.
    const hold = w.sim.state.hold(orderNo)
    const a = dispatch(w.ctx, 'orders.sync', { ids: [orderId] })
    const b = dispatch(other, 'orders.sync', { ids: [orderId] })
    const firstBack = await Promise.race([a, b])
    expect(firstBack).toMatchObject({ total: 1, skipped: 1, elsewhere: 1, repaired: 0 })
    hold.release()
    const [sa, sb] = await Promise.all([a, b])
    expect([sa.repaired, sb.repaired].sort()).toEqual([0, 1])
    expect([sa.skipped, sb.skipped].sort()).toEqual([0, 1])
    expect([sa.elsewhere, sb.elsewhere].sort()).toEqual([0, 1])

    expect(queries() - asked).toBe(1)
    expect(repairsOf(orderId)).toBe(1)
    expect(getPayOrder(w.ctx.db, orderId)!.status).toBe('success')
    const records = w.ctx.db
      .prepare(
        `SELECT r.outcome, r.error_code, b.sync_info IS NOT NULL AS raw FROM sync_records r
           LEFT JOIN sync_record_bodies b ON b.record_id = r.id WHERE r.trade_id = ? ORDER BY r.id`,
      )
      .all(orderId) as Array<{ outcome: string; error_code: string | null; raw: number }>
    // One record holds the gateway's answer; the other says the trade was being synced elsewhere.
    expect(records.filter((r) => r.raw === 1)).toEqual([{ outcome: 'repaired', error_code: null, raw: 1 }])
    expect(records.filter((r) => r.outcome === 'skipped')).toEqual([
      { outcome: 'skipped', error_code: '10007', raw: 0 },
    ])
    expect(count('SELECT count(*) AS n FROM trade_leases')).toBe(0)
  })
})

describe("a person's decision while the other process's batch syncs the trade", () => {
  /** A pay order still in progress here, with an open `sync_keeps_failing`: mark_paid is offered. */
  function keepsFailing(orderNo: string): { orderId: number; anomalyId: number } {
    const orderId = w.payOrder({ merchant: 'ali', orderNo, status: 'progress' })
    const { id } = openAnomaly(w.ctx.db, {
      tradeType: 'pay',
      tradeId: orderId,
      tradeNo: orderNo,
      channel: 'alipay',
      merchantId: w.merchantId('ali'),
      kind: 'sync_keeps_failing',
      detail: '连续同步失败（20 次）',
      localStatus: 'progress',
      gatewayStatus: null,
      localAmount: 1000,
      gatewayAmount: null,
      answerStatus: null,
      gatewayTime: null,
      syncRecordId: null,
      at: Date.now(),
    })
    // The gateway answers again now, and says paid: the batch would repair it to success.
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    return { orderId, anomalyId: id }
  }

  /** Starts a batch of one trade in `ctx` and resolves when it is done there. */
  async function batchOf(ctx: ServiceContext, orderId: number): Promise<number> {
    let done!: () => void
    const finished = new Promise<void>((r) => (done = r))
    let batchId = 0
    const off = ctx.on('batch.progress', (p) => {
      if (p.batchId === batchId && p.status === 'done') done()
    })
    const batch = await dispatch(ctx, 'batches.start', { type: 'pay', ids: [orderId] })
    batchId = batch.id
    if ((await dispatch(ctx, 'batches.get', { id: batchId })).status === 'done') done()
    await finished
    off()
    return batchId
  }

  it('decided while the batch waits for the gateway: the decision repairs, the batch records a conflict and repairs nothing', async () => {
    const { orderId, anomalyId } = keepsFailing('TWO-BATCH-1')
    const hold = w.sim.state.hold('TWO-BATCH-1')
    const batch = batchOf(other, orderId)
    await hold.reached
    const decided = await dispatch(w.ctx, 'anomalies.resolve', {
      id: anomalyId,
      action: 'mark_paid',
      remark: '已在支付宝后台核实',
    })
    expect(decided).toMatchObject({ status: 'resolved', action: 'mark_paid' })
    hold.release()
    const batchId = await batch

    expect(repairsOf(orderId)).toBe(1)
    expect(getPayOrder(w.ctx.db, orderId)!.status).toBe('success')
    const item = w.ctx.db
      .prepare('SELECT r.outcome, r.error_code FROM sync_records r WHERE r.batch_id = ? AND r.trade_id = ?')
      .get(batchId, orderId)
    // The batch's answer came after the decision: compare-and-set refused its repair (docs/domain.md 6.2).
    expect(item).toEqual({ outcome: 'skipped', error_code: 'conflict' })
  })

  it('decided after the batch repaired it: the batch repairs, the decision is refused and repairs nothing', async () => {
    const { orderId, anomalyId } = keepsFailing('TWO-BATCH-2')
    await batchOf(other, orderId)
    expect(getPayOrder(w.ctx.db, orderId)!.status).toBe('success')
    await expect(
      dispatch(w.ctx, 'anomalies.resolve', {
        id: anomalyId,
        action: 'mark_paid',
        remark: '已在支付宝后台核实',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', id: 'anomaly.action' })
    expect(repairsOf(orderId)).toBe(1)
    const [repair] = w.ctx.db
      .prepare('SELECT way, source FROM repair_records WHERE trade_id = ?')
      .all(orderId)
    expect(repair).toMatchObject({ source: 'batch' })
  })
})
