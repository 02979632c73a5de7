import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { alipayDetailText } from '../../src/main/gateways/simulator/bills/alipay'
import { dispatch } from '../../src/main/services/index'
import { getPayOrder } from '../../src/main/store/orders'
import { getRefundOrder } from '../../src/main/store/refunds'
import { bj, gbk } from '../helpers/statements'
import {
  ALIPAY_PID,
  anomaliesOf,
  diffsOf,
  linesOf,
  orderStatus,
  reconcileAlipay,
  reconcileUnionpay,
  reconcileWechat,
  reconcileWorlds,
  syncRecordsOf,
} from '../helpers/reconcile'
import type { World } from '../helpers/world'

// docs/reconcile.md A2: every defect found in DaxPay 2.0.8, DaxPay 3.0.0-beta4 and Roncoo Pay is a
// test that says it must not happen here.

const D = '2026-10-03'
const open = reconcileWorlds()
let w: World
const world = async () => (w = await open())
const diffs = (id: number) => diffsOf(w, id)
const lines = (id: number) => linesOf(w, id)

describe('A2 defect 1 (DaxPay 2.0.8)', () => {
  it('a local success missing from the bill is local_only (本地有、通道无), never the other direction', async () => {
    await world()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS1',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 10:00:00`),
    })
    const run = await reconcileAlipay(w, D, [], { dryRun: true })
    expect(run.diffs.local_only).toBe(1)
    expect(run.diffs.gateway_only).toBe(0)
  })

  it('refund lines are matched with local refunds at all', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS2',
      amount: 500,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const refund = w.refund({
      merchant: 'ali',
      payOrderId: pay,
      refundNo: 'RF2',
      amount: 500,
      status: 'success',
    })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS2', amount: 500, time: bj(`${D} 08:00:00`) },
      { kind: 'refund', orderNo: 'PS2', refundNo: 'RF2', amount: 500, time: bj(`${D} 09:00:00`) },
    ])
    const refundLine = (await lines(run.statementId!)).find((l) => l.kind === 'refund')
    expect(refundLine).toMatchObject({ matchState: 'matched', refundId: refund })
  })

  it('the title is not compared: another 商品名称 in the bill is still a match', async () => {
    await world()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS3',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS3', amount: 100, subject: '完全不同的商品名称', time: bj(`${D} 08:00:00`) },
    ])
    expect(run.matched).toBe(1)
    expect(run.result).toBe('balanced')
  })

  it('amounts are compared in fen, whatever the scale the file writes: 35.8 is 35.80', async () => {
    await world()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS4',
      amount: 3580,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const text = alipayDetailText({
      pid: ALIPAY_PID,
      date: D,
      exportedAt: bj('2026-10-04 05:00:00'),
      rows: [{ kind: 'pay', orderNo: 'PS4', amount: 3580, time: bj(`${D} 08:00:00`) }],
    }).replace(',35.80,35.80,', ',35.8,35.8,')
    expect(text).toContain(',35.8,35.8,')
    const file = path.join(w.dir, `${ALIPAY_PID}_20261003_业务明细.csv`)
    fs.writeFileSync(file, gbk(text))
    const run = await dispatch(w.ctx, 'statements.reconcile', {
      merchant: 'ali',
      date: D,
      file: w.ctx.handles.namedToRead(file).file,
      waitForSyncs: true,
    })
    expect(run).toMatchObject({ status: 'matched', matched: 1, result: 'balanced' })
  })
})

describe('A2 defect 2 (DaxPay 3.0.0-beta4, the inverted flag)', () => {
  it('a matching trade makes no difference and a mismatching one makes one', async () => {
    await world()
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS5',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    w.payOrder({
      merchant: 'ali',
      orderNo: 'PS6',
      amount: 200,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS5', amount: 100, time: bj(`${D} 08:00:00`) },
      { kind: 'pay', orderNo: 'PS6', amount: 250, time: bj(`${D} 08:00:00`) },
    ])
    const found = await diffs(run.statementId!)
    expect(found.map((d) => [d.orderNo, d.kind])).toEqual([['PS6', 'amount_mismatch']])
    expect(run.matched).toBe(1)
  })
})

