import os from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { dispatch } from '../../src/main/services/index'
import type { WireError } from '../../src/shared/errors'
import type { ReconcileRun } from '../../src/shared/statements'
import { orderStatus, reconcileAlipay, reconcileWorlds, syncRecordsOf } from '../helpers/reconcile'
import { bj } from '../helpers/statements'
import { FAST_RETRY, type World } from '../helpers/world'

// Issue 15 item 6: one statement (merchant, day) reconciled from two processes on one SQLite file at
// once, through `statements.reconcile` as the window and the command line call it. One runs; the other
// is told STATEMENT_BUSY with the process that runs it, having written nothing (docs/reconcile.md A4).
// Two real command-line processes: tests/cli/two-processes.test.ts.

const D = '2026-10-07'
const open = reconcileWorlds(['ali'])
let w: World
const others: ServiceContext[] = []

afterEach(async () => {
  for (const c of others.splice(0)) await c.close()
})

const count = (sql: string, ...args: unknown[]) => (w.ctx.db.prepare(sql).get(...args) as { n: number }).n

describe('two processes reconcile one day at once', () => {
  it('one runs, the other is told who runs it; lines, differences, fees and syncs once; a run after it works', async () => {
    w = await open()
    const other = new ServiceContext({
      dbFile: w.dbFile,
      retry: FAST_RETRY,
      transport: 'http',
      operator: '王会计',
    })
    others.push(other)
    // A payment the books still hold in progress (a sync repairs it), one that agrees, one the books
    // lack (a difference a person decides); fees on the lines.
    const late = w.payOrder({ merchant: 'ali', orderNo: 'ST-LATE', amount: 3580, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'ST-LATE', amount: 3580, state: 'TRADE_SUCCESS' })
    w.payOrder({
      merchant: 'ali',
      orderNo: 'ST-OK',
      amount: 1000,
      status: 'success',
      paidAt: bj(`${D} 09:00:00`),
    })
    const rows = [
      { kind: 'pay' as const, orderNo: 'ST-LATE', amount: 3580, time: bj(`${D} 12:00:00`), feeE5: -21000 },
      { kind: 'pay' as const, orderNo: 'ST-OK', amount: 1000, time: bj(`${D} 09:00:00`), feeE5: -6000 },
      { kind: 'pay' as const, orderNo: 'ST-NOWHERE', amount: 500, time: bj(`${D} 10:00:00`), feeE5: -3000 },
    ]
    const asked = () => w.sim.state.stats.requests['alipay.trade.query'] ?? 0
    const before = asked()
    // The run that gets the lease keeps it through its syncs, which the gateway holds here.
    const hold = w.sim.state.hold('ST-LATE')
    const a = reconcileAlipay(w, D, rows)
    const b = reconcileAlipay({ ...w, ctx: other }, D, rows)
    // Both started before either is awaited: the one back first is the one turned away.
    const first = await Promise.race([
      a.then(
        () => 'a',
        () => 'a',
      ),
      b.then(
        () => 'b',
        () => 'b',
      ),
    ])
    const loser = await (first === 'a' ? a : b).then(
      () => null,
      (err: WireError & { params?: Record<string, unknown> }) => err,
    )
    expect(loser).toMatchObject({
      code: 'busy',
      id: 'statement.busy',
      params: { merchant: 'ali', date: D, pid: String(process.pid), host: os.hostname() },
    })
    expect(loser!.message).toContain(`by process ${process.pid} on ${os.hostname()}`)
    hold.release()
    const run: ReconcileRun = await (first === 'a' ? b : a)

    expect(run.status).not.toBe('failed')
    expect(run.actions.syncQueued).toBe(1)
    expect(run.diffs.local_not_success).toBe(1)
    expect(asked() - before).toBe(1)
    const statementId = run.statementId!
    expect(count('SELECT count(*) AS n FROM statements')).toBe(1)
    expect(count('SELECT count(*) AS n FROM statement_lines WHERE statement_id = ?', statementId)).toBe(3)
    const diffs = count('SELECT count(*) AS n FROM statement_diffs WHERE statement_id = ?', statementId)
    expect(run.diffs.gateway_only).toBe(1)
    expect(diffs).toBe(Object.values(run.diffs).reduce((n, k) => n + k, 0))
    expect(count("SELECT count(*) AS n FROM batches WHERE source = 'reconcile'")).toBe(1)
    expect(count('SELECT count(*) AS n FROM batch_items')).toBe(1)
    expect(syncRecordsOf(w, 'pay', late)).toEqual([
      expect.objectContaining({ source: 'reconcile', outcome: 'repaired' }),
    ])
    expect(orderStatus(w, late)).toBe('success')
    expect(count('SELECT count(*) AS n FROM repair_records')).toBe(1)
    const fee = run.amounts.feeE5
    expect(Math.abs(fee)).toBe(21000 + 6000 + 3000)

    // The one that was turned away runs it after: the same statement, nothing new to sync, no line,
    // difference or fee twice.
    const again = await reconcileAlipay(first === 'a' ? w : { ...w, ctx: other }, D, rows)
    expect(again.statementId).toBe(statementId)
    expect(again.actions.syncBatchId).toBe(run.actions.syncBatchId)
    expect(again.amounts.feeE5).toBe(fee)
    expect(count('SELECT count(*) AS n FROM statement_diffs WHERE statement_id = ?', statementId)).toBe(diffs)
    expect(syncRecordsOf(w, 'pay', late)).toHaveLength(1)
    expect(asked() - before).toBe(1)
    expect(count("SELECT count(*) AS n FROM trade_leases WHERE trade_key LIKE 'statement:%'")).toBe(0)
  })

  it('two resyncs of the same differences at once: one batch, the other told STATEMENT_BUSY', async () => {
    w = await open()
    const other = new ServiceContext({
      dbFile: w.dbFile,
      retry: FAST_RETRY,
      transport: 'http',
      operator: '王会计',
    })
    others.push(other)
    const id = w.payOrder({ merchant: 'ali', orderNo: 'RS-1', amount: 990, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'RS-1', amount: 990, state: 'WAIT_BUYER_PAY' })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'RS-1', amount: 990, time: bj(`${D} 12:00:00`) },
    ])
    const [diff] = (await dispatch(w.ctx, 'statements.diffs', { id: run.statementId! })).items
    expect(diff).toMatchObject({ kind: 'local_not_success', status: 'open' })
    // The buyer has paid since: a resync repairs it. Both desktops click 重新同步 at once.
    w.gatewayOrder({ merchant: 'ali', orderNo: 'RS-1', amount: 990, state: 'TRADE_SUCCESS' })
    const hold = w.sim.state.hold('RS-1')
    const a = dispatch(w.ctx, 'statements.resyncDiffs', { ids: [diff!.id] })
    const b = dispatch(other, 'statements.resyncDiffs', { ids: [diff!.id] })
    const results = await Promise.allSettled([a, b])
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(lost).toHaveLength(1)
    expect(lost[0]!.reason).toMatchObject({
      code: 'busy',
      id: 'statement.busy',
      params: { date: D, pid: String(process.pid), host: os.hostname() },
    })
    const won = results.find((r) => r.status === 'fulfilled')!.value
    hold.release()
    // The winner holds the day until its batch has written its outcome on the difference.
    await vi.waitFor(
      () =>
        expect(count("SELECT count(*) AS n FROM trade_leases WHERE trade_key LIKE 'statement:%'")).toBe(0),
      { timeout: 20_000 },
    )
    expect(count("SELECT count(*) AS n FROM batches WHERE source = 'reconcile'")).toBe(2)
    const records = syncRecordsOf(w, 'pay', id)
    expect(records.map((r) => r.outcome)).toEqual(['waiting', 'repaired'])
    expect(count('SELECT count(*) AS n FROM repair_records WHERE trade_id = ?', id)).toBe(1)
    const after = w.ctx.db
      .prepare('SELECT sync_batch_id, sync_record_id FROM statement_diffs WHERE id = ?')
      .get(diff!.id)
    expect(after).toEqual({ sync_batch_id: won.syncBatchId, sync_record_id: records[1]!.id })
  })
})
