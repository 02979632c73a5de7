import { CHANNEL_LABELS, COMMON_FIELD_LABELS } from './channel-labels'
import type { ProfileField } from './channels'
import { CHANNELS, type AuditEvent, type ReconcileState, type Transport } from './domain'
import type { Lang } from './messages'
import type {
  CalendarState,
  CarryReason,
  CarryStatus,
  StatementResult,
  StatementSource,
  StatementStatus,
  YesterdayState,
} from './statements'

// Display names of the domain codes, Chinese first and English second, for the screens and the CSV
// export. Codes stay codes everywhere else.

// The window takes the language from here, with the labels.
export type { Lang }
type Names = Record<string, [zh: string, en: string]>

/**
 * The merchant profile's fields as the form labels them: the common ones, then each channel's own
 * (./channel-labels.ts; ./channels.ts holds every schema field to having one). Main's sentences name
 * fields by them too (the secrets to enter again, the anchors that changed, a key it cannot use). A
 * field two channels share is named alike in both (tests/gateways/channels.test.ts).
 */
const PROFILE_FIELDS = Object.fromEntries(
  [COMMON_FIELD_LABELS, ...CHANNELS.map((c) => CHANNEL_LABELS[c].fields)].flatMap((fields) =>
    Object.entries(fields as Readonly<Record<string, readonly [string, string]>>).map(
      ([field, pair]): [string, [zh: string, en: string]] => [field, [...pair]],
    ),
  ),
) as Record<ProfileField, [zh: string, en: string]>