describe('A2 defect 3 (DaxPay 3.0.0-beta4, WeChat refunds)', () => {
  it('a PROCESSING refund row is neither CLOSED nor SUCCESS: the local refund under way stays as it is', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'wx',
      orderNo: 'PS7',
      amount: 1000,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const refund = w.refund({
      merchant: 'wx',
      payOrderId: pay,
      refundNo: 'RF7',
      amount: 1000,
      status: 'progress',
    })
    const run = await reconcileWechat(w, D, [
      { kind: 'pay', orderNo: 'PS7', amount: 1000, time: bj(`${D} 08:00:00`) },
      {
        kind: 'refund',
        orderNo: 'PS7',
        refundNo: 'RF7',
        amount: 1000,
        status: 'PROCESSING',
        time: bj(`${D} 09:00:00`),
      },
    ])
    const line = (await lines(run.statementId!)).find((l) => l.kind === 'refund')
    expect(line).toMatchObject({ matchState: 'matched', note: '退款处理中', gatewayStatus: 'PROCESSING' })
    expect(getRefundOrder(w.ctx.db, refund)!.status).toBe('progress')
    expect(syncRecordsOf(w, 'refund', refund)).toHaveLength(0)
  })

  it('the refund amount is 申请退款金额, not 退款金额 (which leaves out 充值券)', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'wx',
      orderNo: 'PS8',
      amount: 1000,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    w.refund({ merchant: 'wx', payOrderId: pay, refundNo: 'RF8', amount: 1000, status: 'success' })
    const run = await reconcileWechat(w, D, [
      { kind: 'pay', orderNo: 'PS8', amount: 1000, time: bj(`${D} 08:00:00`) },
      {
        kind: 'refund',
        orderNo: 'PS8',
        refundNo: 'RF8',
        amount: 1000,
        rechargeCouponRefund: 300,
        time: bj(`${D} 09:00:00`),
      },
    ])
    expect(run.diffs.amount_mismatch).toBe(0)
    expect(run.matched).toBe(2)
  })
})

describe('A2 defect 4 (DaxPay, WeChat filters)', () => {
  it('lines of another appid of the same mchid are kept and matched', async () => {
    await world()
    w.payOrder({
      merchant: 'wx',
      orderNo: 'PS9',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    const run = await reconcileWechat(w, D, [
      { kind: 'pay', orderNo: 'PS9', amount: 100, appid: 'wx0000000000000other', time: bj(`${D} 08:00:00`) },
    ])
    expect(run.matched).toBe(1)
    expect(run.lines.foreign).toBe(0)
  })

  it('a REFUND row whose 交易时间 is weeks earlier is still a line of the day', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'wx',
      orderNo: 'PS10',
      amount: 100,
      status: 'success',
      paidAt: bj('2026-09-10 08:00:00'),
    })
    const refund = w.refund({
      merchant: 'wx',
      payOrderId: pay,
      refundNo: 'RF10',
      amount: 100,
      status: 'success',
    })
    const run = await reconcileWechat(
      w,
      D,
      [
        {
          kind: 'refund',
          orderNo: 'PS10',
          refundNo: 'RF10',
          amount: 100,
          payTime: bj('2026-09-10 08:00:00'),
          time: bj(`${D} 09:00:00`),
        },
      ],
      { billType: 'REFUND' },
    )
    expect(run.lines.refund).toBe(1)
    expect((await lines(run.statementId!))[0]).toMatchObject({ refundId: refund })
  })
})

describe('A2 defects 5 and 6 (money)', () => {
  it('5: an Alipay refund row keeps no negative amount', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'ali',
      orderNo: 'PS11',
      amount: 100,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    w.refund({ merchant: 'ali', payOrderId: pay, refundNo: 'RF11', amount: 100, status: 'success' })
    const run = await reconcileAlipay(w, D, [
      { kind: 'pay', orderNo: 'PS11', amount: 100, time: bj(`${D} 08:00:00`) },
      { kind: 'refund', orderNo: 'PS11', refundNo: 'RF11', amount: 100, time: bj(`${D} 09:00:00`) },
    ])
    const line = (await lines(run.statementId!)).find((l) => l.kind === 'refund')!
    expect(line.amount).toBe(100)
    expect(line.raw).toContain(',-1.00,')
    expect(run.diffs.amount_mismatch).toBe(0)
  })

  it('6: a WeChat refund of 0.29 is 29 fen, not the 28 of parseFloat(x)*100', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'wx',
      orderNo: 'PS12',
      amount: 29,
      status: 'success',
      paidAt: bj(`${D} 08:00:00`),
    })
    w.refund({ merchant: 'wx', payOrderId: pay, refundNo: 'RF12', amount: 29, status: 'success' })
    expect(Math.trunc(parseFloat('0.29') * 100)).toBe(28)
    const run = await reconcileWechat(w, D, [
      { kind: 'pay', orderNo: 'PS12', amount: 29, time: bj(`${D} 08:00:00`) },
      { kind: 'refund', orderNo: 'PS12', refundNo: 'RF12', amount: 29, time: bj(`${D} 09:00:00`) },
    ])
    expect(run.amounts.channelRefund).toBe(29)
    expect(run.matched).toBe(2)
  })
})

