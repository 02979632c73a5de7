// Domain vocabulary shared by every layer: the words of docs/domain.md, as types.
// Values are the wire and database codes; display names live in ./labels.ts. The entities as the
// contract carries them are in ./entity-views.ts, what an import reports in ./import-report.ts.

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
  'team_db_copied',
  'team_passphrase_set',
  'team_passphrase_changed',
] as const
export type AuditEvent = (typeof AUDIT_EVENTS)[number]

/**
 * The shortest team passphrase (docs/team-mode.md B8.7): every member types it, and it opens every
 * merchant secret of a copy of the books wherever that copy goes.
 */
export const TEAM_PASSPHRASE_MIN = 12

export const BATCH_STATUSES = ['pending', 'running', 'paused', 'cancelled', 'interrupted', 'done'] as const
export type BatchStatus = (typeof BATCH_STATUSES)[number]

/**
 * Why the storage refused a write: the disk is full, the file cannot be written (an I/O error, a
 * read-only file), another program held the database locked past the busy timeout, or a team
 * database is out of reach or takes no more connections. A batch that meets one pauses and says which
 * (docs/domain.md section 6.8).
 */
export const STORAGE_FAULTS = [
  'disk_full',
  'io_error',
  'db_locked',
  'db_unreachable',
  'db_too_many_connections',
] as const
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
