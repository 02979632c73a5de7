import crypto from 'node:crypto'
import os from 'node:os'
import type { TradeType } from '../../../shared/domain'
import type { GatewayAdapter } from '../../gateways/types'
import { StorageFaultError, storageFaultOf } from '../../store/faults'
import type { MerchantVersion } from '../../store/merchants'
import { DEFAULT_REFUND_GRACE_MS } from '../decide-refund'
import type { PayTrade, RefundTrade, Trade } from '../trade'
import type { SyncBooks } from './books'
import { AttemptError } from './errors'
import type { Finding } from './finding'
import { withLease } from './lease'
import { PayFlow } from './pay'
import { RefundFlow } from './refund'
import type { AdapterSource, Attempt, EngineOptions, SyncContext, SyncResult } from './types'

// One attempt, end to end, on whichever books hold the trade (books.ts): the lease, the trade read
// under it, the gateway asked, and the one final write (the rules are listed in index.ts).

/** Who holds the leases an engine takes: unique per process, and it names the computer. */
export function ownerName(options: Pick<EngineOptions, 'owner'>): string {
  return options.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`
}

export class AttemptRunner {
  readonly owner: string
  readonly errorThreshold: number
  private readonly pay: PayFlow
  private readonly refund: RefundFlow
  protected readonly now: () => number

  constructor(
    private readonly books: SyncBooks,
    private readonly adapters: AdapterSource,
    options: EngineOptions = {},
  ) {
    this.owner = ownerName(options)
    this.errorThreshold = options.errorThreshold ?? 20
    const now = options.now ?? Date.now
    this.now = now
    const adapterOf = (merchantId: number, seen?: MerchantVersion) => this.adapterOf(merchantId, seen)
    this.pay = new PayFlow(now, adapterOf)
    this.refund = new RefundFlow(
      (id) => books.payOrder(id),
      now,
      adapterOf,
      options.refundGraceMs ?? DEFAULT_REFUND_GRACE_MS,
    )
  }

  /**
   * One attempt. A storage fault comes out as a StorageFaultError: before any call (the lease, the
   * trade), nothing was asked; after the answer, the attempt is kept until the database takes it.
   */
  async sync(type: TradeType, id: number, context: SyncContext): Promise<SyncResult> {
    try {
      return type === 'pay'
        ? await this.attempt<PayTrade>('pay', id, context, (t, a) => this.pay.find(t.row, a))
        : await this.attempt<RefundTrade>('refund', id, context, (t, a) => this.refund.find(t.row, a))
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
    find: (trade: T, attempt: Attempt) => Promise<Finding>,
  ): Promise<SyncResult> {
    // One id per attempt: its intent's, and its journal entry's if the database refuses its write.
    const id = crypto.randomUUID()
    let intent: string | null = null
    const started = performance.now()
    const attempt: Attempt = { ...context, waited: { ms: 0 }, intend: async () => undefined }
    const books = this.books
    return withLease(
      books,
      type,
      tradeId,
      (lease) => books.readTrade(type, tradeId, lease) as Promise<T | undefined>,
      (trade, lease) =>
        find(trade, {
          ...attempt,
          merchantSeen: trade.merchant,
          intend: async (action) => {
            await books.intend(id, trade, lease.holder, attempt, action)
            intent = id
          },
        }),
      (trade, finding, lease) =>
        books.write({
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

  private async adapterOf(merchantId: number, seen?: MerchantVersion): Promise<GatewayAdapter> {
    try {
      return await this.adapters(merchantId, seen)
    } catch (err) {
      // The books refusing the profile's read (a team database out of reach, or taking no more
      // connections) is a storage fault, not a broken profile: the attempt asked nothing, and a batch
      // pauses with that reason instead of recording the trade as failed.
      const fault = storageFaultOf(err)
      if (fault) throw err instanceof StorageFaultError ? err : new StorageFaultError(fault, null, err)
      throw new AttemptError(
        'merchant_config',
        `merchant profile cannot be used: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  }
}
