import crypto from 'node:crypto'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/main/services/index'
import type { FaultName } from '../../src/main/gateways/simulator/state'
import type { ReconcileRun } from '../../src/shared/statements'
import { formatBeijing } from '../../src/shared/time'
import { bj } from '../helpers/statements'
import { anomaliesOf, diffsOf, orderStatus, reconcileWorlds, syncRecordsOf } from '../helpers/reconcile'
import type { World } from '../helpers/world'

// docs/reconcile.md A17 tests 6, 7 and 12 through the download, as the daily run and the 对账 screen
// reconcile a day: `statements.reconcile` without a file asks the simulator's bill calls (A14), whose
// bill holds the simulated trades of the day. The upload tests of the same rules are in
// acceptance.test.ts; here the answers of the bill calls (no bill yet, no bill, a hash that names
// other bytes) reach the statement as A1 maps them.

const DAY_MS = 86_400_000
/** Days some way back (Beijing): their bills are made whatever the hour the test runs at. */
const D = formatBeijing(Date.now() - 4 * DAY_MS).slice(0, 10)

const open = reconcileWorlds(['ali', 'wx'])
let w: World

function fault(f: FaultName): void {
  w.sim.state.faults = { ...w.sim.state.faults, faultRate: 1, faults: [f] }
}

function download(merchant: string, date = D): Promise<ReconcileRun> {
  return dispatch(w.ctx, 'statements.reconcile', { merchant, date, dryRun: false, waitForSyncs: true })
}

function storedLines(statementId: number): number {
  return (
    w.ctx.db.prepare('SELECT count(*) AS n FROM statement_lines WHERE statement_id = ?').get(statementId) as {
      n: number
    }
  ).n
}

describe('A17 through the download', () => {
  it('12: the downloaded bill, verified, finds the local progress order; the reconcile sync repairs it', async () => {
    w = await open()
    const id = w.payOrder({ merchant: 'wx', orderNo: 'PSD1', amount: 3580, status: 'progress' })
    w.gatewayOrder({
      merchant: 'wx',
      orderNo: 'PSD1',
      amount: 3580,
      state: 'SUCCESS',
      paidAt: bj(`${D} 12:00:00`),
    })
    const run = await download('wx')
    expect(run).toMatchObject({
      source: 'download',
      verified: true,
      status: 'matched',
      integrity: 'ok',
      lines: { total: 1, pay: 1 },
      diffs: { local_not_success: 1 },
      actions: { syncQueued: 1 },
    })
    expect(syncRecordsOf(w, 'pay', id)).toMatchObject([{ source: 'reconcile', outcome: 'repaired' }])
    expect(orderStatus(w, id)).toBe('success')
    expect((await diffsOf(w, run.statementId!))[0]).toMatchObject({ status: 'resolved' })
    expect(run.result).toBe('balanced')
  })

  it('7: STATEMENT_CREATING leaves the day not_ready: nothing matched, nothing synced, asked again later', async () => {
    w = await open()
    const id = w.payOrder({
      merchant: 'wx',
      orderNo: 'PSD2',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 12:00:00`),
    })
    fault('bill_not_ready')
    const run = await download('wx')
    expect(run).toMatchObject({ status: 'not_ready', errorCode: 'STATEMENT_NOT_READY', result: null })
    expect(run.diffs.local_only).toBe(0)
    expect(syncRecordsOf(w, 'pay', id)).toHaveLength(0)
    // The channel has made the bill meanwhile: the same day again reconciles.
    w.sim.state.faults = { ...w.sim.state.faults, faultRate: 0, faults: [] }
    const again = await download('wx')
    expect(again.statementId).toBe(run.statementId)
    expect(again.status).toBe('empty')
  })

  it('7: NO_STATEMENT_EXIST is an empty day whose local successes outside the band are local_only, synced', async () => {
    w = await open()
    const id = w.payOrder({
      merchant: 'wx',
      orderNo: 'PSD3',
      amount: 1200,
      status: 'success',
      paidAt: bj(`${D} 12:00:00`),
    })
    // In the band of the day's end: it waits for the next day's bill instead (A8).
    w.payOrder({
      merchant: 'wx',
      orderNo: 'PSD4',
      amount: 1300,
      status: 'success',
      paidAt: bj(`${D} 23:59:58`),
    })
    const run = await download('wx')
    expect(run).toMatchObject({
      status: 'empty',
      errorCode: 'STATEMENT_EMPTY',
      lines: { total: 0 },
      diffs: { local_only: 1 },
      carried: 1,
      actions: { syncQueued: 1 },
      result: 'unbalanced',
    })
    expect(syncRecordsOf(w, 'pay', id)).toMatchObject([{ source: 'reconcile', outcome: 'anomaly' }])
    expect(anomaliesOf(w).map((a) => [a.kind, a.trade_id])).toEqual([['success_but_gateway_missing', id]])
    expect((await diffsOf(w, run.statementId!))[0]).toMatchObject({
      kind: 'local_only',
      orderNo: 'PSD3',
      action: 'anomaly_opened',
    })
  })

  it('6 and A2 defect 7: a bill whose hash names other bytes is refused, thrown away, and nothing is matched', async () => {
    w = await open()
    const id = w.payOrder({ merchant: 'wx', orderNo: 'PSD5', amount: 500, status: 'progress' })
    w.gatewayOrder({
      merchant: 'wx',
      orderNo: 'PSD5',
      amount: 500,
      state: 'SUCCESS',
      paidAt: bj(`${D} 09:00:00`),
    })
    fault('bill_hash_mismatch')
    const run = await download('wx')
    expect(run).toMatchObject({ status: 'failed', errorCode: 'STATEMENT_HASH_MISMATCH', result: null })
    expect(storedLines(run.statementId!)).toBe(0)
    expect(syncRecordsOf(w, 'pay', id)).toHaveLength(0)
    expect(anomaliesOf(w)).toHaveLength(0)
    const folder = w.ctx.filesDir('statements', false)
    const kept = fs.readdirSync(`${folder}/wx/${D}`)
    expect(kept, 'the refused file is deleted').toEqual([])
  })

  it('A2 defect 7: the Alipay bill kept is the whole zip as downloaded, detail and summary', async () => {
    w = await open()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PSD6',
      amount: 700,
      status: 'success',
      paidAt: bj(`${D} 10:00:00`),
    })
    w.gatewayOrder({
      merchant: 'ali',
      orderNo: 'PSD6',
      amount: 700,
      state: 'TRADE_SUCCESS',
      paidAt: bj(`${D} 10:00:00`),
    })
    const run = await download('ali')
    expect(run).toMatchObject({ status: 'matched', result: 'balanced', matched: 1 })
    const row = w.ctx.db
      .prepare('SELECT file_path, file_sha256, checks FROM statements WHERE id = ?')
      .get(run.statementId!) as { file_path: string; file_sha256: string; checks: string }
    const bytes = fs.readFileSync(row.file_path)
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004')
    expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(row.file_sha256)
    // Both entries were read: the detail's footers and the summary's 合计 row were checked.
    const checks = JSON.parse(row.checks) as Array<{ entry: string | null; ok: boolean }>
    const entries = new Set(checks.map((c) => c.entry))
    expect([...entries].some((e) => e?.endsWith('_业务明细.csv'))).toBe(true)
    expect([...entries].some((e) => e?.endsWith('_业务明细(汇总).csv'))).toBe(true)
    expect(checks.every((c) => c.ok)).toBe(true)
  })
})
