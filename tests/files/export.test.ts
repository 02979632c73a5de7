import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cell, guardText } from '../../src/main/files/export/csv'
import { exportCsv } from '../../src/main/services/export'
import { openAnomaly } from '../../src/main/store/anomalies'
import { createWorld, type World } from '../helpers/world'

let w: World
beforeAll(async () => {
  w = await createWorld()
  const now = Date.UTC(2026, 10, 20, 2, 0, 0)
  w.payOrder({
    merchant: 'ali',
    orderNo: '=HYPERLINK("http://evil")',
    amount: 123456,
    status: 'success',
    createdAt: now,
    gatewayTradeNo: '2026112022001400000000000001',
  })
  w.payOrder({ merchant: 'ali', orderNo: 'EXP-2', amount: 5, status: 'progress', createdAt: now + 1000 })
  w.ctx.db.prepare("UPDATE pay_orders SET title = '-cmd|calc' WHERE order_no = 'EXP-2'").run()
})
afterAll(async () => {
  await w.close()
})

describe('CSV export for accounting', () => {
  it('UTF-8 with BOM, CRLF, Chinese headers with units, yuan with two decimals, Beijing time', async () => {
    const out = path.join(w.dir, 'orders.csv')
    const r = await exportCsv(w.ctx, { kind: 'orders', file: out, filter: {} })
    expect(r.rows).toBe(2)
    const bytes = fs.readFileSync(out)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString('utf8').slice(1)
    expect(text.split('\r\n').length).toBe(4)
    expect(text).not.toMatch(/[^\r]\n/)
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>
    expect(Object.keys(rows[0]!)).toEqual(
      expect.arrayContaining(['商户订单号', '金额(元)', '订单状态', '创建时间(北京时间)']),
    )
    const first = rows.find((x) => x['商户订单号']!.includes('HYPERLINK'))!
    expect(first['金额(元)']).toBe('1234.56')
    expect(first['创建时间(北京时间)']).toBe('2026-11-20 10:00:00')
    expect(first['订单状态']).toBe('成功')
    // Formula guard on text cells; long numbers kept whole as text.
    expect(first['商户订单号']).toBe(`'=HYPERLINK("http://evil")`)
    expect(first['网关订单号']).toBe('2026112022001400000000000001\t')
    const second = rows.find((x) => x['商户订单号'] === 'EXP-2')!
    expect(second['金额(元)']).toBe('0.05')
    expect(second['订单标题']).toBe("'-cmd|calc")
  })

  it('exports a filter only, and an empty result as headers alone', async () => {
    const out = path.join(w.dir, 'filtered.csv')
    expect((await exportCsv(w.ctx, { kind: 'orders', file: out, filter: { status: 'progress' } })).rows).toBe(
      1,
    )
    expect((await exportCsv(w.ctx, { kind: 'records', file: out, filter: { result: 'error' } })).rows).toBe(0)
    expect(fs.readFileSync(out, 'utf8').split('\r\n').filter(Boolean)).toHaveLength(1)
  })

  it('ends with a 合计 line when asked: the count, and each amount column summed as a number', async () => {
    const out = path.join(w.dir, 'total.csv')
    const plain = await exportCsv(w.ctx, { kind: 'orders', file: out, filter: {} })
    const lines = fs.readFileSync(out, 'utf8').split('\r\n')
    expect(lines.at(-2)).not.toMatch(/合计/)
    const r = await exportCsv(w.ctx, { kind: 'orders', file: out, filter: {}, total: true })
    expect(r.rows).toBe(plain.rows)
    const rows = parse(fs.readFileSync(out, 'utf8').slice(1), { columns: true }) as Array<
      Record<string, string>
    >
    const total = rows.at(-1)!
    expect(total['订单ID']).toBe('合计（2 条）')
    expect(total['金额(元)']).toBe('1234.61')
    expect(total['可退金额(元)']).toBe('1234.56')
    expect(total['商户订单号']).toBe('')
    // A filter's total is that filter's.
    await exportCsv(w.ctx, { kind: 'orders', file: out, filter: { status: 'progress' }, total: true })
    const progress = parse(fs.readFileSync(out, 'utf8').slice(1), { columns: true }) as Array<
      Record<string, string>
    >
    expect(progress.at(-1)).toMatchObject({ 订单ID: '合计（1 条）', '金额(元)': '0.05' })
    // Sync records name their trade's amount, as the last column.
    await w.ctx.engine.syncPay(
      (w.ctx.db.prepare("SELECT id FROM pay_orders WHERE order_no = 'EXP-2'").get() as { id: number }).id,
      { source: 'manual' },
    )
    await exportCsv(w.ctx, { kind: 'records', file: out, filter: {}, total: true })
    const records = parse(fs.readFileSync(out, 'utf8').slice(1), { columns: true }) as Array<
      Record<string, string>
    >
    expect(Object.keys(records[0]!).at(-1)).toBe('金额(元)')
    expect(records[0]!['金额(元)']).toBe('0.05')
    expect(records.at(-1)).toMatchObject({ 同步记录ID: '合计（1 条）', '金额(元)': '0.05' })
  })

  it('says clearly when it cannot write', async () => {
    await expect(
      exportCsv(w.ctx, { kind: 'orders', file: path.join(w.dir, 'no/such/dir/x.csv'), filter: {} }),
    ).rejects.toThrow(/folder does not exist/)
    await expect(
      exportCsv(w.ctx, { kind: 'orders', file: path.join(w.dir, 'x.txt'), filter: {} }),
    ).rejects.toThrow(/\.csv/)
  })

  it('guards every formula trigger, and only text cells', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\t1', '\r1', '＝1', '＋1', '－1', '＠1'])
      expect(guardText(s)).toBe(`'${s}`)
    expect(guardText('普通文本')).toBe('普通文本')
    expect(cell('yuan', -3580)).toBe('-35.80')
    expect(cell('id', '123456789012345678')).toBe('123456789012345678\t')
    expect(cell('id', '12345')).toBe('12345')
  })
})

