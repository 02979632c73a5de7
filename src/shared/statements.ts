import type { Channel, TradeType } from './domain'

// The words of statement reconciliation (对账, docs/reconcile.md A3, A7, A13), as the contract carries
// them: the codes a statement, a line, a difference and a carry-over entry take, the views the
// screens and the command line show (the operations' inputs: ./statement-inputs.ts). Amounts are fen,
// fees 1e-5 yuan, times ISO 8601 with +08:00, bill dates YYYY-MM-DD (Beijing).

/** The channels whose gateways give a daily trade bill (DaxPay answers STATEMENT_UNSUPPORTED_CHANNEL, A1.4). */
export const STATEMENT_CHANNELS = ['alipay', 'wechat', 'unionpay'] as const satisfies readonly Channel[]
export type StatementChannel = (typeof STATEMENT_CHANNELS)[number]

export function hasStatements(channel: Channel): channel is StatementChannel {
  return (STATEMENT_CHANNELS as readonly Channel[]).includes(channel)
}

export const STATEMENT_STATUSES = [
  'pending',
  'fetching',
  'not_ready',
  'empty',
  'failed',
  'parsed',
  'matched',
] as const
export type StatementStatus = (typeof STATEMENT_STATUSES)[number]

/** 平 / 不平 / 待跨日核对; null until matched. */
export const STATEMENT_RESULTS = ['balanced', 'unbalanced', 'pending_cross_day'] as const
export type StatementResult = (typeof STATEMENT_RESULTS)[number]

export const STATEMENT_SOURCES = ['download', 'upload'] as const
export type StatementSource = (typeof STATEMENT_SOURCES)[number]

export const STATEMENT_LINE_KINDS = ['pay', 'refund', 'revoke', 'other'] as const
export type StatementLineKind = (typeof STATEMENT_LINE_KINDS)[number]

/** What matching made of a line (A3). `carried_in`: it matched a trade another day's statement carried over. */
export const MATCH_STATES = [
  'matched',
  'matched_cross_day',
  'carried_in',
  'foreign',
  'duplicate',
  'discrepancy',
  'info',
] as const
export type MatchState = (typeof MATCH_STATES)[number]

/** The differences of A7, in the order the summary lists them. */
export const DIFF_KINDS = [
  'gateway_only',
  'refund_unrecorded',
  'local_not_success',
  'local_only',
  'amount_mismatch',
  'status_mismatch',
  'trade_no_conflict',
  'fee_deviation',
] as const
export type DiffKind = (typeof DIFF_KINDS)[number]

export const DIFF_ACTIONS = ['none', 'sync_queued', 'sync_done', 'sync_busy', 'anomaly_opened'] as const
export type DiffAction = (typeof DIFF_ACTIONS)[number]

export const DIFF_STATUSES = ['open', 'resolved', 'dismissed'] as const
export type DiffStatus = (typeof DIFF_STATUSES)[number]

export const CARRY_STATUSES = ['waiting', 'matched', 'expired'] as const
export type CarryStatus = (typeof CARRY_STATUSES)[number]

export const CARRY_REASONS = ['near_midnight', 'moved_by_sync'] as const
export type CarryReason = (typeof CARRY_REASONS)[number]

export const STATEMENT_PHASES = ['fetch', 'parse', 'match', 'sync'] as const
export type StatementPhase = (typeof STATEMENT_PHASES)[number]

/** A day of the calendar (A15.1): a statement's result or status, or nothing reconciled yet. */
export const CALENDAR_STATES = [
  'balanced',
  'unbalanced',
  'pending_cross_day',
  'not_ready',
  'empty',
  'failed',
  'not_reconciled',
] as const
export type CalendarState = (typeof CALENDAR_STATES)[number]

/**
 * Yesterday's reconciliation of a merchant on the overview (A15.4): its day as the calendar says, or
 * `never_came`, a bill still not out after the daily run's last try at 14:00 (A12).
 */
export const YESTERDAY_STATES = [...CALENDAR_STATES, 'never_came'] as const
export type YesterdayState = (typeof YESTERDAY_STATES)[number]

// ---- views ----

/** The overview's 昨日对账 (A15.4): each merchant with bills, and the differences still open on any day. */
export interface YesterdayReconcile {
  billDate: string
  merchants: Array<{
    merchant: string
    channel: Channel
    state: YesterdayState
    statementId: number | null
    openDiffs: number
  }>
  /** The open differences of every statement, whatever its day. */
  openDiffs: number
}

export type DiffCounts = Record<DiffKind, number>

/** The A10 summary, the channel's side and ours (fen; fees 1e-5 yuan). */
export interface StatementSummary {
  lines: {
    total: number
    pay: number
    refund: number
    revoke: number
    other: number
    foreign: number
    duplicate: number
  }
  matched: number
  matchedCrossDay: number
  /** Local trades sent to the carry-over pool by this statement, still waiting. */
  carried: number
  diffs: DiffCounts
  channel: {
    payCount: number
    payAmount: number
    refundCount: number
    refundAmount: number
    feeE5: number
    netE5: number | null
  }
  local: { payCount: number; payAmount: number; refundCount: number; refundAmount: number }
}

