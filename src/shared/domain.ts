import type { MessageId, Params } from './messages'

// Domain vocabulary shared by every layer: the words of docs/domain.md, as types.
// Values are the wire and database codes; display names live in ./labels.ts.

export const CHANNELS = ['alipay', 'wechat', 'daxpay', 'unionpay'] as const
export type Channel = (typeof CHANNELS)[number]

export const MERCHANT_MODES = ['direct', 'partner'] as const
export type MerchantMode = (typeof MERCHANT_MODES)[number]

export const TRADE_TYPES = ['pay', 'refund'] as const
export type TradeType = (typeof TRADE_TYPES)[number]

export const PAY_KINDS = ['pay', 'payscore'] as const
export type PayKind = (typeof PAY_KINDS)[number]

export const PAY_STATUSES = ['progress', 'success', 'close', 'cancel', 'fail'] as const
export type PayStatus = (typeof PAY_STATUSES)[number]

export const PAY_REFUND_STATUSES = ['no_refund', 'refunding', 'partial_refund', 'refunded'] as const
export type PayRefundStatus = (typeof PAY_REFUND_STATUSES)[number]

export const REFUND_STATUSES = ['progress', 'success', 'close', 'fail'] as const
export type RefundStatus = (typeof REFUND_STATUSES)[number]

/** Normalised answer of a pay query (docs/domain.md section 3). `pay_timeout` is derived by the engine. */
export const PAY_GATEWAY_STATUSES = [
  'pay_success',
  'pay_progress',
  'pay_closed',
  'pay_fail',
  'pay_refund',
  'pay_not_found',
  'pay_timeout',
  'sync_error',
] as const
export type PayGatewayStatus = (typeof PAY_GATEWAY_STATUSES)[number]

export const REFUND_GATEWAY_STATUSES = [
  'refund_success',
  'refund_progress',
  'refund_closed',
  'refund_abnormal',
  'refund_not_found',
  'sync_error',
] as const
export type RefundGatewayStatus = (typeof REFUND_GATEWAY_STATUSES)[number]

export const GATEWAY_STATUSES = [
  ...PAY_GATEWAY_STATUSES,
  ...REFUND_GATEWAY_STATUSES.filter((s) => s !== 'sync_error'),
] as const
export type GatewayStatus = PayGatewayStatus | RefundGatewayStatus

/**
 * What one sync attempt came to. `skipped` is an attempt that did not reach the gateway because
 * another worker (maybe another process) held the trade's lease: error code 10007.
 */
export const OUTCOMES = ['consistent', 'repaired', 'anomaly', 'waiting', 'error', 'skipped'] as const
export type Outcome = (typeof OUTCOMES)[number]

/** `reconcile`: a sync a statement difference asked for (docs/reconcile.md A7). */
export const SYNC_SOURCES = ['manual', 'batch', 'schedule', 'timeout', 'reconcile'] as const
export type SyncSource = (typeof SYNC_SOURCES)[number]

export const AUTO_REPAIR_WAYS = [
  'pay_success',
  'pay_close_local',
  'pay_close_gateway',
  'pay_fail',
  'payscore_sync_gateway',
  'refund_success',
  'refund_close',
] as const
export type AutoRepairWay = (typeof AUTO_REPAIR_WAYS)[number]

/** A person's decision on an anomaly, applied through the same compare-and-set path. */
export const MANUAL_REPAIR_WAYS = [
  'manual_pay_success',
  'manual_pay_close',
  'manual_refund_success',
  'manual_refund_close',
] as const
export type ManualRepairWay = (typeof MANUAL_REPAIR_WAYS)[number]
export const REPAIR_WAYS = [...AUTO_REPAIR_WAYS, ...MANUAL_REPAIR_WAYS] as const
export type RepairWay = AutoRepairWay | ManualRepairWay