export const LABELS = {
  channel: Object.fromEntries(
    CHANNELS.map((c): [string, [string, string]] => [c, [...CHANNEL_LABELS[c].name]]),
  ),
  tradeType: { pay: ['支付同步', 'Pay'], refund: ['退款同步', 'Refund'] },
  payStatus: {
    progress: ['支付中', 'In progress'],
    success: ['成功', 'Paid'],
    close: ['关闭', 'Closed'],
    cancel: ['撤销', 'Cancelled'],
    fail: ['失败', 'Failed'],
  },
  payRefundStatus: {
    no_refund: ['未退款', 'Not refunded'],
    refunding: ['退款中', 'Refunding'],
    partial_refund: ['部分退款', 'Partly refunded'],
    refunded: ['全部退款', 'Refunded'],
  },
  refundStatus: {
    progress: ['退款中', 'In progress'],
    success: ['退款成功', 'Refunded'],
    close: ['退款关闭', 'Closed'],
    fail: ['退款失败', 'Failed'],
  },
  gatewayStatus: {
    pay_success: ['支付成功', 'Paid'],
    pay_progress: ['支付中', 'Waiting for payment'],
    pay_closed: ['已关闭', 'Closed'],
    pay_fail: ['支付失败', 'Payment failed'],
    pay_refund: ['已退款', 'Refunded'],
    pay_not_found: ['交易不存在', 'Not found'],
    pay_timeout: ['支付超时', 'Timed out'],
    refund_success: ['退款成功', 'Refunded'],
    refund_progress: ['退款中', 'Refunding'],
    refund_closed: ['退款关闭', 'Refund closed'],
    refund_abnormal: ['退款异常', 'Refund abnormal'],
    refund_not_found: ['退款不存在', 'Refund not found'],
    sync_error: ['同步失败', 'Sync error'],
  },
  outcome: {
    consistent: ['一致', 'Consistent'],
    repaired: ['已修复', 'Repaired'],
    anomaly: ['待处理', 'Needs decision'],
    decided: ['已决定', 'Decided'],
    waiting: ['等待中', 'Waiting'],
    error: ['出错', 'Error'],
    skipped: ['已跳过', 'Skipped'],
  },
  source: {
    manual: ['手动', 'Manual'],
    batch: ['批量', 'Batch'],
    schedule: ['定时', 'Schedule'],
    timeout: ['超时关闭', 'Timeout close'],
    reconcile: ['对账', 'Reconciliation'],
    anomaly: ['人工处理', 'Person'],
  },
  repairWay: {
    pay_success: ['支付成功', 'Mark paid'],
    pay_close_local: ['关闭本地订单', 'Close locally'],
    pay_close_gateway: ['关闭网关订单', 'Close at gateway'],
    pay_fail: ['支付失败', 'Mark failed'],
    payscore_sync_gateway: ['同步支付分订单', 'Sync payscore order'],
    refund_success: ['退款成功', 'Mark refunded'],
    refund_close: ['退款关闭', 'Close refund'],
    manual_pay_success: ['人工：补单成功', 'Person: mark paid'],
    manual_pay_close: ['人工：关闭订单', 'Person: close order'],
    manual_refund_success: ['人工：退款成功', 'Person: mark refunded'],
    manual_refund_close: ['人工：关闭退款', 'Person: close refund'],
  },
  anomalyKind: {
    amount_mismatch: ['金额不一致', 'Amount mismatch'],
    amount_unknown: ['网关金额未知', 'Gateway amount unknown'],
    refund_unrecorded: ['退款未记录', 'Refund not recorded'],
    success_but_gateway_unpaid: ['本地成功网关未付', 'Paid here, unpaid at gateway'],
    success_but_gateway_missing: ['本地成功网关无单', 'Paid here, missing at gateway'],
    success_but_gateway_closed: ['本地成功网关关闭', 'Paid here, closed at gateway'],
    success_but_gateway_failed: ['本地成功网关失败', 'Paid here, failed at gateway'],
    paid_after_close: ['关闭后被支付', 'Paid after close'],
    refund_abnormal: ['退款异常', 'Refund abnormal'],
    refund_state_conflict: ['退款状态冲突', 'Refund state conflict'],
    refund_success_but_gateway_missing: ['退款成功网关无单', 'Refunded here, missing at gateway'],
    refund_succeeded_after_close: ['关闭后退款成功', 'Refunded after close'],
    sync_keeps_failing: ['持续同步失败', 'Keeps failing'],
    gateway_action_unknown: ['网关操作结果未知', 'Gateway action, outcome unknown'],
    statement_unknown_trade: ['对账单有、本地无', 'In the bill, not here'],
    statement_trade_no_conflict: ['通道单号不符', 'Gateway number differs'],
  },
  anomalyStatus: {
    open: ['待处理', 'Open'],
    resolved: ['已处理', 'Resolved'],
    dismissed: ['已忽略', 'Dismissed'],
  },
  anomalyAction: {
    mark_paid: ['补单为成功', 'Mark as paid'],
    close_order: ['关闭订单', 'Close the order'],
    mark_refunded: ['确认退款成功', 'Mark as refunded'],
    close_refund: ['关闭退款', 'Close the refund'],
    acknowledge: ['已线下处理', 'Handled elsewhere'],
    dismiss: ['忽略', 'Dismiss'],
  },
  batchStatus: {
    pending: ['待开始', 'Pending'],
    running: ['进行中', 'Running'],
    paused: ['已暂停', 'Paused'],
    cancelled: ['已取消', 'Cancelled'],
    interrupted: ['已中断', 'Interrupted'],
    done: ['已完成', 'Done'],
  },
  batchItemState: {
    pending: ['待同步', 'Pending'],
    done: ['已完成', 'Done'],
    cancelled: ['已取消', 'Cancelled'],
  },
  diffKind: {
    gateway_only: ['通道有、本地无', 'In the bill, not here'],
    refund_unrecorded: ['通道有退款、本地无', 'Refund in the bill, not here'],
    local_not_success: ['通道成功、本地未成功', 'Successful in the bill, not here'],
    local_only: ['本地有、通道无', 'Here, not in the bill'],
    amount_mismatch: ['金额不符', 'Amounts differ'],
    status_mismatch: ['状态不符', 'States differ'],
    trade_no_conflict: ['通道单号不符', 'Gateway number differs'],
    fee_deviation: ['手续费异常', 'Fee deviates'],
  },
  diffAction: {
    none: ['无', 'None'],
    sync_queued: ['同步排队中', 'Sync queued'],
    sync_done: ['已同步', 'Synced'],
    sync_busy: ['忙碌稍后重试', 'Busy, retried later'],
    anomaly_opened: ['已转待处理', 'Sent to anomalies'],
  },
  diffStatus: {
    open: ['待处理', 'Open'],
    resolved: ['已解决', 'Resolved'],
    dismissed: ['已忽略', 'Dismissed'],
  },
  statementStatus: {
    pending: ['待对账', 'Pending'],
    fetching: ['下载中', 'Fetching'],
    not_ready: ['账单未生成', 'Bill not ready'],
    empty: ['无交易', 'No trades'],
    failed: ['失败', 'Failed'],
    parsed: ['已解析', 'Parsed'],
    matched: ['已对账', 'Reconciled'],
  } satisfies Record<StatementStatus, [string, string]>,
  statementResult: {
    balanced: ['平', 'Balanced'],
    unbalanced: ['不平', 'Unbalanced'],
    pending_cross_day: ['待跨日核对', 'Waiting cross-day'],
  } satisfies Record<StatementResult, [string, string]>,
  statementSource: {
    download: ['下载', 'Downloaded'],
    upload: ['上传（未验证）', 'Uploaded (unverified)'],
  } satisfies Record<StatementSource, [string, string]>,
  /** A day of the 对账 calendar (docs/reconcile.md A15.1). */
  calendarState: {
    balanced: ['平', 'Balanced'],
    unbalanced: ['不平', 'Unbalanced'],
    pending_cross_day: ['待跨日', 'Cross-day'],
    not_ready: ['账单未生成', 'Not ready'],
    empty: ['无交易', 'No trades'],
    failed: ['失败', 'Failed'],
    not_reconciled: ['未对账', 'Not reconciled'],
  } satisfies Record<CalendarState, [string, string]>,
  /** Yesterday's bill of a merchant on the overview (docs/reconcile.md A15.4, A12). */
  yesterdayState: {
    balanced: ['平', 'Balanced'],
    unbalanced: ['不平', 'Unbalanced'],
    pending_cross_day: ['待跨日', 'Cross-day'],
    not_ready: ['账单未生成', 'Not ready yet'],
    empty: ['无交易', 'No trades'],
    failed: ['失败', 'Failed'],
    not_reconciled: ['未对账', 'Not reconciled'],
    never_came: ['账单未生成（14:00 后不再重试）', 'No bill (no retry after 14:00)'],
  } satisfies Record<YesterdayState, [string, string]>,
  /** A trade's 对账 column (docs/reconcile.md A15.3). */
  reconcileState: {
    reconciled: ['已对账', 'Reconciled'],
    unreconciled: ['未对账', 'Not reconciled'],
    pending_cross_day: ['跨日待核', 'Cross-day'],
  } satisfies Record<ReconcileState, [string, string]>,
  carryStatus: {
    waiting: ['等待中', 'Waiting'],
    matched: ['已核对', 'Matched'],
    expired: ['已过期', 'Expired'],
  } satisfies Record<CarryStatus, [string, string]>,
  carryReason: {
    near_midnight: ['临近零点', 'Near midnight'],
    moved_by_sync: ['同步改变了日期', 'Moved by a sync'],
  } satisfies Record<CarryReason, [string, string]>,
  lineKind: {
    pay: ['支付', 'Payment'],
    refund: ['退款', 'Refund'],
    revoke: ['撤销', 'Revoked'],
    other: ['其他', 'Other'],
  },
  matchState: {
    matched: ['一致', 'Matched'],
    matched_cross_day: ['一致（跨日）', 'Matched (cross-day)'],
    carried_in: ['跨日转入', 'Carried in'],
    foreign: ['非本系统', 'Not ours'],
    duplicate: ['重复', 'Duplicate'],
    discrepancy: ['差异', 'Difference'],
    info: ['其他', 'Info'],
  },
  payKind: {
    pay: ['普通支付', 'Payment'],
    payscore: ['微信支付分', 'Payscore'],
  },
  merchantMode: {
    direct: ['直连商户', 'Direct'],
    partner: ['服务商', 'Partner'],
  },
  profileField: PROFILE_FIELDS,
  /** How a change reached the books (方式). */
  transport: {
    electron: ['桌面应用', 'Desktop app'],
    http: ['浏览器', 'Browser'],
    cli: ['命令行', 'Command line'],
    schedule: ['定时任务', 'Schedule'],
  } satisfies Record<Transport, [string, string]>,
  auditEvent: {
    merchant_added: ['添加商户配置', 'Merchant added'],
    merchant_changed: ['修改商户配置', 'Merchant changed'],
    merchant_removed: ['删除商户配置', 'Merchant removed'],
    manual_repair: ['人工修复', 'Manual repair'],
    anomaly_resolved: ['处理待处理事项', 'Anomaly resolved'],
    anomaly_dismissed: ['忽略待处理事项', 'Anomaly dismissed'],
    export_written: ['导出', 'Export written'],
    settings_changed: ['修改设置', 'Settings changed'],
    import_run: ['导入', 'Import'],
    batch_started: ['开始批量同步', 'Batch started'],
    batch_paused: ['暂停批次', 'Batch paused'],
    batch_resumed: ['继续批次', 'Batch resumed'],
    batch_cancelled: ['取消批次', 'Batch cancelled'],
    schedule_released: ['恢复定时同步', 'Schedule released'],
    demo_removed: ['清除演示数据', 'Demo data removed'],
    statement_uploaded: ['上传对账单', 'Statement uploaded'],
    statement_rerun: ['重新对账', 'Statement reconciled again'],
    statement_diff_dismissed: ['忽略对账差异', 'Statement difference dismissed'],
    team_db_copied: ['复制到团队数据库', 'Copied into a team database'],
    team_passphrase_set: ['设置团队口令', 'Team passphrase set'],
    team_passphrase_changed: ['更改团队口令', 'Team passphrase changed'],
  } satisfies Record<AuditEvent, [string, string]>,
  /** The fields a column of an imported file may hold (the import's column mapping). */
  importField: {
    orderNo: ['商户订单号', 'Order no'],
    bizOrderNo: ['业务号', 'Business no'],
    gatewayTradeNo: ['网关订单号', 'Gateway trade no'],
    merchant: ['商户配置', 'Merchant'],
    channel: ['支付通道', 'Channel'],
    amountFen: ['金额(分)', 'Amount (fen)'],
    amountYuan: ['金额(元)', 'Amount (yuan)'],
    status: ['状态', 'Status'],
    title: ['标题', 'Title'],
    kind: ['订单类型', 'Kind'],
    createdAt: ['创建时间', 'Created at'],
    expiredAt: ['过期时间', 'Expires at'],
    paidAt: ['支付时间', 'Paid at'],
    refundNo: ['退款单号', 'Refund no'],
    bizRefundNo: ['业务退款号', 'Business refund no'],
    gatewayRefundNo: ['网关退款号', 'Gateway refund no'],
    refundAmountFen: ['退款金额(分)', 'Refund amount (fen)'],
    refundAmountYuan: ['退款金额(元)', 'Refund amount (yuan)'],
  },
} satisfies Record<string, Names>

