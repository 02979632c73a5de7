import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ServiceContext } from '../../src/main/services/context'
import { exportCsv } from '../../src/main/services/export'
import { schedulerOf } from '../../src/main/services/host'
import { dispatch } from '../../src/main/services/index'
import { createWorld, type World } from '../helpers/world'

// Who did it (review L3, issue 14 item 16): the operator name is whatever a person typed in 设置, so
// every repair, anomaly decision and audit row also records what no one can type in, the computer's
// user and the transport (electron, http, cli, schedule). Repairs made by the app's schedule named
// no one at all, and a change of the operator name was recorded under the new name.

let w: World
/** The desktop app and browser mode on the same database, each run by the computer's user zhang.san. */
let app: ServiceContext
let browser: ServiceContext

beforeAll(async () => {
  w = await createWorld({ merchants: [{ name: 'ali', channel: 'alipay' }] })
  const on = (transport: 'electron' | 'http') =>
    new ServiceContext({ dbFile: w.dbFile, transport, systemUser: 'zhang.san', retry: w.ctx.retry })
  app = on('electron')
  browser = on('http')
  await dispatch(app, 'settings.set', { operatorName: '李会计' })
})
afterAll(async () => {
  await app.close()
  await browser.close()
  await w.close()
})

type Who = { operator: string | null; system_user: string | null; transport: string | null }
const repairOf = (tradeId: number) =>
  w.ctx.db
    .prepare('SELECT operator, system_user, transport FROM repair_records WHERE trade_id = ? ORDER BY id')
    .all(tradeId) as Who[]
const lastAudit = (action: string) =>
  w.ctx.db
    .prepare(
      'SELECT operator, system_user, transport, detail FROM audit_log WHERE action = ? ORDER BY id DESC',
    )
    .get(action) as Who & { detail: string }

/** A trade the gateway has paid while it waits here: syncing it repairs it. */
function paidAtGateway(orderNo: string, due = false): number {
  const id = w.payOrder({ merchant: 'ali', orderNo })
  w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
  if (due) w.ctx.db.prepare('UPDATE pay_orders SET next_sync_at = ? WHERE id = ?').run(Date.now() - 1, id)
  return id
}

describe('every row names who and how', () => {
  it("the app's schedule: its operator and the computer's user, by the schedule", async () => {
    const id = paidAtGateway('WHO-SCHED', true)
    await schedulerOf(app).runOnce()
    expect(repairOf(id)).toEqual([{ operator: '李会计', system_user: 'zhang.san', transport: 'schedule' }])
    const view = (await dispatch(app, 'repairs.list', { tradeId: id, type: 'pay' })).items[0]!
    expect(view).toMatchObject({ operator: '李会计', systemUser: 'zhang.san', transport: 'schedule' })
  })

  it('a sync clicked in browser mode, and a batch started in the window', async () => {
    const clicked = paidAtGateway('WHO-HTTP')
    await dispatch(browser, 'orders.sync', { ids: [clicked] })
    expect(repairOf(clicked)).toEqual([{ operator: '李会计', system_user: 'zhang.san', transport: 'http' }])

    const batched = paidAtGateway('WHO-BATCH')
    const batch = await dispatch(app, 'batches.start', { type: 'pay', ids: [batched] })
    for (let i = 0; i < 200 && (await dispatch(app, 'batches.get', { id: batch.id })).status !== 'done'; i++)
      await new Promise((r) => setTimeout(r, 25))
    expect(repairOf(batched)).toEqual([
      { operator: '李会计', system_user: 'zhang.san', transport: 'electron' },
    ])
    expect(lastAudit('batch_started')).toMatchObject({ system_user: 'zhang.san', transport: 'electron' })
  })

  it("a person's decision on an anomaly: on the anomaly, its repair and the audit row", async () => {
    const orderNo = 'WHO-DECIDE'
    const id = w.payOrder({ merchant: 'ali', orderNo, status: 'close' })
    w.gatewayOrder({ merchant: 'ali', orderNo, amount: 1000, state: 'TRADE_SUCCESS' })
    const found = await w.ctx.engine.syncPay(id, { source: 'manual' })
    const decided = await dispatch(browser, 'anomalies.resolve', {
      id: found.anomalyId!,
      action: 'mark_paid',
      remark: '买家已付，补单',
    })
    expect(decided).toMatchObject({ operator: '李会计', systemUser: 'zhang.san', transport: 'http' })
    expect(repairOf(id)).toEqual([{ operator: '李会计', system_user: 'zhang.san', transport: 'http' }])
    for (const action of ['anomaly_resolved', 'manual_repair'])
      expect(lastAudit(action), action).toMatchObject({
        operator: '李会计',
        system_user: 'zhang.san',
        transport: 'http',
      })
  })

  it('a change of the operator name is audited under the old name, with the old and the new', async () => {
    await dispatch(browser, 'settings.set', { operatorName: '王会计 (finance lead)' })
    const row = lastAudit('settings_changed')
    expect(row).toMatchObject({ operator: '李会计', system_user: 'zhang.san', transport: 'http' })
    expect(JSON.parse(row.detail)).toEqual({
      operatorName: { from: '李会计', to: '王会计 (finance lead)' },
    })
    await dispatch(browser, 'settings.set', { operatorName: '李会计' })
  })

  it('a profile change in the window', async () => {
    await dispatch(app, 'merchants.setEnabled', { id: w.merchantId('ali'), enabled: true })
    expect(lastAudit('merchant_changed')).toMatchObject({
      operator: '李会计',
      system_user: 'zhang.san',
      transport: 'electron',
    })
  })

  it('the repairs and anomalies exports say who and how, in words', async () => {
    const read = (file: string) =>
      parse(fs.readFileSync(file, 'utf8').slice(1), { columns: true }) as Array<Record<string, string>>
    const repairs = path.join(w.dir, 'repairs.csv')
    await exportCsv(w.ctx, { kind: 'repairs', file: repairs, filter: {} })
    const byNo = new Map(read(repairs).map((r) => [r['交易号'], r]))
    expect(byNo.get('WHO-SCHED')).toMatchObject({ 操作人: '李会计', 系统用户: 'zhang.san', 方式: '定时任务' })
    expect(byNo.get('WHO-HTTP')).toMatchObject({ 方式: '浏览器' })
    expect(byNo.get('WHO-BATCH')).toMatchObject({ 方式: '桌面应用' })

    const anomalies = path.join(w.dir, 'anomalies.csv')
    await exportCsv(w.ctx, { kind: 'anomalies', file: anomalies, filter: {} })
    expect(read(anomalies).find((r) => r['交易号'] === 'WHO-DECIDE')).toMatchObject({
      操作人: '李会计',
      系统用户: 'zhang.san',
      方式: '浏览器',
    })
  })
})
