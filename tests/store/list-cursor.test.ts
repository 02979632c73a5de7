import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { audit, listAudit } from '../../src/main/store/audit'
import { listAnomalies, openAnomaly } from '../../src/main/store/anomalies'
import { openStore, type Db } from '../../src/main/store/connection'
import { insertPayOrder, listPayOrders } from '../../src/main/store/orders'
import { insertSyncRecord, listSyncRecords } from '../../src/main/store/records'
import { insertRefundOrder, listRefundOrders } from '../../src/main/store/refunds'
import { insertRepairRecord, listRepairRecords } from '../../src/main/store/repairs'
import type { Channel } from '../../src/shared/domain'
import {
  anomalyListSchema,
  auditListSchema,
  LIST_SORTS,
  orderListSchema,
  recordListSchema,
  refundListSchema,
  repairListSchema,
  type ListSort,
} from '../../src/shared/filters'
import { describeIssues } from '../../src/shared/validation'
import { tempDir } from '../helpers/world'
import { bareMerchant } from '../helpers/bare-merchant'

// `--json --all` and the API's `after` go on from the last row of the page before (docs/cli.md
// section 1.3). Against the same list read whole, in every order: the rows come in the same order,
// none missed and none twice, across ties of the sort key (trades imported in one millisecond, one
// amount for many) and across the rows without an amount, which SQLite sorts first ascending and
// last descending.

const T0 = Date.parse('2026-11-20T10:00:00+08:00')
/** Few times and few amounts: long runs of ties in every order. */
const time = (i: number) => T0 + (i % 5) * 1000
const amount = (i: number) => 100 * (1 + (i % 4))
const CHANNELS: Channel[] = ['alipay', 'wechat']

let db: Db
const pay: number[] = []
const refunds: number[] = []

beforeAll(() => {
  db = openStore(path.join(tempDir(), 'cursor.db'))
  for (const name of ['m1', 'm2']) bareMerchant(db, name)
  db.transaction(() => {
    for (let i = 0; i < 130; i++)
      pay.push(
        insertPayOrder(db, {
          orderNo: `C${i}`,
          bizOrderNo: `CB${i}`,
          gatewayTradeNo: null,
          merchantId: 1 + (i % 2),
          channel: CHANNELS[i % 2]!,
          kind: 'pay',
          title: '',
          amount: amount(i),
          status: i % 3 ? 'progress' : 'success',
          createdAt: time(i),
          expiredAt: null,
          paidAt: null,
          importId: null,
        }),
      )
    for (let i = 0; i < 90; i++)
      refunds.push(
        insertRefundOrder(db, {
          refundNo: `CR${i}`,
          bizRefundNo: `CRB${i}`,
          gatewayRefundNo: null,
          payOrderId: pay[i]!,
          merchantId: 1 + (i % 2),
          channel: CHANNELS[i % 2]!,
          amount: amount(i + 1),
          status: 'progress',
          createdAt: time(i + 2),
          finishedAt: null,
          importId: null,
        }),
      )
    for (let i = 0; i < 150; i++) {
      // A trade id that names no trade gives a record or repair without an amount: one in six.
      const tradeId = i % 6 ? pay[i % pay.length]! : 99_000 + i
      insertSyncRecord(db, {
        tradeType: 'pay',
        tradeId,
        tradeNo: `C${i}`,
        bizTradeNo: `CB${i}`,
        gatewayTradeNo: null,
        channel: CHANNELS[i % 2]!,
        merchantId: 1 + (i % 2),
        gatewayStatus: 'pay_success',
        gatewayRawStatus: null,
        outcome: i % 4 ? 'consistent' : 'error',
        repairNo: null,
        anomalyId: null,
        errorCode: null,
        errorMsg: null,
        clientIp: null,
        operator: null,
        source: 'batch',
        batchId: null,
        durationMs: 1,
        createdAt: time(i),
        syncInfo: null,
        actionInfo: null,
      })
      insertRepairRecord(db, {
        repairNo: `RC${i}`,
        tradeType: 'pay',
        tradeId,
        tradeNo: `C${i}`,
        source: 'batch',
        way: 'pay_success',
        channel: CHANNELS[i % 2]!,
        merchantId: 1 + (i % 2),
        beforeStatus: 'progress',
        afterStatus: 'success',
        remark: null,
        operator: null,
        syncRecordId: null,
        createdAt: time(i),
      })
    }
    for (let i = 0; i < 120; i++)
      openAnomaly(db, {
        tradeType: 'pay',
        tradeId: pay[i]!,
        tradeNo: `C${i}`,
        channel: CHANNELS[i % 2]!,
        merchantId: 1 + (i % 2),
        kind: 'amount_mismatch',
        detail: '',
        localStatus: 'progress',
        gatewayStatus: 'TRADE_SUCCESS',
        localAmount: i % 5 ? amount(i) : null,
        gatewayAmount: 1,
        answerStatus: 'pay_success',
        gatewayTime: null,
        syncRecordId: null,
        at: time(i),
      })
    for (let i = 0; i < 70; i++)
      audit(db, { operator: 'op', action: i % 2 ? 'settings_changed' : 'export_written' }, time(i))
  })()
})
afterAll(() => db.close())

interface Listed {
  items: Array<{ id: number }>
  next?: string
}

/** A list as the contract serves it: the input through its schema, then the store. */
interface List {
  schema: z.ZodType
  read: (db: Db, request: never) => Listed
  filters: Array<Record<string, unknown>>
  sorts: readonly ListSort[]
}

