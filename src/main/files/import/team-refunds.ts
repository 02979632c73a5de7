import {
  fillRefundsOn,
  insertRefundsIfNewOn,
  recomputeRefundStatesOn,
  refundsForImportOn,
  type RefundForImport,
  type RefundKey,
} from '../../store/refund-bulk'
import type { NewRefundOrder } from '../../store/refunds'
import type { Exec } from '../../store/sql/exec'
import type { ImportSink } from './sink'

// A team import's page of refunds (team-sink.ts): the refunds its rows name, read first, and what
// the rows add, written at its end. A refund added takes its amount off its pay order's refundable
// amount for the page's later rows at once, as the file's recompute after each insert does.

type FoundRefund = NonNullable<ReturnType<ImportSink['findRefund']>>

/** A trade's key in a page's maps: its merchant and its number (an order's or a refund's). */
export const keyOf = (merchantId: number, no: string) => `${merchantId}\u0000${no}`

export class TeamRefunds {
  private stored = new Map<string, RefundForImport>()
  private byId = new Map<number, RefundForImport>()
  private inserts = new Map<number, { refund: NewRefundOrder; row: RefundForImport }>()
  private fills = new Map<number, string>()
  /** What the page's new refunds take off each pay order's refundable amount. */
  readonly taken = new Map<number, number>()
  /** Pay orders to recompute, with how many times the file's import would. */
  private recomputes = new Map<number, number>()

  async read(x: Exec, keys: RefundKey[]): Promise<void> {
    for (const r of await refundsForImportOn.async(x, keys)) {
      this.stored.set(keyOf(r.merchant_id, r.refund_no), r)
      this.byId.set(r.id, r)
    }
  }

  find(merchantId: number, refundNo: string): FoundRefund | undefined {
    return this.stored.get(keyOf(merchantId, refundNo))
  }

  /** See fillRefundOrderOn: a gateway number the refund lacked. */
  fill(id: number, gatewayRefundNo: string | null): boolean {
    const row = this.byId.get(id)
    if (!row || !gatewayRefundNo || row.gateway_refund_no !== null) return false
    row.gateway_refund_no = gatewayRefundNo
    if (id > 0) this.fills.set(id, gatewayRefundNo)
    else this.inserts.get(id)!.refund.gatewayRefundNo = gatewayRefundNo
    return true
  }

  /** A new refund under the stand-in id `id`; `orderNo` its pay order's number. */
  insert(id: number, r: NewRefundOrder, orderNo: string): void {
    const row: RefundForImport = {
      id,
      merchant_id: r.merchantId,
      refund_no: r.refundNo,
      pay_order_id: r.payOrderId,
      order_no: orderNo,
      amount: r.amount,
      status: r.status,
      gateway_refund_no: r.gatewayRefundNo,
    }
    this.stored.set(keyOf(r.merchantId, r.refundNo), row)
    this.byId.set(id, row)
    this.inserts.set(id, { refund: { ...r }, row })
    if (r.status === 'progress' || r.status === 'success')
      this.taken.set(r.payOrderId, (this.taken.get(r.payOrderId) ?? 0) + r.amount)
  }

  recompute(payOrderId: number): void {
    this.recomputes.set(payOrderId, (this.recomputes.get(payOrderId) ?? 0) + 1)
  }

  /** The page's refunds written: stand-in ids into `ids`; how many someone else had put meanwhile. */
  async flush(x: Exec, now: number, ids: Map<number, number>): Promise<number> {
    const pending = [...this.inserts]
    const put = new Map<string, number>()
    for (const r of await insertRefundsIfNewOn.async(
      x,
      pending.map(([, p]) => p.refund),
      now,
    ))
      put.set(keyOf(r.merchant_id, r.refund_no), r.id)
    const missed: RefundKey[] = []
    for (const [standIn, { row }] of pending) {
      const id = put.get(keyOf(row.merchant_id, row.refund_no))
      if (id !== undefined) ids.set(standIn, id)
      else missed.push({ merchantId: row.merchant_id, refundNo: row.refund_no })
    }
    if (missed.length) {
      const found = new Map(
        (await refundsForImportOn.async(x, missed)).map((r) => [keyOf(r.merchant_id, r.refund_no), r.id]),
      )
      for (const [standIn, { row }] of pending)
        if (!ids.has(standIn)) ids.set(standIn, found.get(keyOf(row.merchant_id, row.refund_no)) ?? 0)
    }
    await fillRefundsOn.async(
      x,
      [...this.fills].map(([id, gatewayRefundNo]) => ({ id, gatewayRefundNo })),
      now,
    )
    await recomputeRefundStatesOn.async(
      x,
      [...this.recomputes].map(([id, times]) => ({ id, times })),
      now,
    )
    return missed.length
  }

  clear(): void {
    for (const m of [this.stored, this.byId, this.inserts, this.fills, this.taken, this.recomputes]) m.clear()
  }
}
