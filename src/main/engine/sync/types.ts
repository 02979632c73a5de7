import type { Actor, GatewayStatus, Outcome, SyncSource, TradeType } from '../../../shared/domain'
import type { GatewayAdapter } from '../../gateways/types'
import type { CallSlots, RateGate } from '../../gateways/rate-gate'
import type { SideEffect } from '../../store/intents'
import type { MerchantVersion } from '../../store/merchants'

// The engine's public vocabulary: what a caller says about one attempt, and what it gets back.

export const BUSY_CODE = '10007'
export const BUSY_MESSAGE = '同步处理中，请勿重复操作'

/** Who asks for one sync attempt (operator, computer user, transport), why, and under which budgets. */
export interface SyncContext extends Partial<Actor> {
  source: SyncSource
  clientIp?: string | null
  batchId?: number | null
  /** The batch item this attempt finishes, in the same transaction as its record. */
  batchItemId?: number | null
  /**
   * The runner whose claim on that item the attempt runs under: checked in the transaction that takes
   * the trade's lease, so an item whose claim passed to another runner is never asked about twice.
   */
  claimedBy?: string
  gate?: RateGate
  /** Calls in flight at the gateway, shared by every attempt of a batch or schedule for one merchant. */
  slots?: CallSlots
  /** The batch no longer wants this sync: see CallContext.stop. */
  stop?: () => boolean
  /** Filled by the sync's calls: see CallContext.waited. */
  waited?: { ms: number }
}

/**
 * One attempt as the engine runs it: the caller's context with its own wait counter, and `intend`,
 * which a flow calls right before a call that changes something at the gateway (a close, a payscore
 * sync): it records the intent on disk, and throws (so the call is not made) when it cannot.
 */
export type Attempt = SyncContext & {
  waited: { ms: number }
  intend: (action: SideEffect) => Promise<void>
  /** The trade's merchant version as read under the lease, where the books read it (trade.ts). */
  merchantSeen?: MerchantVersion
}

export interface SyncResult {
  tradeType: TradeType
  tradeId: number
  recordId: number
  outcome: Outcome
  gatewayStatus: GatewayStatus | null
  repairNo: string | null
  anomalyId: number | null
  errorCode: string | null
  errorMsg: string | null
}

export interface EngineOptions {
  /** Who holds leases taken by this engine: unique per process. */
  owner?: string
  /** Longer than the worst gateway round trip plus a close call, retries included. */
  leaseMs?: number
  refundGraceMs?: number
  /** Consecutive sync errors on one trade before anomaly `sync_keeps_failing` (default 20). */
  errorThreshold?: number
  now?: () => number
  /** The journal beside the database, for final writes it refuses (none for an in-memory database). */
  journalFile?: string | null
  /** How long a final write is retried while the database stays locked (durable.ts). */
  writeRetryMs?: number
}

/**
 * The adapter of a merchant. `seen` is the profile's version read under the attempt's lease, where the
 * books read one: a source that keeps adapters checks its kept one against it instead of reading it.
 */
export type AdapterSource = (merchantId: number, seen?: MerchantVersion) => Promise<GatewayAdapter>
