import type pg from 'pg'
import { addImportErrorsOn, type KeptRowError } from '../../store/imports'
import type { MerchantRow } from '../../store/merchants'
import type { NewPayOrder } from '../../store/orders'
import {
  fillPayOrdersOn,
  insertPayOrdersIfNewOn,
  payOrdersForImportOn,
  type OrderKey,
  type StoredForImport,
} from '../../store/orders/import-bulk'
import { ADVISORY_NAMESPACE, IMPORT_LOCK } from '../../store/pg/locks'
import { inPgTransaction } from '../../store/pg/transaction'
import type { Exec } from '../../store/sql/exec'
import type { RefundKey } from '../../store/refund-bulk'
import type { NewRefundOrder } from '../../store/refunds'
import type { SourceRow } from './row-source'
import type { ImportSink, PayForRefund } from './sink'
import { keyOf, TeamRefunds } from './team-refunds'

// An order or refund list into a team database (docs/team-mode.md B8.11). The importer reads its
// rows as on the file, each answered at once by its sink; PostgreSQL cannot answer at once, so a page
// of rows is worked in one transaction: the orders (and refunds) its rows name read in one statement,
// the rows checked against them here (and against the page's earlier rows), then what they add
// written in one statement each. The page holds the team's import lock, so two desktops importing
// lists that share orders take turns a page at a time: each page sees every order the other's pages
// put, and is told them as a file's import is told the orders it holds already. The unique key stays
// the last word (ON CONFLICT).

/** Where a team import writes: the pool, and the team's merchant profiles read before it. */
export interface TeamInto {
  pool: pg.Pool
  merchants: MerchantRow[]
}

/** Up to `size` rows from `pull` (more when its last batch runs over); whether more may follow. */
export function pageOf(pull: () => SourceRow[] | null, size: number): { rows: SourceRow[]; more: boolean } {
  const rows: SourceRow[] = []
  while (rows.length < size) {
    const got = pull()
    if (got === null) return { rows, more: false }
    for (const r of got) rows.push(r)
  }
  return { rows, more: true }
}

/** A pull that hands over `rows` once, then says the end. */
export function pullOnce(rows: SourceRow[]): () => SourceRow[] | null {
  let left: SourceRow[] | null = rows
  return () => {
    const r = left
    left = null
    return r
  }
}

interface PageKeys {
  pays: OrderKey[]
  refunds: RefundKey[]
}

/** The keys a page's rows name: `read` runs each row through the importer into a sink that notes them. */
export function keysOf(rows: SourceRow[], read: (row: SourceRow, probe: ImportSink) => void): PageKeys {
  const keys: PageKeys = { pays: [], refunds: [] }
  const probe = keySink(keys)
  for (const row of rows) read(row, probe)
  return keys
}

/** Notes each key asked about; a refund's pay order is there, so that its row goes on to its refund. */
function keySink(keys: PageKeys): ImportSink {
  return {
    upsertPay: (o) => {
      keys.pays.push({ merchantId: o.merchantId, orderNo: o.orderNo })
      return { result: 'inserted', id: 0 }
    },
    findPay: (merchantId, orderNo) => {
      keys.pays.push({ merchantId, orderNo })
      const any = Number.MAX_SAFE_INTEGER
      return { id: 0, amount: any, status: 'success', refundable_amount: any }
    },
    findRefund: (merchantId, refundNo) => {
      keys.refunds.push({ merchantId, refundNo })
      return undefined
    },
    fillRefund: () => false,
    insertRefund: () => 0,
    recompute: () => undefined,
  }
}

export class TeamSink implements ImportSink {
  /** The page's orders by key: read from the database, or new from an earlier row of the page. */
  private stored = new Map<string, StoredForImport>()
  /** The page's new orders, by the stand-in id (below zero) their rows were told. */
  private inserts = new Map<number, { order: NewPayOrder; row: StoredForImport }>()
  /** Orders of the database a row of the page adds to, by key. */
  private fills = new Map<string, StoredForImport>()
  private next = -1
  /** Stand-in ids, once written, as the database numbered them. */
  private ids = new Map<number, number>()
  /** The orders read, by id: a refund's pay order. */
  private payIds = new Map<number, StoredForImport>()
  /** The page's refunds (a refund list). */
  private refunds = new TeamRefunds()
  /** The page's refused rows to keep. */
  readonly errors: KeptRowError[] = []

  constructor(private readonly pool: pg.Pool) {}

