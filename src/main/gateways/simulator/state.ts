import type { Channel, MerchantMode, PayKind } from '../../../shared/domain'

// The gateway side of the world: what the simulated Alipay, WeChat Pay, DaxPay and UnionPay believe
// about each order and refund, and the faults and counters of the control endpoints (docs/cli.md 2.2).

export const FAULTS = [
  'system_error',
  'rate_limit',
  'timeout',
  'reset',
  'bad_signature',
  'probe_signature',
  'malformed',
  'clock_skew',
  'oversized',
  'no_amount',
  'unstamped',
  // The statement parts' own (docs/reconcile.md A14), rendered by the bill calls only.
  'bill_not_ready',
  'bill_hash_mismatch',
  'bill_truncated',
  'bill_gbk_name_utf8flag',
] as const
export type FaultName = (typeof FAULTS)[number]

export interface FaultConfig {
  latencyMs: number
  jitterMs: number
  /** Requests per second the gateway accepts per merchant; 0 means no limit. */
  qps: number
  faultRate: number
  faults: FaultName[]
}

export interface SimKeys {
  /** The merchant's own key pair: the private half goes into the profile, the public half verifies requests. */
  merchantPrivateKey: string
  merchantPublicKey: string
  /** The gateway's key pair: it signs answers; the public half goes into the profile. */
  gatewayPrivateKey: string
  gatewayPublicKey: string
  /** WeChat Pay platform-certificate mode: a second gateway key and its certificate. */
  platformPrivateKey?: string
  platformCertificate?: string
}

export interface SimMerchant {
  name: string
  channel: Channel
  mode: MerchantMode
  keys: SimKeys
  /** Channel identifiers: app_id, mchid, serials, sign secrets... */
  ids: Record<string, string>
}

export interface SimOrder {
  merchant: string
  orderNo: string
  amount: number
  /** The gateway's own word: WAIT_BUYER_PAY, TRADE_SUCCESS, NOTPAY, DOING/MCH_COMPLETE, NOT_CREATED... */
  state: string
  paidAt: number | null
  gatewayTradeNo: string | null
  kind: PayKind
  createdAt: number
  /** A change the gateway makes by itself after answering this many queries: the buyer pays while we look. */
  then?: { afterQueries: number; state: string }
}

export interface SimRefund {
  merchant: string
  orderNo: string
  refundNo: string
  amount: number
  state: string
  gatewayRefundNo: string
  createdAt: number
}

/**
 * A line `/_sim/statements` puts in a day's bill, over what the simulated trades give (a trade only the
 * gateway knows, another amount, a fee, a duplicate). Amounts and fees in fen, times UTC ms.
 */
export interface SimBillLine {
  kind: 'pay' | 'refund' | 'revoke'
  orderNo: string
  refundNo?: string
  amount: number
  time: number
  fee?: number
  gatewayTradeNo?: string
  /** WeChat's 退款状态 on a refund row (SUCCESS, PROCESSING, CHANGE, FAIL). */
  status?: string
  /** Takes the derived line of the same trade out of the bill, and adds nothing. */
  omit?: boolean
}

/** `count` pay lines of `amount` fen made up as the bill is written: a large day in bounded memory. */
export interface SimSyntheticLines {
  count: number
  amount: number
  prefix: string
}

export interface SimStatementDay {
  lines: SimBillLine[]
  synthetic: SimSyntheticLines | null
  /**
   * When the channel has made this day's bill, if not at its usual hour (09:00 the next day): the
   * demo, which seeds its own simulator, has yesterday's bill out whatever the hour it starts.
   */
  readyAt: number | null
}

export interface SimStats {
  requests: Record<string, number>
  /** Bill applications and bill downloads (docs/reconcile.md A14). */
  billRequests: number
  rejectedSignatures: number
  rateLimited: number
  maxConcurrent: number
  closes: number
  payscoreSyncs: number
  faultsInjected: number
  /**
   * The most gateway requests any one-second window held, refused ones too: what a QPS limit is judged
   * on, seen where the gateway counts (several processes sharing one limit are judged together here).
   */
  busiestSecond: number
}

export function emptyStats(): SimStats {
  return {
    requests: {},
    billRequests: 0,
    rejectedSignatures: 0,
    rateLimited: 0,
    maxConcurrent: 0,
    closes: 0,
    payscoreSyncs: 0,
    faultsInjected: 0,
    busiestSecond: 0,
  }
}

export function defaultFaults(): FaultConfig {
  return { latencyMs: 0, jitterMs: 0, qps: 0, faultRate: 0, faults: [] }
}

const key = (merchant: string, no: string) => `${merchant}\u0000${no}`

/** Accepted requests of the last second, for the QPS limit: a sliding window, as strict as a gateway's. */
export class RateWindow {
  private times: number[] = []
  private head = 0
  count(now: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - 1000) this.head++
    if (this.head > 4096) {
      this.times = this.times.slice(this.head)
      this.head = 0
    }
    return this.times.length - this.head
  }
  add(now: number): void {
    this.times.push(now)
  }
  clear(): void {
    this.times = []
    this.head = 0
  }
}

/** A test's hold on the answers about one order: see SimState.hold. */
export interface SimHold {
  /** Resolves once a request about the order has arrived and is being held. */
  readonly reached: Promise<void>
  /** Lets the held answers go, and every later one. */
  release(): void
}

interface Held {
  pattern: RegExp
  reached: () => void
  released: Promise<void>
}

/** How many arrival times are kept: enough for any test's batch, bounded for long runs. */
const ARRIVALS_KEPT = 10_000