describe('statuses in the repairs and anomalies exports', () => {
  // Repairs and anomalies made by real syncs against the simulator: what the engine stores is what
  // the export must name. A world of its own, so the orders counted above stay two.
  let v: World
  beforeAll(async () => {
    v = await createWorld()
    const pay = v.payOrder({ merchant: 'ali', orderNo: 'RP-PAY', amount: 1000, status: 'progress' })
    v.gatewayOrder({ merchant: 'ali', orderNo: 'RP-PAY', amount: 1000, state: 'TRADE_SUCCESS' })
    expect((await v.ctx.engine.syncPay(pay, { source: 'manual' })).outcome).toBe('repaired')

    const refunded = v.payOrder({ merchant: 'ali', orderNo: 'RP-RF', amount: 1000, status: 'success' })
    v.gatewayOrder({ merchant: 'ali', orderNo: 'RP-RF', amount: 1000, state: 'TRADE_SUCCESS' })
    const refund = v.refund({ merchant: 'ali', payOrderId: refunded, refundNo: 'RP-RF-R', amount: 400 })
    v.gatewayRefund({
      merchant: 'ali',
      orderNo: 'RP-RF',
      refundNo: 'RP-RF-R',
      amount: 400,
      state: 'REFUND_SUCCESS',
    })
    expect((await v.ctx.engine.syncRefund(refund, { source: 'manual' })).outcome).toBe('repaired')

    const mismatch = v.payOrder({ merchant: 'ali', orderNo: 'AN-PAY', amount: 15000, status: 'progress' })
    v.gatewayOrder({ merchant: 'ali', orderNo: 'AN-PAY', amount: 1500, state: 'TRADE_SUCCESS' })
    expect((await v.ctx.engine.syncPay(mismatch, { source: 'manual' })).outcome).toBe('anomaly')

    const closedPay = v.payOrder({ merchant: 'ali', orderNo: 'AN-RF', amount: 5000, status: 'success' })
    v.gatewayOrder({ merchant: 'ali', orderNo: 'AN-RF', amount: 5000, state: 'TRADE_SUCCESS' })
    const closed = v.refund({
      merchant: 'ali',
      payOrderId: closedPay,
      refundNo: 'AN-RF-R',
      amount: 2000,
      status: 'close',
    })
    v.gatewayRefund({
      merchant: 'ali',
      orderNo: 'AN-RF',
      refundNo: 'AN-RF-R',
      amount: 2000,
      state: 'REFUND_SUCCESS',
    })
    expect((await v.ctx.engine.syncRefund(closed, { source: 'manual' })).outcome).toBe('anomaly')

    // A trade whose syncs keep failing carries our own code, not a gateway word: reaching it through
    // the engine takes the error threshold's twenty failed syncs, so it is opened as the engine opens it.
    const failing = v.payOrder({ merchant: 'ali', orderNo: 'AN-ERR', amount: 300, status: 'progress' })
    openAnomaly(v.ctx.db, {
      tradeType: 'pay',
      tradeId: failing,
      tradeNo: 'AN-ERR',
      channel: 'alipay',
      merchantId: v.merchantId('ali'),
      kind: 'sync_keeps_failing',
      detail: 'keeps failing',
      localStatus: 'progress',
      gatewayStatus: 'sync_error',
      localAmount: 300,
      gatewayAmount: null,
      answerStatus: 'sync_error',
      gatewayTime: null,
      syncRecordId: null,
      at: Date.now(),
    })
  })
  afterAll(async () => {
    await v.close()
  })

  async function exported(kind: 'repairs' | 'anomalies'): Promise<Array<Record<string, string>>> {
    const out = path.join(v.dir, `${kind}.csv`)
    await exportCsv(v.ctx, { kind, file: out, filter: {} })
    return parse(fs.readFileSync(out, 'utf8').slice(1), { columns: true }) as Array<Record<string, string>>
  }

  it('repairs: before and after by their names, a pay status, a refund status or a pay order refund status', async () => {
    const rows = await exported('repairs')
    const change = (tradeNo: string) => {
      const r = rows.find((x) => x['交易号'] === tradeNo)!
      return [r['修复前状态'], r['修复后状态']]
    }
    expect(rows).toHaveLength(3)
    expect(change('RP-PAY')).toEqual(['支付中', '成功'])
    // The same codes (progress, success) on a refund name the refund's statuses.
    expect(change('RP-RF-R')).toEqual(['退款中', '退款成功'])
    // The refund's pay order: its refund status moved.
    expect(change('RP-RF')).toEqual(['退款中', '部分退款'])
  })

  it('anomalies: the local status by its name for pay and refund, the gateway status by its name where it has one', async () => {
    const rows = await exported('anomalies')
    const status = (tradeNo: string) => {
      const a = rows.find((x) => x['交易号'] === tradeNo)!
      return [a['本地状态'], a['网关状态']]
    }
    expect(rows).toHaveLength(3)
    // The gateway's own word stays as it is, as on the anomaly list.
    expect(status('AN-PAY')).toEqual(['支付中', 'TRADE_SUCCESS'])
    expect(status('AN-RF-R')).toEqual(['退款关闭', 'REFUND_SUCCESS'])
    expect(status('AN-ERR')).toEqual(['支付中', '同步失败'])
  })
})
