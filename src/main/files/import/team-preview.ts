import { payOrdersForImportOn, type StoredForImport } from '../../store/orders/import-bulk'
import { refundsForImportOn, type RefundForImport } from '../../store/refund-bulk'
import type { Exec } from '../../store/sql/exec'
import type { SourceRow } from './row-source'
import type { DryBooks, ImportSink } from './sink'
import { keyOf } from './team-refunds'
import { keysOf, pullOnce } from './team-sink'

// What a preview of a list reads of a team database (docs/team-mode.md B8.18). The dry run asks about
// each row at once, as it asks the file; PostgreSQL cannot answer at once, so, as a team import does
// (team-sink.ts), a page's rows are run first through a sink that notes the orders and refunds they
// name, those are read in one statement each, and then the page's rows are checked against them. The
// dry run's own memory of what the file "added" (sink.ts dryRunSink) spans the pages; nothing is written,
// no lock is taken.

export class TeamDryBooks implements DryBooks {
  private pays = new Map<string, StoredForImport>()
  private payIds = new Map<number, StoredForImport>()
  private refunds = new Map<string, RefundForImport>()

  constructor(private readonly x: Exec) {}

  /** One page: its keys (`probe`), the books read for them, then its rows checked (`apply`). */
  async page(
    page: { rows: SourceRow[]; more: boolean },
    probe: (row: SourceRow, into: ImportSink) => void,
    apply: (pull: () => SourceRow[] | null) => unknown,
  ): Promise<boolean> {
    const keys = keysOf(page.rows, probe)
    const pays = await payOrdersForImportOn.async(this.x, keys.pays)
    const refunds = await refundsForImportOn.async(this.x, keys.refunds)
    this.pays.clear()
    this.payIds.clear()
    this.refunds.clear()
    for (const p of pays) {
      this.pays.set(keyOf(p.merchant_id, p.order_no), p)
      this.payIds.set(p.id, p)
    }
    for (const r of refunds) this.refunds.set(keyOf(r.merchant_id, r.refund_no), r)
    apply(pullOnce(page.rows))
    return page.more
  }

  findPay(merchantId: number, orderNo: string): StoredForImport | undefined {
    return this.pays.get(keyOf(merchantId, orderNo))
  }

  findRefund(merchantId: number, refundNo: string): RefundForImport | undefined {
    return this.refunds.get(keyOf(merchantId, refundNo))
  }

  orderNoOf(payOrderId: number): string | undefined {
    return this.payIds.get(payOrderId)?.order_no
  }
}