export const ANOMALY_KINDS = [
  'amount_mismatch',
  'amount_unknown',
  'refund_unrecorded',
  'success_but_gateway_unpaid',
  'success_but_gateway_missing',
  'success_but_gateway_closed',
  'success_but_gateway_failed',
  'paid_after_close',
  'refund_abnormal',
  'refund_state_conflict',
  'refund_success_but_gateway_missing',
  'refund_succeeded_after_close',
  'sync_keeps_failing',
  // A statement line with no local trade in scope, and one naming another gateway number (docs/reconcile.md A7).
  'statement_unknown_trade',
  'statement_trade_no_conflict',
] as const
export type AnomalyKind = (typeof ANOMALY_KINDS)[number]

export const ANOMALY_STATUSES = ['open', 'resolved', 'dismissed'] as const
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number]

/**
 * What a person may decide on an anomaly. `dismiss` closes it without touching the trade (the
 * local record was right, or it was handled outside this program); `acknowledge` resolves it.
 */
export const ANOMALY_ACTIONS = [
  'mark_paid',
  'close_order',
  'mark_refunded',
  'close_refund',
  'acknowledge',
  'dismiss',
] as const
export type AnomalyAction = (typeof ANOMALY_ACTIONS)[number]

export const BATCH_STATUSES = ['pending', 'running', 'paused', 'cancelled', 'interrupted', 'done'] as const
export type BatchStatus = (typeof BATCH_STATUSES)[number]

export const BATCH_ITEM_STATES = ['pending', 'done', 'cancelled'] as const
export type BatchItemState = (typeof BATCH_ITEM_STATES)[number]

/** A trade's reconcile state (docs/reconcile.md A15.3): 已对账 / 未对账 / 跨日待核. */
export const RECONCILE_STATES = ['reconciled', 'unreconciled', 'pending_cross_day'] as const
export type ReconcileState = (typeof RECONCILE_STATES)[number]

/** Which statement confirmed a trade, for the orders and refunds screens' 对账 column. */
export interface TradeReconcile {
  state: ReconcileState
  statementId: number | null
  /** The bill day of that statement, YYYY-MM-DD. */
  billDate: string | null
}

// ---- entities as the contract carries them (amounts in fen, times ISO 8601 with +08:00) ----

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
  clockSkewMs: number | null
  lastLatencyMs: number | null
  createdAt: string
  updatedAt: string
}

export interface PayOrderView {
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
  version: number
  lastSyncAt: string | null
  lastSyncOutcome: Outcome | null
  lastGatewayStatus: GatewayStatus | null
  syncErrorCount: number
  reconcile: TradeReconcile
}

export interface RefundOrderView {
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
  version: number
  lastSyncAt: string | null
  lastSyncOutcome: Outcome | null
  lastGatewayStatus: GatewayStatus | null
  syncErrorCount: number
  reconcile: TradeReconcile
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
  syncRecordId: number | null
  createdAt: string
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
  gatewayStatus: string | null
  localAmount: number | null
  gatewayAmount: number | null
  syncRecordId: number | null
  occurrences: number
  status: AnomalyStatus
  resolution: string | null
  action: AnomalyAction | null
  repairNo: string | null
  operator: string | null
  createdAt: string
  lastSeenAt: string
  resolvedAt: string | null
}

export interface OutcomeCounts {
  consistent: number
  repaired: number
  anomaly: number
  waiting: number
  error: number
  skipped: number
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
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  operator: string | null
}

export interface SyncSummary {
  batchId: number | null
  total: number
  consistent: number
  repaired: number
  anomalies: number
  waiting: number
  errors: number
  skipped: number
  durationMs: number
  byGatewayStatus: Partial<Record<GatewayStatus, number>>
}

export interface ImportRowError {
  line: number
  column: string | null
  /** In English, for the command line and the log. */
  reason: string
  /** The same sentence by id and parameters, for the window to show in its language. */
  said?: { id: MessageId; params: Params }
  raw?: string
}

export interface ImportSummary {
  importId: number
  file: string
  encoding: string
  type: TradeType
  rows: number
  inserted: number
  updated: number
  unchanged: number
  rejected: number
  errors: ImportRowError[]
  /** The batch that syncs the file's trades, when the import started one. */
  batchId?: number
  /** Its items: each trade once, however often the file lists it. */
  batchTotal?: number
}

export interface Page<T> {
  total: number
  items: T[]
}
