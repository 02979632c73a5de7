import type {
  AnomalyAction,
  AnomalyKind,
  AnomalyStatus,
  AuditEvent,
  BatchStatus,
  Channel,
  GatewayStatus,
  MerchantMode,
  Outcome,
  PayKind,
  PayRefundStatus,
  PayStatus,
  RefundStatus,
  RepairWay,
  StorageFault,
  SyncSource,
  TradeReconcile,
  TradeType,
  Transport,
} from './domain'

// The entities as the contract carries them (amounts in fen, times ISO 8601 with +08:00): the rows of
// every list, with the totals of a list's filter. Detail views, reports and events are in ./views.ts.

export interface MerchantView {
  id: number
  name: string
  channel: Channel
  mode: MerchantMode
  endpoint: string
  /** Public settings only (app id, mchid, serials, sign type...). */
  settings: Record<string, string>
  /** Secret field name -> whether it is set. Secrets themselves never leave main. */
  secrets: Record<string, boolean>
  enabled: boolean
  lastOkAt: string | null
  lastError: string | null
  /** The last error's code: the window says it in its language (shared/sync-errors.ts). */
  lastErrorCode: string | null
  clockSkewMs: number | null
  lastLatencyMs: number | null
  createdAt: string
  updatedAt: string
}

/** Why the schedules skip a trade: a batch a person paused or cancelled, and what it is now. */
export interface ScheduleHold {
  batchId: number
  batchStatus: BatchStatus
}

/** What both trade views end with: the trade's last sync, its hold and its statement. */
export interface TradeSyncView {
  version: number
  lastSyncAt: string | null
  lastSyncOutcome: Outcome | null
  lastGatewayStatus: GatewayStatus | null
  syncErrorCount: number
  /** The batch whose pause or cancel keeps this trade out of the schedules (docs/domain.md 6.7). */
  heldBy: ScheduleHold | null
  reconcile: TradeReconcile
}

export interface PayOrderView extends TradeSyncView {
  id: number
  orderNo: string
  bizOrderNo: string
  gatewayTradeNo: string | null
  merchantId: number
  merchant: string
  channel: Channel
  kind: PayKind
  title: string
  amount: number
  status: PayStatus
  refundStatus: PayRefundStatus
  refundableAmount: number
  createdAt: string
  expiredAt: string | null
  paidAt: string | null
  closedAt: string | null
}

export interface RefundOrderView extends TradeSyncView {
  id: number
  refundNo: string
  bizRefundNo: string
  gatewayRefundNo: string | null
  payOrderId: number
  orderNo: string
  merchantId: number
  merchant: string
  channel: Channel
  amount: number
  status: RefundStatus
  createdAt: string
  finishedAt: string | null
}

export interface SyncRecordView {
  id: number
  tradeType: TradeType
  tradeId: number
  tradeNo: string
  bizTradeNo: string
  gatewayTradeNo: string | null
  channel: Channel
  merchantId: number
  merchant: string
  gatewayStatus: GatewayStatus | null
  gatewayRawStatus: string | null
  outcome: Outcome
  repairNo: string | null
  anomalyId: number | null
  errorCode: string | null
  errorMsg: string | null
  clientIp: string | null
  operator: string | null
  source: SyncSource
  batchId: number | null
  durationMs: number
  createdAt: string
  /** The trade's amount (fen); null for a trade that is gone. */
  amount: number | null
  /** The trade's previous record said the same (outcome, gateway status, error) and nothing was repaired. */
  repeated: boolean
}

/** What a record cut off a gateway's text it keeps only the beginning of: the whole text's size and hash. */
export interface TextCut {
  /** The whole text's size in UTF-8 bytes. */
  bytes: number
  /** SHA-256 of the whole text, lowercase hex. */
  sha256: string
}

export interface SyncRecordDetail extends SyncRecordView {
  /** The gateway's response text exactly as received (its beginning when `syncInfoCut` is set). */
  syncInfo: string | null
  /**
   * The texts of the calls the attempt made after its query (the bound order query, a close and the
   * query confirming it, a payscore sync), each exactly as received, one after another.
   */
  actionInfo: string | null
  /** Set when the record keeps only the beginning of syncInfo (docs/domain.md 6.1). */
  syncInfoCut: TextCut | null
  actionInfoCut: TextCut | null
  repairs: RepairRecordView[]
}

