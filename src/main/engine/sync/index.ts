import crypto from 'node:crypto'
import os from 'node:os'
import type { TradeType } from '../../../shared/domain'
import type { GatewayAdapter } from '../../gateways/types'
import type { Db } from '../../store/connection'
import { DEFAULT_REFUND_GRACE_MS } from '../decide-refund'
import { payTrade, refundTrade } from '../trade'
import { AttemptError } from './errors'
import { HealthThrottle } from './health'
import { Leases, withLease } from './lease'
import { PayFlow } from './pay'
import { RefundFlow } from './refund'
import type { AdapterSource, Attempt, EngineOptions, SyncContext, SyncResult } from './types'
import { writeAttempt, type AttemptWriter } from './write'

// One sync attempt, end to end, under the safety rules of docs/domain.md section 6:
// 1. every attempt writes a sync record, in its own transaction, with the gateway's text as received
//    (write.ts);
// 2. a repair changes the trade, writes its repair records and links the sync record in one
//    compare-and-set transaction (pay.ts, refund.ts, write.ts);
// 3. one worker per trade, across processes, through a lease row; a second one gets 10007 (lease.ts);
// 4. only verified answers change anything (the adapters return sync_error otherwise);
// 5. errors never change a trade; after N in a row an anomaly is opened and the schedule backs off;
// 6. anomalies are never resolved here.

export { BUSY_CODE, BUSY_MESSAGE } from './types'
export type { AdapterSource, EngineOptions, SyncContext, SyncResult } from './types'
export { TradeNotFoundError } from './errors'
export { newRepairNo } from './repair-no'
export { refundableChange } from './repair'

export class SyncEngine {
  readonly owner: string
  readonly errorThreshold: number
  private readonly leases: Leases
  private readonly pay: PayFlow
  private readonly refund: RefundFlow
  private readonly writer: AttemptWriter

  constructor(
    private readonly db: Db,
    private readonly adapters: AdapterSource,
    options: EngineOptions = {},
  ) {
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`
    this.errorThreshold = options.errorThreshold ?? 20
    const now = options.now ?? Date.now
    this.leases = new Leases(db, this.owner, options.leaseMs ?? 180_000, now)
    const adapterOf = (merchantId: number) => this.adapterOf(merchantId)
    this.pay = new PayFlow(now, adapterOf)
    this.refund = new RefundFlow(db, now, adapterOf, options.refundGraceMs ?? DEFAULT_REFUND_GRACE_MS)
    this.writer = { db, now, errorThreshold: this.errorThreshold, health: new HealthThrottle(db) }
  }

  sync(type: TradeType, id: number, context: SyncContext): Promise<SyncResult> {
    return type === 'pay' ? this.syncPay(id, context) : this.syncRefund(id, context)
  }

  syncPay(orderId: number, context: SyncContext): Promise<SyncResult> {
    const attempt: Attempt = { ...context, waited: { ms: 0 } }
    const started = performance.now()
    return withLease(
      this.leases,
      'pay',
      orderId,
      () => payTrade(this.db, orderId),
      (trade) => this.pay.find(trade.row, attempt),
      (trade, finding, lease) => writeAttempt(this.writer, trade, attempt, started, finding, lease),
    )
  }

  syncRefund(refundId: number, context: SyncContext): Promise<SyncResult> {
    const attempt: Attempt = { ...context, waited: { ms: 0 } }
    const started = performance.now()
    return withLease(
      this.leases,
      'refund',
      refundId,
      () => refundTrade(this.db, refundId),
      (trade) => this.refund.find(trade.row, attempt),
      (trade, finding, lease) => writeAttempt(this.writer, trade, attempt, started, finding, lease),
    )
  }

  private async adapterOf(merchantId: number): Promise<GatewayAdapter> {
    try {
      return await this.adapters(merchantId)
    } catch (err) {
      throw new AttemptError(
        'merchant_config',
        `merchant profile cannot be used: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  }
}