  /**
   * One page: the orders its rows name (`probe`) read under the team's import lock, its rows run
   * through this sink (`apply`), then what they add written; one transaction. `missed`: new orders
   * someone else had put meanwhile (then filled, as a row of an order that exists is).
   */
  async page(
    page: { rows: SourceRow[]; more: boolean },
    probe: (row: SourceRow, into: ImportSink) => void,
    apply: (pull: () => SourceRow[] | null) => unknown,
    importId: number,
    now: number,
  ): Promise<{ more: boolean; missed: number }> {
    const keys = keysOf(page.rows, probe)
    const missed = await inPgTransaction(this.pool, async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock(?, ?)', [ADVISORY_NAMESPACE, IMPORT_LOCK])
      this.clear()
      for (const row of await payOrdersForImportOn.async(tx, keys.pays)) {
        this.stored.set(keyOf(row.merchant_id, row.order_no), row)
        this.payIds.set(row.id, row)
      }
      await this.refunds.read(tx, keys.refunds)
      apply(pullOnce(page.rows))
      return this.flush(tx, importId, now)
    })
    return { more: page.more, missed }
  }

  /** The id a row was told, as stored: a new order's stand-in becomes the database's id. */
  idOf(id: number): number {
    return id < 0 ? (this.ids.get(id) ?? 0) : id
  }

  upsertPay(o: NewPayOrder): ReturnType<ImportSink['upsertPay']> {
    const key = keyOf(o.merchantId, o.orderNo)
    const row = this.stored.get(key)
    if (!row) {
      const id = this.next--
      const fresh: StoredForImport = {
        id,
        merchant_id: o.merchantId,
        order_no: o.orderNo,
        amount: o.amount,
        status: o.status,
        refundable_amount: o.status === 'success' ? o.amount : 0,
        gateway_trade_no: o.gatewayTradeNo,
        title: o.title,
        expired_at: o.expiredAt,
        paid_at: o.paidAt,
      }
      this.stored.set(key, fresh)
      this.inserts.set(id, { order: { ...o }, row: fresh })
      return { result: 'inserted', id }
    }
    const stored = { amount: row.amount, status: row.status, title: row.title }
    if (row.amount !== o.amount) return { result: 'unchanged', id: row.id, stored }
    // What fillPayOrderByNo would do to the row, done to the page's copy: a later row sees it.
    const before = [row.gateway_trade_no, row.title, row.expired_at, row.paid_at]
    row.gateway_trade_no ??= o.gatewayTradeNo
    if (row.title === '') row.title = o.title
    row.expired_at ??= o.expiredAt
    row.paid_at ??= o.paidAt
    const changed = [row.gateway_trade_no, row.title, row.expired_at, row.paid_at].some(
      (v, i) => v !== before[i],
    )
    if (changed && row.id > 0) this.fills.set(key, row)
    return { result: changed ? 'updated' : 'unchanged', id: row.id, stored }
  }

  /** A pay order its refund rows name, less what the page's earlier refunds took off it. */
  findPay(merchantId: number, orderNo: string): PayForRefund | undefined {
    const row = this.stored.get(keyOf(merchantId, orderNo))
    const less = row ? (this.refunds.taken.get(row.id) ?? 0) : 0
    return row && less && row.status === 'success'
      ? { ...row, refundable_amount: row.refundable_amount - less }
      : row
  }

  findRefund(merchantId: number, refundNo: string) {
    return this.refunds.find(merchantId, refundNo)
  }

  fillRefund(id: number, gatewayRefundNo: string | null): boolean {
    return this.refunds.fill(id, gatewayRefundNo)
  }

  insertRefund(r: NewRefundOrder): number {
    const id = this.next--
    this.refunds.insert(id, r, this.payIds.get(r.payOrderId)?.order_no ?? '')
    return id
  }

  recompute(payOrderId: number): void {
    this.refunds.recompute(payOrderId)
  }

  private async flush(tx: Exec, importId: number, now: number): Promise<number> {
    const pending = [...this.inserts]
    const orders = pending.map(([, { order, row }]) => ({
      ...order,
      gatewayTradeNo: row.gateway_trade_no,
      title: row.title,
      expiredAt: row.expired_at,
      paidAt: row.paid_at,
    }))
    const put = new Map<string, number>()
    for (const r of await insertPayOrdersIfNewOn.async(tx, orders, now))
      put.set(keyOf(r.merchant_id, r.order_no), r.id)
    const fills = [...this.fills.values()]
    const missed: OrderKey[] = []
    for (const [standIn, { row }] of pending) {
      const id = put.get(keyOf(row.merchant_id, row.order_no))
      if (id !== undefined) this.ids.set(standIn, id)
      else {
        missed.push({ merchantId: row.merchant_id, orderNo: row.order_no })
        fills.push(row)
      }
    }
    await fillPayOrdersOn.async(
      tx,
      fills.map((r) => ({
        merchantId: r.merchant_id,
        orderNo: r.order_no,
        gatewayTradeNo: r.gateway_trade_no,
        title: r.title,
        expiredAt: r.expired_at,
        paidAt: r.paid_at,
      })),
      now,
    )
    if (missed.length) {
      const found = new Map(
        (await payOrdersForImportOn.async(tx, missed)).map((r) => [keyOf(r.merchant_id, r.order_no), r.id]),
      )
      for (const [standIn, { row }] of pending)
        if (!this.ids.has(standIn))
          this.ids.set(standIn, found.get(keyOf(row.merchant_id, row.order_no)) ?? 0)
    }
    const missedRefunds = await this.refunds.flush(tx, now, this.ids)
    await addImportErrorsOn.async(tx, importId, this.errors)
    this.errors.length = 0
    return missed.length + missedRefunds
  }

  private clear(): void {
    this.stored.clear()
    this.inserts.clear()
    this.fills.clear()
    this.ids.clear()
    this.refunds.clear()
    this.payIds.clear()
    this.errors.length = 0
  }
}