export interface RepairRecordView {
  id: number
  repairNo: string
  tradeType: TradeType
  tradeId: number
  tradeNo: string
  source: SyncSource | 'anomaly'
  way: RepairWay
  channel: Channel
  merchant: string
  beforeStatus: string
  afterStatus: string
  remark: string | null
  operator: string | null
  /** The computer's user and the transport of the repair (null on rows older than migration 7). */
  systemUser: string | null
  transport: Transport | null
  syncRecordId: number | null
  createdAt: string
  /**
   * The repaired trade's amount (fen). The pay order's row of a refund repair carries none: the money
   * is the refund's, which the other row holds, so a sum counts it once.
   */
  amount: number | null
}

export interface AnomalyView {
  id: number
  tradeType: TradeType
  tradeId: number
  tradeNo: string
  channel: Channel
  merchant: string
  kind: AnomalyKind
  detail: string
  localStatus: string
  /** The gateway's own word (TRADE_SUCCESS, ABNORMAL...), or our code when it gave none. */
  gatewayStatus: string | null
  localAmount: number | null
  gatewayAmount: number | null
  syncRecordId: number | null
  /** The normalised gateway status of the answer last seen: with the amounts, what a decision is about. */
  answerStatus: GatewayStatus | null
  /** The decided anomaly of the same trade and kind whose answer this one's differs from. */
  followsId: number | null
  occurrences: number
  /** Syncs since the decision that brought the same answer, and so opened nothing. */
  seenAfterDecision: number
  status: AnomalyStatus
  resolution: string | null
  action: AnomalyAction | null
  repairNo: string | null
  /** Who decided: the declared name, the computer's user and the transport (null while open). */
  operator: string | null
  systemUser: string | null
  transport: Transport | null
  createdAt: string
  lastSeenAt: string
  resolvedAt: string | null
}

/** One row of the audit log: who, how, what and on what. */
export interface AuditView {
  id: number
  createdAt: string
  operator: string | null
  systemUser: string | null
  transport: Transport | null
  event: AuditEvent
  /** What the event is about: a merchant's name, `batch:12`, `anomaly:7`, `pay:3`, a file. */
  subject: string | null
  /** The event's particulars as JSON text (never a secret: names, ids and fingerprints). */
  detail: string | null
}

export interface OutcomeCounts {
  consistent: number
  repaired: number
  anomaly: number
  decided: number
  waiting: number
  error: number
  skipped: number
}

/** What a batch's items come to in money (fen), by what the gateway and the sync made of them. */
export interface BatchAmounts {
  /** Every item's trade. */
  total: number
  /** Items the gateway answered paid (pay_success). */
  paid: number
  /** Items the gateway answered refunded (refund_success). */
  refunded: number
  /** Items whose sync repaired the trade. */
  repaired: number
  /** Items left as an anomaly for a person. */
  anomaly: number
}

export interface BatchView {
  id: number
  name: string
  sourceFile: string | null
  source: SyncSource
  concurrency: number
  qps: number
  status: BatchStatus
  total: number
  done: number
  counts: OutcomeCounts
  /** Trades this batch's pause or cancel keeps out of the schedules (docs/domain.md 6.7). */
  held: number
  amounts: BatchAmounts
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  operator: string | null
  /** Set while the batch is paused because the storage refused a write. */
  pauseReason?: StorageFault
  /** The import the batch was made from, and how many rows it refused (kept for export). */
  importId: number | null
  importRejected: number
}

/**
 * The count and the sums (fen) of every row a list's filter matches, not only of the page shown
 * (docs/screens.md section 1).
 */
export interface ListTotals {
  total: number
  /** The sum of the list's amounts; for anomalies, of the local amounts. */
  amount: number
  /** Anomalies: the sum of the gateway's amounts. */
  gatewayAmount?: number
  /**
   * A number search matched more trades than a search follows (10,000): the rows and totals are those
   * of the newest of them. The window asks for more of the number instead of showing the sums.
   */
  capped?: boolean
}

export interface Page<T> extends Partial<ListTotals> {
  total: number
  items: T[]
}

/** A page that can be followed from its last row, however deep (shared/filters.ts, ListCursor). */
export interface Continued {
  /** Present when rows follow this page: the next page's `after`. */
  next?: string
}

/** A page of one of the lists of sync records, trades, repairs or anomalies: with its filter's sums. */
export type ListPage<T> = Page<T> & ListTotals & Continued
