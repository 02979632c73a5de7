import Database from 'better-sqlite3'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  AnomalyKind,
  Channel,
  Outcome,
  PayStatus,
  RefundStatus,
  RepairWay,
} from '../../src/shared/domain'
import type { ListTotals } from '../../src/shared/entity-views'
import type { AnomalyFilter, OrderFilter, RefundFilter, RepairFilter } from '../../src/shared/filters'
import { formatBeijing, parseBeijing, parseBeijingEnd } from '../../src/shared/time'
import { closeAnomaly, listAnomalies, openAnomaly } from '../../src/main/store/anomalies'
import { openStore, type Db } from '../../src/main/store/connection'
import { MIGRATIONS } from '../../src/main/store/migrations'
import {
  casPayOrder,
  fillGatewayTradeNo,
  insertPayOrder,
  listPayOrders,
  markPayOrderSynced,
} from '../../src/main/store/orders'
import { insertSyncRecord, listSyncRecords, syncRecordTotals } from '../../src/main/store/records'
import { insertRefundOrder, listRefundOrders, markRefundOrderSynced } from '../../src/main/store/refunds'
import { insertRepairRecord, listRepairRecords } from '../../src/main/store/repairs'
import { indexTradeNumbers, matchTrades } from '../../src/main/store/trade-search'
import { tempDir } from '../helpers/world'
import { bareMerchant } from '../helpers/bare-merchant'

// Every list's count and sums for its filter (docs/screens.md section 1, issue 14 item 7) come from
// totals the triggers keep; they must equal summing the rows themselves, for every filter and time
// range, after the rows change too. And a number is found by any part of it, in any case (item 12).

const DAY = 86_400_000
const BASE = parseBeijing('2026-11-01 00:00:00')!
const CHANNELS: Channel[] = ['alipay', 'wechat', 'unionpay', 'daxpay']
const PAY: PayStatus[] = ['progress', 'success', 'close', 'fail']
const REFUND: RefundStatus[] = ['progress', 'success', 'close']
const OUTCOMES: Outcome[] = ['consistent', 'waiting', 'repaired', 'error']
const WAYS: RepairWay[] = ['pay_success', 'pay_close_local', 'manual_pay_success']
const KINDS: AnomalyKind[] = ['amount_mismatch', 'paid_after_close', 'sync_keeps_failing']

let seed = 11
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
/** Ten days, with weight on the last and first millisecond of a Beijing day. */
const when = (i: number) =>
  i % 10 === 0
    ? BASE + Math.floor(rand() * 10) * DAY - (i % 20 === 0 ? 1 : 0)
    : BASE + Math.floor(rand() * 10 * DAY)

let db: Db
const payIds: number[] = []
const refundIds: number[] = []

function merchant(name: string): number {
  return bareMerchant(db, name)
}

