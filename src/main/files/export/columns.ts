import { LABELS, type LabelGroup } from '../../../shared/labels'
import type { Column } from './csv'

// The columns of each export: headers in Chinese with their units, the SQL each is read from, and
// statuses by their display names.

/** The Chinese display names of a group of codes. */
const named = (group: LabelGroup): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(LABELS[group]).map(([code, [zh]]) => [code, zh]))
const tradeType = { pay: '支付', refund: '退款' }

/**
 * A status a repair or an anomaly carries, named as the screens name it (statusName in the
 * renderer): a pay order's status or its refund status (a refund repair also rewrites its pay
 * order's, e.g. refunding to partial_refund), or a refund's status.
 */
const tradeStatus = (tradeTypeSql: string): Column['namesBy'] => ({
  sql: tradeTypeSql,
  names: {
    pay: { ...named('payStatus'), ...named('payRefundStatus') },
    refund: named('refundStatus'),
  },
})

export const recordColumns: Column[] = [
  { header: '同步记录ID', sql: 's.id', kind: 'int' },
  { header: '本地订单号', sql: 's.trade_no', kind: 'id' },
  { header: '本地业务号', sql: 's.biz_trade_no', kind: 'id' },
  { header: '网关订单号', sql: 's.gateway_trade_no', kind: 'id' },
  { header: '同步类型', sql: 's.trade_type', kind: 'text', names: named('tradeType') },
  { header: '支付通道', sql: 's.channel', kind: 'text', names: named('channel') },
  { header: '商户', sql: 'm.name', kind: 'text' },
  { header: '同步结果', sql: 's.gateway_status', kind: 'text', names: named('gatewayStatus') },
  { header: '网关原始状态', sql: 's.gateway_raw_status', kind: 'text' },
  { header: '处理结果', sql: 's.outcome', kind: 'text', names: named('outcome') },
  { header: '修复单号', sql: 's.repair_no', kind: 'id' },
  { header: '错误码', sql: 's.error_code', kind: 'text' },
  { header: '错误信息', sql: 's.error_msg', kind: 'text' },
  { header: '来源', sql: 's.source', kind: 'text', names: named('source') },
  { header: '批次ID', sql: 's.batch_id', kind: 'int' },
  { header: '客户端IP', sql: 's.client_ip', kind: 'text' },
  { header: '操作人', sql: 's.operator', kind: 'text' },
  { header: '耗时(毫秒)', sql: 's.duration_ms', kind: 'int' },
  { header: '同步时间(北京时间)', sql: 's.created_at', kind: 'time' },
  // Added after the columns scripts already read by position (docs/cli.md: extended, never changed).
  { header: '金额(元)', sql: 's.amount', kind: 'yuan' },
]

export const orderColumns: Column[] = [
  { header: '订单ID', sql: 'p.id', kind: 'int' },
  { header: '商户订单号', sql: 'p.order_no', kind: 'id' },
  { header: '本地业务号', sql: 'p.biz_order_no', kind: 'id' },
  { header: '网关订单号', sql: 'p.gateway_trade_no', kind: 'id' },
  { header: '商户', sql: 'm.name', kind: 'text' },
  { header: '支付通道', sql: 'p.channel', kind: 'text', names: named('channel') },
  { header: '订单类型', sql: 'p.kind', kind: 'text', names: { pay: '支付', payscore: '支付分' } },
  { header: '订单标题', sql: 'p.title', kind: 'text' },
  { header: '金额(元)', sql: 'p.amount', kind: 'yuan' },
  { header: '订单状态', sql: 'p.status', kind: 'text', names: named('payStatus') },
  { header: '退款状态', sql: 'p.refund_status', kind: 'text', names: named('payRefundStatus') },
  { header: '可退金额(元)', sql: 'p.refundable_amount', kind: 'yuan' },
  { header: '创建时间(北京时间)', sql: 'p.created_at', kind: 'time' },
  { header: '过期时间(北京时间)', sql: 'p.expired_at', kind: 'time' },
  { header: '支付时间(北京时间)', sql: 'p.paid_at', kind: 'time' },
  { header: '关闭时间(北京时间)', sql: 'p.closed_at', kind: 'time' },
  { header: '最近同步时间(北京时间)', sql: 'p.last_sync_at', kind: 'time' },
  { header: '最近同步结果', sql: 'p.last_sync_outcome', kind: 'text', names: named('outcome') },
]