const LISTS: Record<string, List> = {
  records: {
    schema: recordListSchema,
    read: listSyncRecords,
    filters: [{}, { channel: 'wechat' }, { result: 'error' }],
    sorts: LIST_SORTS,
  },
  orders: {
    schema: orderListSchema,
    read: listPayOrders,
    filters: [{}, { status: 'progress' }, { merchant: 'm2' }],
    sorts: LIST_SORTS,
  },
  refunds: {
    schema: refundListSchema,
    read: listRefundOrders,
    filters: [{}, { channel: 'alipay' }],
    sorts: LIST_SORTS,
  },
  repairs: {
    schema: repairListSchema,
    read: listRepairRecords,
    filters: [{}, { merchant: 'm1' }],
    sorts: LIST_SORTS,
  },
  anomalies: {
    schema: anomalyListSchema,
    read: listAnomalies,
    filters: [{}, { channel: 'wechat' }],
    sorts: LIST_SORTS,
  },
  audit: {
    schema: auditListSchema,
    read: listAudit,
    filters: [{}, { event: 'settings_changed' }],
    sorts: ['-time'],
  },
}

const ask = (list: List, input: Record<string, unknown>): Listed =>
  list.read(db, list.schema.parse(input) as never)

/** Page after page of `limit` rows, each from the `next` of the one before; the pages it took. */
function byCursor(
  list: List,
  input: Record<string, unknown>,
  limit: number,
): { ids: number[]; pages: number } {
  const ids: number[] = []
  let pages = 0
  let after: string | undefined
  for (;;) {
    const page = ask(list, { ...input, limit, ...(after ? { after } : {}) })
    pages++
    expect(page.items.length, 'a page with a next is full').toBe(page.next ? limit : page.items.length)
    ids.push(...page.items.map((r) => r.id))
    if (!page.next) return { ids, pages }
    after = page.next
    expect(pages).toBeLessThan(1000)
  }
}

describe('a list paged by cursor', () => {
  for (const [name, list] of Object.entries(LISTS))
    it(`${name}: the same rows in the same order as the list read whole, in every order`, () => {
      for (const filter of list.filters)
        for (const sort of list.sorts) {
          const input = name === 'audit' ? filter : { ...filter, sort }
          const whole = list
            .read(db, { ...(list.schema.parse(input) as object), limit: 100_000 } as never)
            .items.map((r) => r.id)
          expect(whole.length, `${name} ${JSON.stringify(input)}`).toBeGreaterThan(10)
          for (const limit of [1, 7, 50]) {
            const paged = byCursor(list, input, limit)
            expect(paged.ids, `${name} ${JSON.stringify(input)} by ${limit}`).toEqual(whole)
            // No empty page at the end: a full last page says it is the last.
            expect(paged.pages).toBe(Math.max(1, Math.ceil(whole.length / limit)))
          }
          // And the same as pages counted by offset.
          const byOffset: number[] = []
          for (let offset = 0; offset < whole.length; offset += 7)
            byOffset.push(...ask(list, { ...input, limit: 7, offset }).items.map((r) => r.id))
          expect(byOffset).toEqual(whole)
        }
    })

  it('has rows without an amount to cross, and ties in every key', () => {
    const records = listSyncRecords(db, { limit: 1000, offset: 0 }).items
    expect(records.filter((r) => r.amount === null).length).toBeGreaterThan(10)
    expect(new Set(records.map((r) => r.createdAt)).size).toBe(5)
    const anomalies = listAnomalies(db, { limit: 1000, offset: 0 }).items
    expect(anomalies.filter((a) => a.localAmount === null).length).toBeGreaterThan(10)
  })

  it('ends where a filter matches nothing, or matches no more than a page', () => {
    expect(ask(LISTS.orders!, { no: 'NOTHING-LIKE-IT' })).toMatchObject({ items: [] })
    expect(ask(LISTS.orders!, { no: 'NOTHING-LIKE-IT' }).next).toBeUndefined()
    const one = ask(LISTS.orders!, { no: 'C17', limit: 1000 })
    expect(one.items.length).toBeGreaterThan(0)
    expect(one.next).toBeUndefined()
  })
})

describe('a cursor is refused where it enters main', () => {
  const refusal = (schema: z.ZodType, input: Record<string, unknown>) => {
    const r = schema.safeParse(input)
    return r.success ? null : describeIssues(r.error)
  }
  let next: string
  beforeAll(() => {
    next = ask(LISTS.records!, { limit: 3, sort: '-amount' }).next!
  })

  it('when it is no cursor of a list', () => {
    for (const after of [
      '',
      'x',
      '-time:abc:1',
      'time:null:4',
      'size:1:1',
      '-time:1:1:1',
      '-time:1:99999999999999999',
    ])
      expect(refusal(recordListSchema, { after }), after).toBe(
        'after: not a cursor of a list: pass back the `next` of the page before, as it came',
      )
  })

  it('when it was made in another order, which would skip or repeat rows', () => {
    expect(refusal(recordListSchema, { after: next, sort: 'amount' })).toBe(
      'after: the cursor goes on from a list sorted by -amount, not by amount: start again from the first page',
    )
    expect(refusal(recordListSchema, { after: next })).toMatch(/sorted by -amount, not by -time/)
    // The audit log has one order, newest first.
    expect(refusal(auditListSchema, { after: next })).toMatch(/sorted by -amount, not by -time/)
  })

  it('with an offset: one starting point', () => {
    expect(refusal(recordListSchema, { after: next, sort: '-amount', offset: 5 })).toBe(
      'offset: a page starts either after a cursor or at an offset, not both',
    )
    expect(refusal(recordListSchema, { after: next, sort: '-amount', offset: 0 })).toBeNull()
  })
})