beforeAll(() => {
  db = openStore(path.join(tempDir(), 'totals.db'))
  merchant('m1')
  merchant('m2')
  db.transaction(() => {
    for (let i = 0; i < 1200; i++) {
      const status = pick(PAY)
      payIds.push(
        insertPayOrder(db, {
          orderNo: `GBK2026${String(i).padStart(6, '0')}`,
          bizOrderNo: i % 3 ? `BIZ-${i}` : `GBK2026${String(i).padStart(6, '0')}`,
          gatewayTradeNo: i % 4 ? `2026112022001${String(i).padStart(6, '0')}` : null,
          merchantId: 1 + (i % 2),
          channel: pick(CHANNELS),
          kind: 'pay',
          title: '',
          amount: 1 + Math.floor(rand() * 100_000),
          status,
          createdAt: when(i),
          expiredAt: null,
          paidAt: null,
          importId: null,
        }),
      )
      if (i % 3 === 0) markPayOrderSynced(db, payIds.at(-1)!, syncMark(pick(OUTCOMES)))
    }
    for (let i = 0; i < 500; i++) {
      refundIds.push(
        insertRefundOrder(db, {
          refundNo: `RF${String(i).padStart(6, '0')}`,
          bizRefundNo: `rf-biz-${i}`,
          gatewayRefundNo: i % 2 ? `50300${String(i).padStart(8, '0')}` : null,
          payOrderId: payIds[i]!,
          merchantId: 1 + (i % 2),
          channel: pick(CHANNELS),
          amount: 1 + Math.floor(rand() * 5_000),
          status: pick(REFUND),
          createdAt: when(i),
          finishedAt: null,
          importId: null,
        }),
      )
      if (i % 2) markRefundOrderSynced(db, refundIds.at(-1)!, syncMark(pick(OUTCOMES)))
    }
    for (let i = 0; i < 600; i++) {
      const refund = i % 5 === 0
      insertRepairRecord(db, {
        repairNo: `R2611${String(i).padStart(8, '0')}`,
        tradeType: refund ? 'refund' : 'pay',
        tradeId: refund ? refundIds[i % 500]! : payIds[i]!,
        tradeNo: refund ? `RF${i}` : `GBK${i}`,
        source: 'batch',
        way: refund ? 'refund_success' : pick(WAYS),
        channel: pick(CHANNELS),
        merchantId: 1 + (i % 2),
        beforeStatus: 'progress',
        afterStatus: 'success',
        remark: null,
        operator: null,
        syncRecordId: null,
        createdAt: when(i),
      })
    }
    for (let i = 0; i < 400; i++) {
      const { id } = openAnomaly(db, {
        tradeType: 'pay',
        tradeId: payIds[i]!,
        tradeNo: `GBK2026${String(i).padStart(6, '0')}`,
        channel: pick(CHANNELS),
        merchantId: 1 + (i % 2),
        kind: pick(KINDS),
        detail: '',
        localStatus: 'progress',
        gatewayStatus: 'TRADE_SUCCESS',
        localAmount: i % 7 ? Math.floor(rand() * 10_000) : null,
        gatewayAmount: i % 5 ? Math.floor(rand() * 10_000) : null,
        answerStatus: 'pay_success',
        gatewayTime: null,
        syncRecordId: null,
        at: when(i),
      })
      if (i % 4 === 0)
        closeAnomaly(db, id, {
          status: 'resolved',
          action: 'acknowledge',
          remark: 'ok',
          operator: null,
          repairNo: null,
          at: BASE,
        })
    }
  })()
})
afterAll(() => db.close())

function syncMark(outcome: Outcome) {
  return { at: BASE, outcome, gatewayStatus: null, errorCount: 0, nextSyncAt: null }
}

const at = () => BASE - DAY + Math.floor(rand() * 12 * DAY)
function randomRange(): { since?: string; until?: string } {
  const write = (ms: number) => {
    const l = pick(['s', 'm', 'd'])
    return l === 's'
      ? formatBeijing(ms)
      : l === 'm'
        ? formatBeijing(ms).slice(0, 16)
        : formatBeijing(ms).slice(0, 10)
  }
  return {
    ...(rand() < 0.6 ? { since: write(at()) } : {}),
    ...(rand() < 0.6 ? { until: write(at()) } : {}),
  }
}