export const refundColumns: Column[] = [
  { header: '退款ID', sql: 'r.id', kind: 'int' },
  { header: '退款号', sql: 'r.refund_no', kind: 'id' },
  { header: '商户退款号', sql: 'r.biz_refund_no', kind: 'id' },
  { header: '网关退款号', sql: 'r.gateway_refund_no', kind: 'id' },
  { header: '商户订单号', sql: 'p.order_no', kind: 'id' },
  { header: '商户', sql: 'm.name', kind: 'text' },
  { header: '支付通道', sql: 'r.channel', kind: 'text', names: named('channel') },
  { header: '退款金额(元)', sql: 'r.amount', kind: 'yuan' },
  { header: '退款状态', sql: 'r.status', kind: 'text', names: named('refundStatus') },
  { header: '创建时间(北京时间)', sql: 'r.created_at', kind: 'time' },
  { header: '完成时间(北京时间)', sql: 'r.finished_at', kind: 'time' },
  { header: '最近同步时间(北京时间)', sql: 'r.last_sync_at', kind: 'time' },
  { header: '最近同步结果', sql: 'r.last_sync_outcome', kind: 'text', names: named('outcome') },
]

export const repairColumns: Column[] = [
  { header: '修复单号', sql: 'r.repair_no', kind: 'id' },
  { header: '交易类型', sql: 'r.trade_type', kind: 'text', names: tradeType },
  { header: '交易号', sql: 'r.trade_no', kind: 'id' },
  { header: '修复方式', sql: 'r.way', kind: 'text', names: named('repairWay') },
  { header: '来源', sql: 'r.source', kind: 'text', names: named('source') },
  { header: '支付通道', sql: 'r.channel', kind: 'text', names: named('channel') },
  { header: '商户', sql: 'm.name', kind: 'text' },
  { header: '修复前状态', sql: 'r.before_status', kind: 'text', namesBy: tradeStatus('r.trade_type') },
  { header: '修复后状态', sql: 'r.after_status', kind: 'text', namesBy: tradeStatus('r.trade_type') },
  { header: '备注', sql: 'r.remark', kind: 'text' },
  { header: '操作人', sql: 'r.operator', kind: 'text' },
  { header: '系统用户', sql: 'r.system_user', kind: 'text' },
  { header: '方式', sql: 'r.transport', kind: 'text', names: named('transport') },
  { header: '同步记录ID', sql: 'r.sync_record_id', kind: 'int' },
  { header: '修复时间(北京时间)', sql: 'r.created_at', kind: 'time' },
  // The pay order's row of a refund repair has none: the refund's row holds the money (a sum counts it once).
  { header: '金额(元)', sql: 'r.amount', kind: 'yuan' },
]

export const anomalyColumns: Column[] = [
  { header: '异常ID', sql: 'a.id', kind: 'int' },
  { header: '交易类型', sql: 'a.trade_type', kind: 'text', names: tradeType },
  { header: '交易号', sql: 'a.trade_no', kind: 'id' },
  { header: '商户', sql: 'm.name', kind: 'text' },
  { header: '支付通道', sql: 'a.channel', kind: 'text', names: named('channel') },
  { header: '异常类型', sql: 'a.kind', kind: 'text', names: named('anomalyKind') },
  { header: '说明', sql: 'a.detail', kind: 'text' },
  { header: '本地状态', sql: 'a.local_status', kind: 'text', namesBy: tradeStatus('a.trade_type') },
  // The gateway's own word when it gave one (TRADE_SUCCESS), which stays as it is; our code when it
  // gave none (sync_error). The anomaly list names the codes the same way.
  { header: '网关状态', sql: 'a.gateway_status', kind: 'text', names: named('gatewayStatus') },
  { header: '本地金额(元)', sql: 'a.local_amount', kind: 'yuan' },
  { header: '网关金额(元)', sql: 'a.gateway_amount', kind: 'yuan' },
  { header: '出现次数', sql: 'a.occurrences', kind: 'int' },
  { header: '状态', sql: 'a.status', kind: 'text', names: named('anomalyStatus') },
  { header: '处理动作', sql: 'a.action', kind: 'text', names: named('anomalyAction') },
  { header: '处理备注', sql: 'a.resolution', kind: 'text' },
  { header: '修复单号', sql: 'a.repair_no', kind: 'id' },
  { header: '操作人', sql: 'a.operator', kind: 'text' },
  { header: '系统用户', sql: 'a.system_user', kind: 'text' },
  { header: '方式', sql: 'a.transport', kind: 'text', names: named('transport') },
  { header: '首次发现(北京时间)', sql: 'a.created_at', kind: 'time' },
  { header: '最近发现(北京时间)', sql: 'a.last_seen_at', kind: 'time' },
  { header: '处理时间(北京时间)', sql: 'a.resolved_at', kind: 'time' },
]