export type LabelGroup = keyof typeof LABELS

/** Whether a key names a field of a merchant profile (the audit log's details name some). */
export function isProfileField(key: string): key is ProfileField {
  return Object.hasOwn(PROFILE_FIELDS, key)
}

/**
 * The code a display name stands for (成功 -> success, "Paid" -> success), for a person who types the
 * name the window and the CSV show; a code, or a word no name matches, comes back as it is.
 */
export function codeOf(group: LabelGroup, word: string): string {
  const names = LABELS[group] as Names
  if (Object.hasOwn(names, word)) return word
  const lower = word.trim().toLowerCase()
  for (const [code, [zh, en]] of Object.entries(names))
    if (word.trim() === zh || lower === en.toLowerCase()) return code
  return word
}

export function label(group: LabelGroup, code: string | null | undefined, lang: Lang = 'zh-CN'): string {
  if (code === null || code === undefined || code === '') return ''
  const names = (LABELS[group] as Names)[code]
  return names ? names[lang === 'zh-CN' ? 0 : 1] : code
}

/**
 * Profile fields named the way a sentence lists them, by the form's labels: 网关地址、支付宝公钥 /
 * Endpoint and Alipay public key.
 */
export function fieldList(fields: readonly string[], lang: Lang): string {
  const names = fields.map((f) => label('profileField', f, lang))
  if (lang === 'zh-CN') return names.join('、')
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}
