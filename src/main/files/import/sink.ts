import type { Db } from '../../store/connection'
import type { DayTally } from '../../store/import-day-totals'
import {
  fillPayOrderByNo,
  findPayOrderForImport,
  getPayOrder,
  insertPayOrderIfNew,
  payOrderIdByNo,
  recomputeRefundState,
  wouldFillPayOrder,
  type NewPayOrder,
  type PayOrderForImport,
} from '../../store/orders'
import { fillRefundOrder, findRefundOrder, insertRefundOrder, type NewRefundOrder } from '../../store/refunds'
import { KeyTable } from './key-table'

// Where an import's rows go: the store, or (dry run) an overlay that remembers what the file would
// add and writes nothing.

export type RowResult = 'inserted' | 'updated' | 'unchanged'

/** What an import compares a row with when its trade is here already. */
export interface StoredTrade {
  amount: number
  status: string
  /** Null for a refund, which has none. */
  title: string | null
}

export type PayForRefund = Pick<PayOrderForImport, 'id' | 'amount' | 'status' | 'refundable_amount'>

export interface ImportSink {
  /**
   * Adds the order, or fills what the existing one lacks (never its status or amount). The id is
   * looked up for an existing order only when `wantId`: a re-import needs no id otherwise. For an
   * existing order, what is stored comes back: another amount leaves the order alone and the row is
   * refused, not counted unchanged (a silent "no change" would hide a file that disagrees on money);
   * another status or title is told as a conflict.
   */
  upsertPay(o: NewPayOrder, wantId: boolean): { result: RowResult; id: number; stored?: StoredTrade }
  findPay(merchantId: number, orderNo: string): PayForRefund | undefined
  findRefund(
    merchantId: number,
    refundNo: string,
  ): { id: number; pay_order_id: number; order_no?: string; amount: number; status: string } | undefined
  fillRefund(id: number, gatewayRefundNo: string | null): boolean
  insertRefund(r: NewRefundOrder): number
  recompute(payOrderId: number): void
}

/** `tally` adds up the day totals of the orders it inserts (store/import-day-totals.ts). */
export function storeSink(db: Db, now: () => number, tally?: DayTally): ImportSink {
  return {
    upsertPay: (o, wantId) => {
      const id = insertPayOrderIfNew(db, o, now(), tally)
      if (id !== null) return { result: 'inserted', id }
      const row = findPayOrderForImport(db, o.merchantId, o.orderNo)
      const stored = row && { amount: row.amount, status: row.status, title: row.title }
      if (row && row.amount !== o.amount) return { result: 'unchanged', id: row.id, stored }
      const changed = fillPayOrderByNo(db, o.merchantId, o.orderNo, o, now())
      return {
        result: changed ? 'updated' : 'unchanged',
        id: wantId ? (row?.id ?? payOrderIdByNo(db, o.merchantId, o.orderNo) ?? 0) : 0,
        stored,
      }
    },
    findPay: (m, no) => findPayOrderForImport(db, m, no),
    findRefund: (m, no) => findRefundOrder(db, m, no),
    fillRefund: (id, no) => fillRefundOrder(db, id, no, now()),
    insertRefund: (r) => insertRefundOrder(db, r, now()),
    recompute: (id) => recomputeRefundState(db, id, now()),
  }
}

/** What a dry run reads of the books: the file's connection, or a team preview's page read ahead. */
export interface DryBooks {
  findPay(merchantId: number, orderNo: string): PayOrderForImport | undefined
  findRefund: ImportSink['findRefund']
  /** The number of a pay order a row of the file just found. */
  orderNoOf(payOrderId: number): string | undefined
}

export function fileBooks(db: Db): DryBooks {
  return {
    findPay: (m, no) => findPayOrderForImport(db, m, no),
    findRefund: (m, no) => findRefundOrder(db, m, no),
    orderNoOf: (id) => getPayOrder(db, id)?.order_no,
  }
}

/**
 * Counts what the import would do. A pay list only adds pay orders and a refund list only refunds,
 * so a dry run remembers the numbers it "added" of one kind, each with the id it gave (or, for a
 * refund, its pay order's id): the same number again in the file is then unchanged.
 */
export function dryRunSink(books: DryBooks): ImportSink {
  let next = -1
  const pays = new KeyTable()
  /**
   * The orders this dry run "added", by the id it gave them: amount, status and title, the title as a
   * 32-bit hash (a preview of a million rows must not keep a million titles; two titles meeting by
   * hash would only miss a conflict note, and the import itself compares the real ones).
   */
  const amounts = new Map<number, number>()
  const marks = new Map<number, { status: string; title: number }>()
  const refunds = new KeyTable()
  const refundStored = new Map<string, { order_no?: string; amount: number; status: string }>()
  /**
   * What the refunds this dry run "added" take off each pay order's refundable amount, as the
   * import's recompute would: a later refund of the same order is then refused in the preview too.
   */
  const taken = new Map<number, number>()
  return {
    upsertPay: (o) => {
      const mine = pays.get(o.merchantId, o.orderNo)
      if (mine !== undefined) {
        const mark = marks.get(mine)!
        const title = mark.title === hashText(o.title) ? o.title : mark.title === EMPTY_TITLE ? '' : '\u0000'
        return {
          result: 'unchanged',
          id: mine,
          stored: { amount: amounts.get(mine)!, status: mark.status, title },
        }
      }
      const row = books.findPay(o.merchantId, o.orderNo)
      const stored = row && { amount: row.amount, status: row.status, title: row.title }
      if (row && row.amount !== o.amount) return { result: 'unchanged', id: row.id, stored }
      if (row) return { result: wouldFillPayOrder(row, o) ? 'updated' : 'unchanged', id: row.id, stored }
      const id = next--
      pays.set(o.merchantId, o.orderNo, id)
      amounts.set(id, o.amount)
      marks.set(id, { status: o.status, title: hashText(o.title) })
      return { result: 'inserted', id }
    },
    findPay: (m, no) => {
      const row = books.findPay(m, no)
      const less = row ? (taken.get(row.id) ?? 0) : 0
      return row && less && row.status === 'success'
        ? { ...row, refundable_amount: row.refundable_amount - less }
        : row
    },
    findRefund: (m, no) => {
      const payOrderId = refunds.get(m, no)
      if (payOrderId === undefined) return books.findRefund(m, no)
      return { id: 0, pay_order_id: payOrderId, ...refundStored.get(`${m}\u0000${no}`)! }
    },
    fillRefund: () => false,
    insertRefund: (r) => {
      refunds.set(r.merchantId, r.refundNo, r.payOrderId)
      // Its pay order's number now, while the books read for this row still hold that order.
      const orderNo = books.orderNoOf(r.payOrderId)
      refundStored.set(`${r.merchantId}\u0000${r.refundNo}`, {
        order_no: orderNo,
        amount: r.amount,
        status: r.status,
      })
      if (r.status === 'progress' || r.status === 'success')
        taken.set(r.payOrderId, (taken.get(r.payOrderId) ?? 0) + r.amount)
      return next--
    },
    recompute: () => undefined,
  }
}

const EMPTY_TITLE = 0

/** FNV-1a of a title; 0 only for the empty one. */
function hashText(s: string): number {
  if (s === '') return EMPTY_TITLE
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h === EMPTY_TITLE ? 1 : h
}