/** A statement as the list shows it. */
export interface StatementView {
  id: number
  merchantId: number
  merchant: string
  channel: Channel
  billKind: 'trade'
  billDate: string
  source: StatementSource
  verified: boolean
  status: StatementStatus
  result: StatementResult | null
  errorCode: string | null
  /** The refusal or download failure in English; `errorZh` in Chinese. */
  errorMsg: string | null
  errorZh: string | null
  fileName: string | null
  integrity: 'ok' | 'mismatch' | 'unavailable' | null
  openDiffs: number
  summary: StatementSummary | null
  dryRun: boolean
  syncBatchId: number | null
  runCount: number
  lastRunAt: string | null
  durationMs: number | null
  createdAt: string
  updatedAt: string
}

/** One integrity check, the file's declared value beside what its lines add up to (A10). */
export interface StatementCheckView {
  item: string
  entry: string | null
  line: number
  declared: string
  parsed: string
  ok: boolean
  binding: boolean
}

export interface StatementNoticeView {
  messageId: string
  zh: string
  en: string
}

export interface StatementFileFacts {
  name: string | null
  sha256: string | null
  bytes: number | null
  encoding: string | null
  format: string | null
  layout: string | null
  /** The account the file names (Alipay PID, WeChat mchid, UnionPay merId). */
  account: string | null
  verified: boolean
  /** WeChat's hash_value and which bytes matched it (A1.2). */
  gatewayHash: string | null
  hashMatchedOn: 'decompressed' | 'compressed' | null
}

export interface CarryOverView {
  id: number
  merchant: string
  tradeType: TradeType
  tradeId: number
  tradeNo: string
  amount: number
  /** paidAt / finishedAt of the trade, the time that put it near midnight. */
  localTime: string | null
  fromStatementId: number
  fromDate: string
  expectedDates: string[]
  reason: CarryReason
  status: CarryStatus
  createdAt: string
  resolvedAt: string | null
  resolvedStatementId: number | null
}

export interface StatementDetail {
  statement: StatementView
  file: StatementFileFacts
  checks: StatementCheckView[]
  notices: StatementNoticeView[]
  /** The pool entries this statement sent on, and those another day's statement sent to it. */
  carryOver: { from: CarryOverView[]; into: CarryOverView[] }
}

export interface StatementLineView {
  id: number
  lineNo: number
  kind: StatementLineKind
  orderNo: string
  gatewayTradeNo: string
  refundNo: string
  gatewayRefundNo: string
  amount: number
  settleAmount: number
  feeE5: number
  gatewayStatus: string
  lineTime: string | null
  subMerchant: string
  matchState: MatchState | null
  payOrderId: number | null
  refundId: number | null
  /** The local number the line matched. */
  localNo: string | null
  note: string | null
  raw: string
}

export interface StatementDiffView {
  id: number
  statementId: number
  billDate: string
  merchant: string
  channel: Channel
  kind: DiffKind
  /** 本地长款 / 本地短款 …, Roncoo's secondary label (A7). */
  label: string | null
  tradeType: TradeType
  lineId: number | null
  payOrderId: number | null
  refundId: number | null
  orderNo: string | null
  refundNo: string | null
  gatewayNo: string | null
  localAmount: number | null
  statementAmount: number | null
  localStatus: string | null
  statementStatus: string | null
  localTime: string | null
  statementTime: string | null
  reason: string
  reasonText: string
  reasonEn: string
  action: DiffAction
  syncRecordId: number | null
  anomalyId: number | null
  status: DiffStatus
  resolvedBy: string | null
  remark: string | null
  createdAt: string
  updatedAt: string
}

export interface CalendarDay {
  date: string
  state: CalendarState
  statementId: number | null
  openDiffs: number
}

export interface StatementCalendar {
  merchant: string
  month: string
  days: CalendarDay[]
}

/** The JSON of one run, as `paysync reconcile --json` prints it (A13: fields may be added, none removed). */
export interface ReconcileRun {
  statementId: number | null
  merchant: string
  channel: Channel
  billDate: string
  source: StatementSource
  verified: boolean
  status: StatementStatus
  result: StatementResult | null
  file: { name: string | null; sha256: string | null; encoding: string | null } | null
  integrity: 'ok' | 'mismatch' | 'unavailable' | null
  lines: StatementSummary['lines']
  matched: number
  matchedCrossDay: number
  carried: number
  diffs: DiffCounts
  actions: { syncQueued: number; anomaliesOpened: number; syncBatchId: number | null; syncErrors: number }
  amounts: {
    channelPay: number
    channelRefund: number
    localPay: number
    localRefund: number
    feeE5: number
    net: number | null
  }
  errorCode: string | null
  errorMsg: string | null
  dryRun: boolean
  durationMs: number
}

export interface StatementProgressEvent {
  statementId: number
  phase: StatementPhase
  done: number
  total: number
}

export interface DiffActionResult {
  changed: number
  items: StatementDiffView[]
  /** The batch the re-synced differences went into. */
  syncBatchId?: number | null
}