export const batchItemColumns: Column[] = [
  { header: '交易类型', sql: 'i.trade_type', kind: 'text', names: tradeType },
  { header: '交易号', sql: 'COALESCE(p.order_no, r.refund_no)', kind: 'id' },
  { header: '商户', sql: 'm.name', kind: 'text' },
  { header: '金额(元)', sql: 'COALESCE(p.amount, r.amount)', kind: 'yuan' },
  {
    header: '处理结果',
    sql: "CASE WHEN i.state = 'done' THEN i.outcome ELSE i.state END",
    kind: 'text',
    names: { ...named('outcome'), cancelled: '已取消', pending: '未完成' },
  },
  { header: '同步结果', sql: 'i.gateway_status', kind: 'text', names: named('gatewayStatus') },
  { header: '尝试次数', sql: 'i.attempts', kind: 'int' },
  { header: '错误信息', sql: 'i.last_error', kind: 'text' },
  { header: '同步记录ID', sql: 'i.sync_record_id', kind: 'int' },
]

/** 对账差异 (docs/reconcile.md A16), one row per difference of a statement. */
export const statementDiffColumns: Column[] = [
  { header: '对账日期', sql: 's.bill_date', kind: 'text' },
  { header: '商户', sql: 'm.name', kind: 'text' },
  { header: '通道', sql: 's.channel', kind: 'text', names: named('channel') },
  { header: '差异类型', sql: 'd.kind', kind: 'text', names: named('diffKind') },
  { header: '差异说明', sql: 'd.reason_text', kind: 'text' },
  { header: '交易类型', sql: 'd.trade_type', kind: 'text', names: tradeType },
  { header: '本地订单号', sql: 'd.order_no', kind: 'id' },
  { header: '本地退款号', sql: 'd.refund_no', kind: 'id' },
  { header: '通道交易号', sql: 'l.gateway_trade_no', kind: 'id' },
  { header: '通道退款号', sql: 'l.gateway_refund_no', kind: 'id' },
  { header: '本地金额(元)', sql: 'd.local_amount', kind: 'yuan' },
  { header: '通道金额(元)', sql: 'd.statement_amount', kind: 'yuan' },
  { header: '本地状态', sql: 'd.local_status', kind: 'text', namesBy: tradeStatus('d.trade_type') },
  { header: '通道状态', sql: 'd.statement_status', kind: 'text' },
  { header: '本地时间', sql: 'd.local_time', kind: 'time' },
  { header: '通道时间', sql: 'd.statement_time', kind: 'time' },
  { header: '处理方式', sql: 'd.action', kind: 'text', names: named('diffAction') },
  { header: '同步记录号', sql: 'd.sync_record_id', kind: 'int' },
  { header: '待处理编号', sql: 'd.anomaly_id', kind: 'int' },
  { header: '处理状态', sql: 'd.status', kind: 'text', names: named('diffStatus') },
  { header: '备注', sql: 'd.remark', kind: 'text' },
]

/** 通道明细 (A16), the statement's current lines in file order. */
export const statementLineColumns: Column[] = [
  { header: '行号', sql: 'l.line_no', kind: 'int' },
  { header: '类型', sql: 'l.kind', kind: 'text', names: named('lineKind') },
  { header: '商户订单号', sql: 'l.order_no', kind: 'id' },
  { header: '通道交易号', sql: 'l.gateway_trade_no', kind: 'id' },
  { header: '退款号', sql: 'l.refund_no', kind: 'id' },
  { header: '通道退款号', sql: 'l.gateway_refund_no', kind: 'id' },
  { header: '金额(元)', sql: 'l.amount', kind: 'yuan' },
  { header: '结算金额(元)', sql: 'l.settle_amount', kind: 'yuan' },
  { header: '手续费(元)', sql: 'l.fee_e5', kind: 'fee' },
  { header: '通道状态', sql: 'l.gateway_status', kind: 'text' },
  { header: '通道时间', sql: 'l.line_time', kind: 'time' },
  { header: '匹配结果', sql: 'l.match_state', kind: 'text', names: named('matchState') },
  { header: '本地单号', sql: 'COALESCE(r.refund_no, p.order_no)', kind: 'id' },
]
