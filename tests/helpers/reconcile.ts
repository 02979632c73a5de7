import fs from 'node:fs'
import path from 'node:path'
import { afterEach } from 'vitest'
import { alipayBillZip, type AlipayBillRow } from '../../src/main/gateways/simulator/bills/alipay'
import { unionpayBill, type UnionpayBillRow } from '../../src/main/gateways/simulator/bills/unionpay'
import { wechatBillDownload, type WechatBillRow } from '../../src/main/gateways/simulator/bills/wechat'
import { dispatch } from '../../src/main/services/index'
import { getPayOrder } from '../../src/main/store/orders'
import type { ReconcileRun } from '../../src/shared/statements'
import { bj } from './statements'
import { createWorld, type World } from './world'

// Reconciling in tests: bills written by the simulator's writers (byte for byte what the channels
// send), handed to `statements.reconcile` as a file the person chose, as the command line does.

export const ALIPAY_PID = '20880000000000000156'

/** The merchants of the reconcile tests, one per channel with a bill, named as every test names them. */
const BILL_MERCHANTS = {
  ali: { name: 'ali', channel: 'alipay' },
  wx: { name: 'wx', channel: 'wechat' },
  up: { name: 'up', channel: 'unionpay' },
} as const

/**
 * The reconcile tests' shared setup: call at the top of a test file; each call of the answer opens a
 * fresh world (SQLite in a temp folder, the simulator on loopback) with these merchants, and the world
 * is closed after the test that opened it.
 */
export function reconcileWorlds(
  names: ReadonlyArray<keyof typeof BILL_MERCHANTS> = ['ali', 'wx', 'up'],
): () => Promise<World> {
  let open: World | undefined
  afterEach(async () => {
    await open?.close()
    open = undefined
  })
  return async () => (open = await createWorld({ merchants: names.map((n) => ({ ...BILL_MERCHANTS[n] })) }))
}

/** A statement's differences, as the screens list them. */
export async function diffsOf(w: World, statementId: number) {
  return (await dispatch(w.ctx, 'statements.diffs', { id: statementId })).items
}

/** A statement's current lines, as the screens list them. */
export async function linesOf(w: World, statementId: number) {
  return (await dispatch(w.ctx, 'statements.lines', { id: statementId })).items
}

let serial = 0

function chosen(w: World, name: string, bytes: Buffer): string {
  const file = path.join(w.dir, `${++serial}-${name}`)
  fs.writeFileSync(file, bytes)
  return w.ctx.handles.namedToRead(file).file
}

export interface ReconcileOptions {
  merchant?: string
  dryRun?: boolean
  waitForSyncs?: boolean
}

export function reconcileAlipay(
  w: World,
  date: string,
  rows: AlipayBillRow[],
  o: ReconcileOptions & { pid?: string; truncated?: boolean } = {},
): Promise<ReconcileRun> {
  const bill = alipayBillZip({
    pid: o.pid ?? ALIPAY_PID,
    date,
    exportedAt: bj(`${date} 23:59:59`) + 6 * 3600_000,
    rows,
    truncated: o.truncated,
  })
  return dispatch(w.ctx, 'statements.reconcile', {
    merchant: o.merchant ?? 'ali',
    date,
    file: chosen(w, bill.name, bill.zip),
    dryRun: o.dryRun ?? false,
    waitForSyncs: o.waitForSyncs ?? true,
  })
}

export function reconcileWechat(
  w: World,
  date: string,
  rows: WechatBillRow[],
  o: ReconcileOptions & { mchid?: string; billType?: 'ALL' | 'SUCCESS' | 'REFUND' } = {},
): Promise<ReconcileRun> {
  const bill = wechatBillDownload({
    mchid: o.mchid ?? wechatMchid(w, o.merchant ?? 'wx'),
    billType: o.billType,
    rows,
  })
  return dispatch(w.ctx, 'statements.reconcile', {
    merchant: o.merchant ?? 'wx',
    date,
    file: chosen(w, `wechat-${date}.csv`, bill.file),
    dryRun: o.dryRun ?? false,
    waitForSyncs: o.waitForSyncs ?? true,
  })
}

export function reconcileUnionpay(
  w: World,
  date: string,
  rows: UnionpayBillRow[],
  o: ReconcileOptions = {},
): Promise<ReconcileRun> {
  const merId = merchantSetting(w, o.merchant ?? 'up', 'merId')
  const bill = unionpayBill({ merId, settleDate: date, rows })
  return dispatch(w.ctx, 'statements.reconcile', {
    merchant: o.merchant ?? 'up',
    date,
    file: chosen(w, bill.fileName, bill.zip),
    dryRun: o.dryRun ?? false,
    waitForSyncs: o.waitForSyncs ?? true,
  })
}

export function merchantSetting(w: World, merchant: string, key: string): string {
  const row = w.ctx.db.prepare('SELECT settings FROM merchants WHERE name = ?').get(merchant) as {
    settings: string
  }
  return (JSON.parse(row.settings) as Record<string, string>)[key]!
}

function wechatMchid(w: World, merchant: string): string {
  return merchantSetting(w, merchant, 'mchid')
}

/** Sets public profile settings (statementScope, amountToleranceFen) straight in the store. */
export function setMerchantSettings(w: World, merchant: string, patch: Record<string, string>): void {
  const row = w.ctx.db.prepare('SELECT settings FROM merchants WHERE name = ?').get(merchant) as {
    settings: string
  }
  const next = { ...(JSON.parse(row.settings) as Record<string, string>), ...patch }
  w.ctx.db.prepare('UPDATE merchants SET settings = ? WHERE name = ?').run(JSON.stringify(next), merchant)
  w.ctx.forgetAdapter(w.merchantId(merchant))
}

export function orderStatus(w: World, id: number): string {
  return getPayOrder(w.ctx.db, id)!.status
}

export function syncRecordsOf(w: World, type: 'pay' | 'refund', id: number) {
  return w.ctx.db
    .prepare('SELECT * FROM sync_records WHERE trade_type = ? AND trade_id = ? ORDER BY id')
    .all(type, id) as Array<{
    id: number
    source: string
    outcome: string
    repair_no: string | null
    anomaly_id: number | null
  }>
}

export function anomaliesOf(w: World) {
  return w.ctx.db.prepare('SELECT * FROM anomalies ORDER BY id').all() as Array<{
    id: number
    kind: string
    trade_id: number
    trade_no: string
    status: string
    detail: string
    statement_line_id: number | null
  }>
}
