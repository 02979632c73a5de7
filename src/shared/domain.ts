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
 * another worker (maybe another process) held the trade's lease: error code 10007. `decided` is a
 * difference whose answer a person already decided on (docs/domain.md 6.6): the record links that
 * anomaly, nothing opens, and nothing waits for a person.
 */
export const OUTCOMES = [
  'consistent',
  'repaired',
  'anomaly',
  'decided',
  'waiting',
  'error',
  'skipped',
] as const
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
  'gateway_action_unknown',
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

/**
 * How a change reached the books: the desktop app's window, browser mode, the command line, or the
 * schedules (of the app or of `paysync serve`) acting on their own.
 */
export const TRANSPORTS = ['electron', 'http', 'cli', 'schedule'] as const
export type Transport = (typeof TRANSPORTS)[number]

/**
 * Who did something (docs/domain.md section 2): the operator name declared in 设置 or by
 * PAYSYNC_OPERATOR (anyone can type any name), beside what cannot be typed in: the computer's user
 * the process runs as, and the transport. Rows written before these were kept have neither.
 */
export interface Actor {
  operator: string | null
  systemUser?: string | null
  transport?: Transport | null
}

/** What the audit log records (docs/domain.md section 2). */
export const AUDIT_EVENTS = [
  'merchant_added',
  'merchant_changed',
  'merchant_removed',
  'manual_repair',
  'anomaly_resolved',
  'anomaly_dismissed',
  'export_written',
  'settings_changed',
  'import_run',
  'batch_started',
  'batch_paused',
  'batch_resumed',
  'batch_cancelled',
  'schedule_released',
  'demo_removed',
  'statement_uploaded',
  'statement_rerun',
  'statement_diff_dismissed',
] as const
export type AuditEvent = (typeof AUDIT_EVENTS)[number]

export const BATCH_STATUSES = ['pending', 'running', 'paused', 'cancelled', 'interrupted', 'done'] as const
export type BatchStatus = (typeof BATCH_STATUSES)[number]

/**
 * Why the storage refused a write: the disk is full, the file cannot be written (an I/O error, a
 * read-only file), or another program held the database locked past the busy timeout. A batch that
 * meets one pauses and says which (docs/domain.md section 6.8).
 */
export const STORAGE_FAULTS = ['disk_full', 'io_error', 'db_locked'] as const
export type StorageFault = (typeof STORAGE_FAULTS)[number]

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
  /** The batch whose pause or cancel keeps this trade out of the schedules (docs/domain.md 6.7). */
  heldBy: ScheduleHold | null
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
  /** The batch whose pause or cancel keeps this trade out of the schedules (docs/domain.md 6.7). */
  heldBy: ScheduleHold | null
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

export interface SyncSummary {
  batchId: number | null
  total: number
  consistent: number
  repaired: number
  anomalies: number
  /** Differences a person already decided on, seen again with the same answer: nothing to decide. */
  decided: number
  waiting: number
  errors: number
  skipped: number
  durationMs: number
  byGatewayStatus: Partial<Record<GatewayStatus, number>>
  /** The batch stopped, paused, because the storage refused a write; the rest waits for a resume. */
  pauseReason?: StorageFault
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

/**
 * What a row is besides going in or being refused: a repeat of an earlier line, a trade here already
 * that the file describes otherwise (not changed), a value that looks wrong but is taken (warning),
 * a line skipped (a 合计 line, a title above the header).
 */
export interface ImportNote {
  line: number
  column: string | null
  kind: 'duplicate' | 'conflict' | 'warning' | 'skipped'
  /** In English, for the command line. */
  reason: string
  said: { id: MessageId; params: Params }
}

/** The units an amount column can be read in. */
export const AMOUNT_UNITS = ['yuan', 'fen'] as const
export type AmountUnit = (typeof AMOUNT_UNITS)[number]

/**
 * An amount column of a file and the unit it is read in, with what decided it (docs/cli.md section
 * 3.2): the column mapping, the unit the person gave (--amount-unit, the window's 元/分), the header
 * (分, fen, 元, yuan), the values (a decimal or a currency sign: yuan), or nothing at all (`assumed`:
 * read as yuan).
 */
export interface AmountColumn {
  index: number
  header: string
  field: 'amountFen' | 'amountYuan' | 'refundAmountFen' | 'refundAmountYuan'
  unit: AmountUnit
  from: 'mapping' | 'option' | 'header' | 'values' | 'assumed'
  /**
   * Every value a bare whole number and nothing states the unit: 100 may be ¥100.00 or ¥1.00, so a
   * person must say which before the file is imported (the preview asks; an import refuses).
   */
  question: boolean
}

export interface ImportSummary {
  importId: number
  file: string
  encoding: string
  type: TradeType
  /** Data rows read below the header (lines above it are not counted). */
  rows: number
  inserted: number
  updated: number
  unchanged: number
  /** Rows that repeat an earlier row of the file exactly. */
  duplicates: number
  /** Rows of a trade here already (or earlier in the file) whose status or title differs: not changed. */
  conflicts: number
  /** 合计 lines, recognised and left out. */
  skipped: number
  rejected: number
  /** Rows taken with a warning (a doubtful value). */
  warnings: number
  /** The line of the header row: 1 unless title lines stand above it. */
  headerLine: number
  amountColumns: AmountColumn[]
  /** The merchant names of a merchant column that the merchant chosen for the whole file overrode. */
  merchantColumnIgnored: string[]
  errors: ImportRowError[]
  /** Duplicates, conflicts, warnings and skipped lines, by line (the first thousand). */
  notes: ImportNote[]
  /** The batch that syncs the file's trades, when the import started one. */
  batchId?: number
  /** Its items: each trade once, however often the file lists it. */
  batchTotal?: number
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

/** A page of one of the lists of sync records, trades, repairs or anomalies: with its filter's sums. */
export type ListPage<T> = Page<T> & ListTotals
