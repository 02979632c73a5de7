import crypto from 'node:crypto'
import os from 'node:os'
import type { StorageFault, TradeType } from '../../../shared/domain'
import type { GatewayAdapter } from '../../gateways/types'
import type { Db } from '../../store/connection'
import { StorageFaultError, storageFaultOf } from '../../store/faults'
import { leaseHolders, releaseLeasesOfGone } from '../../store/leases'
import { DEFAULT_REFUND_GRACE_MS } from '../decide-refund'
import { ownerIsDeadHere } from '../owner'
import { payTrade, refundTrade, type Trade } from '../trade'
import { Durability } from './durable'
import { AttemptError } from './errors'
import type { Finding } from './finding'
import { HealthThrottle } from './health'
import { Leases, withLease } from './lease'
import { PayFlow } from './pay'
import { RefundFlow } from './refund'
import type { AdapterSource, Attempt, EngineOptions, SyncContext, SyncResult } from './types'
import { surfaceUnknownOutcomes } from './unknown'
import type { AttemptWriter } from './write'

// One sync attempt, end to end, under the safety rules of docs/domain.md section 6:
// 1. every attempt writes a sync record, in its own transaction, with the gateway's text as received
//    (write.ts);
// 2. a repair changes the trade, writes its repair records and links the sync record in one
//    compare-and-set transaction (pay.ts, refund.ts, write.ts);
// 3. one worker per trade, across processes, through a lease row; a second one gets 10007 (lease.ts);
// 4. only verified answers change anything (the adapters return sync_error otherwise);
// 5. errors never change a trade; after N in a row an anomaly is opened and the schedule backs off;
// 6. anomalies are never resolved here;
// 8. nothing the gateway did or said is lost to a failing disk or a locked database: a side effect is
//    announced by an intent on disk first, a refused final write is retried and then kept in the
//    journal (durable.ts), and a side effect nobody recorded is shown and synced again (unknown.ts).

export { BUSY_CODE, BUSY_MESSAGE } from './types'
export type { AdapterSource, EngineOptions, SyncContext, SyncResult } from './types'
export { ClaimLostError, TradeNotFoundError } from './errors'
export { newRepairNo } from './repair-no'
export { refundableChange } from './repair'

export class SyncEngine {
  readonly owner: string
  readonly errorThreshold: number
  private readonly leases: Leases
  private readonly pay: PayFlow
  private readonly refund: RefundFlow
  private readonly durability: Durability
  private readonly now: () => number

  constructor(
    private readonly db: Db,
    private readonly adapters: AdapterSource,
    options: EngineOptions = {},
  ) {
    this.owner = options.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`
    this.errorThreshold = options.errorThreshold ?? 20
    const now = options.now ?? Date.now
    this.now = now
    this.leases = new Leases(db, this.owner, options.leaseMs ?? 180_000, now)
    const adapterOf = (merchantId: number) => this.adapterOf(merchantId)
    this.pay = new PayFlow(now, adapterOf)
    this.refund = new RefundFlow(db, now, adapterOf, options.refundGraceMs ?? DEFAULT_REFUND_GRACE_MS)
    const writer: AttemptWriter = {
      db,
      now,
      errorThreshold: this.errorThreshold,
      health: new HealthThrottle(),
    }
    this.durability = new Durability(writer, {
      journalFile: options.journalFile ?? null,
      retryForMs: options.writeRetryMs,
    })
  }

  /**
   * One attempt. A storage fault comes out as a StorageFaultError: before any call (the lease, the
   * trade), nothing was asked; after the answer, the attempt is kept until the database takes it.
   */
  async sync(type: TradeType, id: number, context: SyncContext): Promise<SyncResult> {
    try {
      return type === 'pay'
        ? await this.attempt(
            'pay',
            id,
            context,
            () => payTrade(this.db, id),
            (t, a) => this.pay.find(t.row, a),
          )
        : await this.attempt(
            'refund',
            id,
            context,
            () => refundTrade(this.db, id),
            (t, a) => this.refund.find(t.row, a),
          )
    } catch (err) {
      const fault = storageFaultOf(err)
      if (fault && !(err instanceof StorageFaultError)) throw new StorageFaultError(fault, null, err)
      throw err
    }
  }

  syncPay(orderId: number, context: SyncContext): Promise<SyncResult> {
    return this.sync('pay', orderId, context)
  }

  syncRefund(refundId: number, context: SyncContext): Promise<SyncResult> {
    return this.sync('refund', refundId, context)
  }

  private attempt<T extends Trade>(
    type: T['type'],
    tradeId: number,
    context: SyncContext,
    read: () => T | undefined,
    find: (trade: T, attempt: Attempt) => Promise<Finding>,
  ): Promise<SyncResult> {
    // One id per attempt: its intent's, and its journal entry's if the database refuses its write.
    const id = crypto.randomUUID()
    let intent: string | null = null
    const started = performance.now()
    const attempt: Attempt = { ...context, waited: { ms: 0 }, intend: () => undefined }
    return withLease(
      this.leases,
      type,
      tradeId,
      read,
      (trade, lease) =>
        find(trade, {
          ...attempt,
          intend: (action) => {
            this.durability.intend(id, trade, lease.holder, attempt, action)
            intent = id
          },
        }),
      (trade, finding, lease) =>
        this.durability.write({
          id,
          at: this.now(),
          trade,
          attempt: {
            source: attempt.source,
            operator: attempt.operator ?? null,
            systemUser: attempt.systemUser ?? null,
            transport: attempt.transport ?? null,
            clientIp: attempt.clientIp ?? null,
            batchId: attempt.batchId ?? null,
            batchItemId: attempt.batchItemId ?? null,
          },
          // The gateway's time: the wait for a call slot and the QPS turn is our own queue.
          durationMs: Math.round(performance.now() - started - attempt.waited.ms),
          finding,
          lease,
          intent,
        }),
      context.claimedBy && context.batchItemId
        ? { itemId: context.batchItemId, owner: context.claimedBy }
        : undefined,
    )
  }

  /**
   * Writes what the database refused before (this process's, and the journal of any process), then
   * shows every side effect whose outcome nobody recorded and makes its trade due: at every opening
   * of the database, before anything else, and before a batch runs. The trades to sync again are
   * returned; `waiting` counts the attempts the database still refuses.
   */
  recover(): Recovery {
    const now = this.now()
    const replay = this.durability.replay(now)
    const again = replay.fault ? [] : surfaceUnknownOutcomes(this.db, now, replay.pendingIntents)
    // A process of this machine that died (kill -9, a crash) leaves its leases behind. Taking one
    // over already treats them as free; letting them go here keeps the table saying who really works.
    if (!replay.fault)
      for (const owner of leaseHolders(this.db))
        if (ownerIsDeadHere(owner.split('#')[0]!)) releaseLeasesOfGone(this.db, owner)
    return { written: replay.written, waiting: replay.waiting, fault: replay.fault, syncAgain: again }
  }

  /** Whether attempts wait to be written (for a cheap check before `recover`). */
  keepsAttempts(): boolean {
    return this.durability.waiting()
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

export interface Recovery {
  written: number
  waiting: number
  fault: StorageFault | null
  syncAgain: Array<{ type: TradeType; id: number }>
}