export class SimState {
  readonly merchants = new Map<string, SimMerchant>()
  private orders = new Map<string, SimOrder>()
  private refunds = new Map<string, SimRefund>()
  /** What `/_sim/statements` set, by merchant and bill day. */
  readonly statements = new Map<string, SimStatementDay>()
  faults: FaultConfig = defaultFaults()
  stats: SimStats = emptyStats()
  inFlight = 0
  /** Answers given and the time they took here, arrival to answer: the gateway's side of latency. */
  served = 0
  serviceMs = 0
  readonly rateWindow = new RateWindow()
  /** Every request of the last second, refused ones too, for `stats.busiestSecond`. */
  private readonly arrivalWindow = new RateWindow()
  /** When each gateway request arrived (performance.now()), refused ones too; the latest ARRIVALS_KEPT. */
  private arrivals: number[] = []
  private holds = new Map<string, Held>()

  private seq = 0

  getOrder(merchant: string, orderNo: string): SimOrder | undefined {
    return this.orders.get(key(merchant, orderNo))
  }

  findOrderByTradeNo(merchant: string, tradeNo: string): SimOrder | undefined {
    for (const o of this.orders.values())
      if (o.merchant === merchant && o.gatewayTradeNo === tradeNo) return o
    return undefined
  }

  putOrder(o: SimOrder): void {
    this.orders.set(key(o.merchant, o.orderNo), o)
  }

  getRefund(merchant: string, refundNo: string): SimRefund | undefined {
    return this.refunds.get(key(merchant, refundNo))
  }

  refundsOf(merchant: string, orderNo: string): SimRefund[] {
    return [...this.refunds.values()].filter((r) => r.merchant === merchant && r.orderNo === orderNo)
  }

  putRefund(r: SimRefund): void {
    this.refunds.set(key(r.merchant, r.refundNo), r)
  }

  allOrders(): SimOrder[] {
    return [...this.orders.values()]
  }

  allRefunds(): SimRefund[] {
    return [...this.refunds.values()]
  }

  /** Counts a query of an order and applies its scheduled change once due. */
  queried(order: SimOrder, now = Date.now()): void {
    if (!order.then) return
    order.then.afterQueries -= 1
    if (order.then.afterQueries <= 0) {
      order.state = order.then.state
      if (order.paidAt === null && /SUCCESS|FINISHED|^DONE$|^00$/.test(order.state)) order.paidAt = now
      delete order.then
    }
  }

  count(endpoint: string): void {
    this.stats.requests[endpoint] = (this.stats.requests[endpoint] ?? 0) + 1
  }

  /** A gateway trade number in the shape the real one has: date, a channel tag and a sequence. */
  nextTradeNo(prefix: string, at = Date.now(), length = 28): string {
    const d = new Date(at + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '')
    this.seq += 1
    return `${d}${prefix}${String(this.seq).padStart(length - d.length - prefix.length, '0')}`
  }

  /** Notes when a gateway request arrived, before the QPS limit looks at it. */
  arrived(at: number): void {
    this.arrivalWindow.add(at)
    this.stats.busiestSecond = Math.max(this.stats.busiestSecond, this.arrivalWindow.count(at))
    this.arrivals.push(at)
    if (this.arrivals.length > 2 * ARRIVALS_KEPT) this.arrivals = this.arrivals.slice(-ARRIVALS_KEPT)
  }

  /** Arrival times of the gateway requests since `since` (performance.now()), oldest first. */
  arrivalsSince(since: number): number[] {
    return this.arrivals.filter((t) => t >= since)
  }

  /** Forgets the requests of the last second, so that a test's QPS limit starts from an empty window. */
  resetRateWindow(): void {
    this.rateWindow.clear()
  }

  /**
   * Holds every answer about `orderNo` (a request whose target or body names it) until released: a
   * test orders two concurrent syncs of one trade by this instead of by a latency and a sleep.
   */
  hold(orderNo: string): SimHold {
    const escaped = orderNo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    let reached!: () => void
    let release!: () => void
    const held: Held = {
      // The order number as a whole word of the request, so that ORDER-1 does not hold ORDER-10.
      pattern: new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`),
      reached: () => reached(),
      released: new Promise<void>((r) => (release = r)),
    }
    const hold: SimHold = {
      reached: new Promise<void>((r) => (reached = r)),
      release: () => {
        if (this.holds.get(orderNo) === held) this.holds.delete(orderNo)
        release()
      },
    }
    this.holds.set(orderNo, held)
    return hold
  }

  /** The wait a request must do under a hold, or null; `text` is its target and body, as sent. */
  heldFor(text: string): Promise<void> | null {
    if (this.holds.size === 0) return null
    let decoded = text
    try {
      decoded = decodeURIComponent(text.replace(/\+/g, ' '))
    } catch {
      // Not percent-encoded after all: the text as sent is what is searched.
    }
    for (const held of this.holds.values()) {
      if (held.pattern.test(text) || held.pattern.test(decoded)) {
        held.reached()
        return held.released
      }
    }
    return null
  }

  statementDay(merchant: string, date: string): SimStatementDay | undefined {
    return this.statements.get(key(merchant, date))
  }

  putStatementDay(merchant: string, date: string, day: SimStatementDay): void {
    this.statements.set(key(merchant, date), day)
  }

  reset(): void {
    this.orders.clear()
    this.refunds.clear()
    this.statements.clear()
    this.faults = defaultFaults()
    this.stats = emptyStats()
    this.arrivalWindow.clear()
  }
}