describe('A2 defect 7 (DaxPay, files taken unchecked)', () => {
  it('a bill whose details do not add up is refused whole: nothing stored as matched, no sync, no anomaly', async () => {
    await world()
    const id = w.payOrder({ merchant: 'ali', orderNo: 'PS13', amount: 100, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'PS13', amount: 100, state: 'TRADE_SUCCESS' })
    const run = await reconcileAlipay(
      w,
      D,
      [
        { kind: 'pay', orderNo: 'PS13', amount: 100, time: bj(`${D} 08:00:00`) },
        { kind: 'pay', orderNo: 'PS14', amount: 100, time: bj(`${D} 08:00:00`) },
      ],
      { truncated: true },
    )
    expect(run).toMatchObject({ status: 'failed', errorCode: 'STATEMENT_SUMMARY_MISMATCH', result: null })
    expect(w.ctx.db.prepare('SELECT count(*) AS n FROM statement_lines').get()).toEqual({ n: 0 })
    expect(syncRecordsOf(w, 'pay', id)).toHaveLength(0)
    expect(anomaliesOf(w)).toHaveLength(0)
    expect(orderStatus(w, id)).toBe('progress')
  })

  it('a bill of another Alipay account than the one this merchant reconciled before is refused', async () => {
    await world()
    await reconcileAlipay(w, D, [])
    const other = await reconcileAlipay(w, '2026-10-04', [], { pid: '20889999999999999999' })
    expect(other).toMatchObject({ status: 'failed', errorCode: 'STATEMENT_ACCOUNT_MISMATCH' })
  })
})

describe('A2 defect 8 (DaxPay, UnionPay)', () => {
  it('refunds (交易类型 04, 交易代码 S30) are refunds, fields are sliced by GBK bytes, the year rolls back', async () => {
    await world()
    const pay = w.payOrder({
      merchant: 'up',
      orderNo: 'PS15',
      amount: 3580,
      status: 'success',
      paidAt: bj('2026-12-31 23:59:59'),
    })
    const refund = w.refund({
      merchant: 'up',
      payOrderId: pay,
      refundNo: 'RF15',
      amount: 3580,
      status: 'success',
    })
    const run = await reconcileUnionpay(w, '2027-01-01', [
      {
        kind: 'pay',
        orderNo: 'PS15',
        amount: 3580,
        gatewayTradeNo: '512612312359590000001',
        subMerName: '洗衣店一号',
        time: bj('2026-12-31 23:59:59'),
      },
      {
        kind: 'refund',
        orderNo: 'PS15',
        refundNo: 'RF15',
        amount: 3580,
        gatewayTradeNo: '512612312359590000001',
        gatewayRefundNo: '512701010900000000002',
        subMerName: '洗衣店一号',
        time: bj('2027-01-01 09:00:00'),
      },
    ])
    const [payLine, refundLine] = await lines(run.statementId!)
    expect(payLine).toMatchObject({ kind: 'pay', amount: 3580, lineTime: '2026-12-31T23:59:59.000+08:00' })
    expect(refundLine).toMatchObject({
      kind: 'refund',
      refundId: refund,
      matchState: 'matched',
      orderNo: 'PS15',
    })
    expect(run.diffs.amount_mismatch).toBe(0)
  })
})

describe('A2 defect 9 (Roncoo "以银行为准", DaxPay never acting)', () => {
  it('a bill line never changes a trade itself: the verified query decides, and here it says not paid', async () => {
    await world()
    const id = w.payOrder({ merchant: 'ali', orderNo: 'PS16', amount: 100, status: 'progress' })
    w.gatewayOrder({ merchant: 'ali', orderNo: 'PS16', amount: 100, state: 'WAIT_BUYER_PAY' })
    const rows = [{ kind: 'pay' as const, orderNo: 'PS16', amount: 100, time: bj(`${D} 08:00:00`) }]
    const dry = await reconcileAlipay(w, D, rows, { dryRun: true })
    expect(dry.diffs.local_not_success).toBe(1)
    expect(syncRecordsOf(w, 'pay', id)).toHaveLength(0)
    const run = await reconcileAlipay(w, D, rows)
    expect(syncRecordsOf(w, 'pay', id)).toMatchObject([{ source: 'reconcile', outcome: 'waiting' }])
    expect(getPayOrder(w.ctx.db, id)!.status).toBe('progress')
    // Not settled by the sync: the difference stays open, the day unbalanced, for the next run or a person.
    expect((await diffs(run.statementId!))[0]).toMatchObject({
      kind: 'local_not_success',
      action: 'sync_done',
      status: 'open',
    })
    expect(run.result).toBe('unbalanced')
  })
})