/** Sums the rows one by one, with nothing kept: what every list's totals must agree with. */
function brute(
  table: string,
  time: string,
  conds: Array<[string, ...unknown[]]>,
  range: { since?: string; until?: string },
  sums: { amount: string; gateway?: string },
): ListTotals {
  const where = conds.map(([c]) => c)
  const params = conds.flatMap(([, ...v]) => v)
  if (range.since) {
    where.push(`${time} >= ?`)
    params.push(parseBeijing(range.since))
  }
  if (range.until) {
    where.push(`${time} < ?`)
    params.push(parseBeijingEnd(range.until))
  }
  const gateway = sums.gateway ? `, ifnull(sum(${sums.gateway}), 0) AS gatewayAmount` : ''
  return db
    .prepare(
      `SELECT count(*) AS total, ifnull(sum(${sums.amount}), 0) AS amount${gateway} FROM ${table}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    )
    .get(...params) as ListTotals
}

const totalsOf = (p: ListTotals): ListTotals => ({
  total: p.total,
  amount: p.amount,
  ...(p.gatewayAmount !== undefined ? { gatewayAmount: p.gatewayAmount } : {}),
})

const page = { limit: 5, offset: 0 }

function checkOrders(n: number): void {
  for (let i = 0; i < n; i++) {
    const f: OrderFilter = { ...randomRange() }
    const conds: Array<[string, ...unknown[]]> = []
    if (rand() < 0.3) conds.push(['merchant_id = ?', (f.merchant = pick(['m1', 'm2'])) === 'm1' ? 1 : 2])
    if (rand() < 0.4) conds.push(['channel = ?', (f.channel = pick(CHANNELS))])
    if (rand() < 0.4) conds.push(['status = ?', (f.status = pick(PAY))])
    if (rand() < 0.3) conds.push(['last_sync_outcome = ?', (f.result = pick(OUTCOMES))])
    expect(totalsOf(listPayOrders(db, { ...f, ...page })), JSON.stringify(f)).toEqual(
      brute('pay_orders', 'created_at', conds, f, { amount: 'amount' }),
    )
  }
}

describe('every list shows the count and the sum of its amounts for its filter', () => {
  it('pay orders, also after their status and last result change', () => {
    checkOrders(150)
    db.transaction(() => {
      for (const id of payIds.slice(0, 300)) {
        const row = db.prepare('SELECT status, version FROM pay_orders WHERE id = ?').get(id) as {
          status: PayStatus
          version: number
        }
        if (row.status === 'progress') casPayOrder(db, id, row, { status: 'success', paidAt: BASE }, BASE)
        markPayOrderSynced(db, id, syncMark(pick(OUTCOMES)))
      }
    })()
    checkOrders(150)
  })

  it('refunds', () => {
    for (let i = 0; i < 150; i++) {
      const f: RefundFilter = { ...randomRange() }
      const conds: Array<[string, ...unknown[]]> = []
      if (rand() < 0.3) conds.push(['merchant_id = ?', (f.merchant = pick(['m1', 'm2'])) === 'm1' ? 1 : 2])
      if (rand() < 0.4) conds.push(['channel = ?', (f.channel = pick(CHANNELS))])
      if (rand() < 0.4) conds.push(['status = ?', (f.status = pick(REFUND))])
      if (rand() < 0.3) conds.push(['last_sync_outcome = ?', (f.result = pick(OUTCOMES))])
      if (rand() < 0.05) conds.push(['pay_order_id = ?', (f.payOrderId = payIds[3]!)])
      expect(totalsOf(listRefundOrders(db, { ...f, ...page })), JSON.stringify(f)).toEqual(
        brute('refund_orders', 'created_at', conds, f, { amount: 'amount' }),
      )
    }
  })

  it('repairs, counting a refund repair’s money once', () => {
    for (let i = 0; i < 150; i++) {
      const f: RepairFilter = { ...randomRange() }
      const conds: Array<[string, ...unknown[]]> = []
      if (rand() < 0.3) conds.push(['merchant_id = ?', (f.merchant = pick(['m1', 'm2'])) === 'm1' ? 1 : 2])
      if (rand() < 0.3) conds.push(['trade_type = ?', (f.type = pick(['pay', 'refund'] as const))])
      if (rand() < 0.3) conds.push(['channel = ?', (f.channel = pick(CHANNELS))])
      if (rand() < 0.3) conds.push(['way = ?', (f.way = pick([...WAYS, 'refund_success' as const]))])
      expect(totalsOf(listRepairRecords(db, { ...f, ...page })), JSON.stringify(f)).toEqual(
        brute('repair_records', 'created_at', conds, f, { amount: 'amount' }),
      )
    }
    const refundRepair = listRepairRecords(db, { ...page, type: 'refund' }).items[0]!
    expect(refundRepair.amount).toBe(
      (
        db.prepare('SELECT amount FROM refund_orders WHERE id = ?').get(refundRepair.tradeId) as {
          amount: number
        }
      ).amount,
    )
    // The pay order's row of a refund repair carries no amount: the refund's row holds the money.
    const payId = payIds[0]!
    insertRepairRecord(db, {
      repairNo: 'RPAIR',
      tradeType: 'pay',
      tradeId: payId,
      tradeNo: 'GBK2026000000',
      source: 'batch',
      way: 'refund_success',
      channel: 'alipay',
      merchantId: 1,
      beforeStatus: 'refunding',
      afterStatus: 'refunded',
      remark: null,
      operator: null,
      syncRecordId: null,
      createdAt: BASE,
    })
    expect(listRepairRecords(db, { ...page, no: 'RPAIR' }).items[0]!.amount).toBeNull()
  })

  it('anomalies, local and gateway amounts, also after they are decided', () => {
    const check = () => {
      for (let i = 0; i < 150; i++) {
        const f: AnomalyFilter = { ...randomRange() }
        const conds: Array<[string, ...unknown[]]> = []
        if (rand() < 0.3) conds.push(['merchant_id = ?', (f.merchant = pick(['m1', 'm2'])) === 'm1' ? 1 : 2])
        if (rand() < 0.3) conds.push(['channel = ?', (f.channel = pick(CHANNELS))])
        if (rand() < 0.4) conds.push(['status = ?', (f.status = pick(['open', 'resolved'] as const))])
        if (rand() < 0.3) conds.push(['kind = ?', (f.kind = pick(KINDS))])
        expect(totalsOf(listAnomalies(db, { ...f, ...page })), JSON.stringify(f)).toEqual(
          brute('anomalies', 'created_at', conds, f, { amount: 'local_amount', gateway: 'gateway_amount' }),
        )
      }
    }
    check()
    const open = listAnomalies(db, { limit: 100, offset: 0, status: 'open' }).items
    db.transaction(() => {
      for (const a of open.slice(0, 50))
        closeAnomaly(db, a.id, {
          status: 'dismissed',
          action: 'dismiss',
          remark: 'ok',
          operator: null,
          repairNo: null,
          at: BASE,
        })
      // A later sighting of an open one changes its amounts.
      const a = open[60]!
      openAnomaly(db, {
        tradeType: 'pay',
        tradeId: a.tradeId,
        tradeNo: a.tradeNo,
        channel: a.channel,
        merchantId: a.merchant === 'm1' ? 1 : 2,
        kind: a.kind,
        detail: '',
        localStatus: 'progress',
        gatewayStatus: 'TRADE_SUCCESS',
        localAmount: 123_456,
        gatewayAmount: 654_321,
        answerStatus: 'pay_success',
        gatewayTime: null,
        syncRecordId: null,
        at: BASE + 5 * DAY,
      })
    })()
    check()
  })

  it('orders, removed: their totals and their search go with them', () => {
    const before = listPayOrders(db, page)
    const last = payIds.at(-1)!
    const row = db.prepare('SELECT amount, order_no FROM pay_orders WHERE id = ?').get(last) as {
      amount: number
      order_no: string
    }
    indexTradeNumbers(db)
    db.prepare('DELETE FROM pay_orders WHERE id = ?').run(last)
    const after = listPayOrders(db, page)
    expect(after.total).toBe(before.total - 1)
    expect(after.amount).toBe(before.amount! - row.amount)
    expect(matchTrades(db, 'pay', row.order_no.toLowerCase()).ids).toEqual([])
    // The id is taken again by the next order: it is found under its own number, not the removed one's.
    const again = insertPayOrder(db, {
      orderNo: 'NEWORDER-0001',
      bizOrderNo: 'NEWORDER-0001',
      gatewayTradeNo: null,
      merchantId: 1,
      channel: 'alipay',
      kind: 'pay',
      title: '',
      amount: 5,
      status: 'progress',
      createdAt: BASE,
      expiredAt: null,
      paidAt: null,
      importId: null,
    })
    expect(again).toBe(last)
    indexTradeNumbers(db)
    expect(matchTrades(db, 'pay', 'neworder').ids).toEqual([again])
    expect(matchTrades(db, 'pay', row.order_no).ids).toEqual([])
  })
})

describe('a number is found by any part of it, in any case, on every list', () => {
  const search = () => {
    // The start of a number, typed in lower case.
    const orders = listPayOrders(db, { limit: 50, offset: 0, no: 'gbk202600012' })
    expect(orders.items.map((o) => o.orderNo).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `GBK2026000${120 + i}`),
    )
    // The tail of a gateway number, and the middle of a business number.
    const tail = listPayOrders(db, { ...page, no: '2001001013' })
    expect(tail.items.map((o) => o.gatewayTradeNo)).toEqual(['2026112022001001013'])
    const biz = listPayOrders(db, { limit: 50, offset: 0, no: 'iz-77' }).items.map((o) => o.bizOrderNo)
    expect(biz.sort()).toEqual([
      'BIZ-77',
      'BIZ-770',
      'BIZ-772',
      'BIZ-773',
      'BIZ-775',
      'BIZ-776',
      'BIZ-778',
      'BIZ-779',
    ])
    expect(listRefundOrders(db, { ...page, no: 'rf00012' }).total).toBe(10)
    expect(listRefundOrders(db, { ...page, no: 'RF-BIZ-499' }).items.map((r) => r.refundNo)).toEqual([
      'RF000499',
    ])
    // Two characters are too few for a part: the whole number only.
    expect(listPayOrders(db, { ...page, no: '77' }).total).toBe(0)
  }

  it('before the trigram index has caught up (the rows above its mark are read)', () => {
    db.exec(
      'UPDATE trade_search_marks SET upto = 0; DELETE FROM pay_order_search; DELETE FROM refund_order_search',
    )
    search()
  })

  it('and through the index once it has', () => {
    while (indexTradeNumbers(db, 100));
    expect(db.prepare("SELECT upto FROM trade_search_marks WHERE trade_type = 'pay'").get()).toEqual({
      upto: payIds.at(-1),
    })
    // Nothing above the mark: only the index can find them now.
    search()
  })

  it('a gateway number learned after indexing is found at once', () => {
    const id = payIds[4]!
    expect(matchTrades(db, 'pay', '4208800').ids).toEqual([])
    fillGatewayTradeNo(db, id, '4208800000004')
    expect(matchTrades(db, 'pay', '4208800').ids).toEqual([id])
  })

  it('records, repairs and anomalies through their trade; repairs also by their own number', () => {
    const order = orderByNo('GBK2026000303')
    for (let i = 0; i < 3; i++)
      insertSyncRecord(db, record({ tradeType: 'pay', tradeId: order.id, tradeNo: order.orderNo, at: i }))
    const records = listSyncRecords(db, { ...page, no: 'gbk2026000303' })
    expect(records.total).toBe(3)
    expect(records.items.every((r) => r.tradeId === order.id)).toBe(true)
    expect(listSyncRecords(db, { ...page, no: order.gatewayTradeNo!.slice(-8) }).total).toBe(3)
    expect(listAnomalies(db, { ...page, no: 'gbk2026000303' }).items.map((a) => a.tradeId)).toEqual([
      order.id,
    ])
    expect(listRepairRecords(db, { ...page, no: 'gbk2026000303' }).items.map((r) => r.tradeId)).toEqual([
      order.id,
    ])
    expect(
      listRepairRecords(db, { limit: 50, offset: 0, no: 'r26110000005' })
        .items.map((r) => r.repairNo)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `R26110000005${i}`))
  })

  it('says so when a number is too short to tell more than 10,000 trades apart', () => {
    const m = matchTrades(db, 'pay', 'gbk', 100)
    expect(m.capped).toBe(true)
    expect(m.ids).toHaveLength(100)
    expect(m.ids[0]).toBe(Math.max(...m.ids))
    expect(listPayOrders(db, { ...page, no: 'GBK2026000007' }).capped).toBeUndefined()
  })
})

function orderByNo(no: string): {
  id: number
  orderNo: string
  amount: number
  gatewayTradeNo: string | null
} {
  return db
    .prepare(
      'SELECT id, order_no AS orderNo, amount, gateway_trade_no AS gatewayTradeNo FROM pay_orders WHERE order_no = ?',
    )
    .get(no) as { id: number; orderNo: string; amount: number; gatewayTradeNo: string | null }
}

function record(r: {
  tradeType: 'pay' | 'refund'
  tradeId: number
  tradeNo: string
  at: number
  outcome?: Outcome
  repairNo?: string | null
  errorCode?: string | null
}) {
  return {
    tradeType: r.tradeType,
    tradeId: r.tradeId,
    tradeNo: r.tradeNo,
    bizTradeNo: r.tradeNo,
    gatewayTradeNo: null,
    channel: 'alipay' as const,
    merchantId: 1,
    gatewayStatus: r.outcome === 'consistent' ? ('pay_success' as const) : ('pay_progress' as const),
    gatewayRawStatus: null,
    outcome: r.outcome ?? 'waiting',
    repairNo: r.repairNo ?? null,
    anomalyId: null,
    errorCode: r.errorCode ?? null,
    errorMsg: null,
    clientIp: null,
    operator: null,
    source: 'schedule' as const,
    batchId: null,
    durationMs: 1,
    createdAt: BASE + 3 * DAY + r.at * 60_000,
    syncInfo: null,
    actionInfo: null,
  }
}

describe('sync records carry their trade’s amount and say when they only repeat the one before', () => {
  it('a waiting trade synced every minute shows once with "hide repeats", its changes each time', () => {
    const order = orderByNo('GBK2026000005')
    const trade = { tradeType: 'pay' as const, tradeId: order.id, tradeNo: order.orderNo }
    const outcomes: Array<[Outcome, string | null]> = [
      ['waiting', null],
      ['waiting', null],
      ['waiting', null],
      ['error', 'timeout'],
      ['error', 'timeout'],
      ['error', 'refused'],
      ['waiting', null],
      ['consistent', null],
      ['consistent', null],
    ]
    outcomes.forEach(([outcome, errorCode], i) =>
      insertSyncRecord(db, record({ ...trade, at: 100 + i, outcome, errorCode })),
    )
    const all = listSyncRecords(db, { limit: 50, offset: 0, tradeId: order.id, type: 'pay', sort: 'time' })
    expect(all.items.map((r) => r.repeated)).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
      false,
      false,
      true,
    ])
    expect(all.items.every((r) => r.amount === order.amount)).toBe(true)
    expect(all.amount).toBe(order.amount * 9)
    const shown = listSyncRecords(db, {
      limit: 50,
      offset: 0,
      tradeId: order.id,
      type: 'pay',
      hideRepeats: true,
    })
    expect(shown.total).toBe(5)
    // Kept totals agree with the rows, with repeats left out as with them in.
    for (const hideRepeats of [true, false]) {
      const f = { hideRepeats, since: '2026-11-03 12:00', until: '2026-11-05' }
      expect(syncRecordTotals(db, f)).toEqual(
        brute('sync_records', 'created_at', hideRepeats ? [['repeated = 0']] : [], f, { amount: 'amount' }),
      )
    }
  })
})

describe('lists sort by amount and by time, server-side', () => {
  it('orders by amount both ways and oldest first, and the same on a deep page', () => {
    const desc = listPayOrders(db, { limit: 1000, offset: 0, sort: '-amount' }).items.map((o) => o.amount)
    expect(desc).toEqual([...desc].sort((a, b) => b - a))
    const asc = listPayOrders(db, { limit: 20, offset: 100, status: 'success', sort: 'amount' }).items
    const all = (
      db
        .prepare("SELECT amount FROM pay_orders WHERE status = 'success' ORDER BY amount, id")
        .all() as Array<{
        amount: number
      }>
    ).map((r) => r.amount)
    expect(asc.map((o) => o.amount)).toEqual(all.slice(100, 120))
    const oldest = listPayOrders(db, { limit: 5, offset: 0, sort: 'time' }).items.map((o) => o.createdAt)
    expect(oldest).toEqual([...oldest].sort())
  })

  it('anomalies by local amount, refunds and repairs by amount', () => {
    const a = listAnomalies(db, { limit: 50, offset: 0, sort: '-amount', status: 'open' }).items
    expect(a.map((x) => x.localAmount ?? -1)).toEqual(a.map((x) => x.localAmount ?? -1).sort((p, q) => q - p))
    const r = listRefundOrders(db, { limit: 50, offset: 0, sort: 'amount' }).items.map((x) => x.amount)
    expect(r).toEqual([...r].sort((p, q) => p - q))
    const rep = listRepairRecords(db, { limit: 50, offset: 0, sort: '-amount' }).items.map(
      (x) => x.amount ?? -1,
    )
    expect(rep).toEqual([...rep].sort((p, q) => q - p))
  })

  it('a large filter sorted by amount walks the amount index instead of sorting all its rows', () => {
    const big = openStore(path.join(tempDir(), 'sort.db'))
    const m = bareMerchant(big, 'm')
    big.transaction(() => {
      for (let i = 0; i < 25_000; i++)
        insertPayOrder(big, {
          orderNo: `O${i}`,
          bizOrderNo: `O${i}`,
          gatewayTradeNo: null,
          merchantId: m,
          channel: 'alipay',
          kind: 'pay',
          title: '',
          amount: (i * 7919) % 100_000,
          status: i % 10 ? 'success' : 'progress',
          createdAt: BASE + i,
          expiredAt: null,
          paidAt: null,
          importId: null,
        })
    })()
    const seen: string[] = []
    const prepare = big.prepare.bind(big)
    ;(big as { prepare: typeof big.prepare }).prepare = ((sql: string) => {
      seen.push(sql)
      return prepare(sql)
    }) as typeof big.prepare
    const rows = listPayOrders(big, { limit: 10, offset: 0, status: 'success', sort: '-amount' }).items
    expect(rows.map((o) => o.id)).toEqual(
      (
        prepare(
          "SELECT id FROM pay_orders WHERE status = 'success' ORDER BY amount DESC, id DESC LIMIT 10",
        ).all() as Array<{ id: number }>
      ).map((r) => r.id),
    )
    const listSql = seen.find((s) => /ORDER BY p.amount DESC/.test(s))!
    const plan = (prepare(`EXPLAIN QUERY PLAN ${listSql}`).all('success', 10, 0) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join(' | ')
    expect(plan).toMatch(/idx_pay_orders_amount/)
    expect(plan).not.toMatch(/TEMP B-TREE/)
    big.close()
  })
})

describe('migration 005 on a database that has lists already', () => {
  it('gives records and repairs their trades’ amounts, marks repeats and builds the totals', () => {
    const file = path.join(tempDir(), 'v4.db')
    const raw = new Database(file)
    for (const step of MIGRATIONS.slice(0, 4)) step(raw)
    raw.pragma('user_version = 4')
    raw.exec(`
      INSERT INTO merchants (name, channel, endpoint, created_at, updated_at) VALUES ('m1', 'alipay', 'https://x', 1, 1);
      INSERT INTO pay_orders (order_no, biz_order_no, merchant_id, channel, amount, status, refundable_amount, created_at, updated_at)
        VALUES ('OLD-0001', 'OLD-0001', 1, 'alipay', 1250, 'progress', 0, ${BASE}, 1),
               ('OLD-0002', 'OLD-0002', 1, 'alipay', 800, 'success', 800, ${BASE + DAY}, 1);
      INSERT INTO sync_records (trade_type, trade_id, trade_no, biz_trade_no, channel, merchant_id, gateway_status, outcome, source, duration_ms, created_at)
        VALUES ('pay', 1, 'OLD-0001', 'OLD-0001', 'alipay', 1, 'pay_progress', 'waiting', 'schedule', 1, ${BASE}),
               ('pay', 1, 'OLD-0001', 'OLD-0001', 'alipay', 1, 'pay_progress', 'waiting', 'schedule', 1, ${BASE + 60_000}),
               ('pay', 2, 'OLD-0002', 'OLD-0002', 'alipay', 1, 'pay_success', 'consistent', 'batch', 1, ${BASE + DAY});
      INSERT INTO repair_records (repair_no, trade_type, trade_id, trade_no, source, way, channel, merchant_id, before_status, after_status, created_at)
        VALUES ('R1', 'pay', 2, 'OLD-0002', 'batch', 'pay_success', 'alipay', 1, 'progress', 'success', ${BASE + DAY});
    `)
    raw.close()
    const v5 = openStore(file)
    const records = listSyncRecords(v5, { limit: 10, offset: 0, sort: 'time' })
    expect(records.items.map((r) => [r.amount, r.repeated])).toEqual([
      [1250, false],
      [1250, true],
      [800, false],
    ])
    expect(records.amount).toBe(3300)
    expect(listSyncRecords(v5, { limit: 10, offset: 0, hideRepeats: true }).total).toBe(2)
    expect(listRepairRecords(v5, page).amount).toBe(800)
    expect(listPayOrders(v5, { ...page, status: 'success' })).toMatchObject({ total: 1, amount: 800 })
    expect(listPayOrders(v5, { ...page, since: '2026-11-01', until: '2026-11-01' }).amount).toBe(1250)
    // The old orders are found by a part of their numbers before and after indexing.
    expect(listPayOrders(v5, { ...page, no: 'old-00' }).total).toBe(2)
    indexTradeNumbers(v5)
    expect(listPayOrders(v5, { ...page, no: 'D-0002' }).items.map((o) => o.orderNo)).toEqual(['OLD-0002'])
    v5.close()
  })
})
