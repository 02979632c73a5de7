import { label, type Lang } from '../../../shared/labels'
import type { AnomalyRow } from '../../store/anomalies'
import type { BatchItemRow } from '../../store/batches'
import type { PayOrderRow } from '../../store/orders'
import type { SyncRecordRow } from '../../store/records'
import type { RefundOrderRow } from '../../store/refunds'
import type { RepairRecordRow } from '../../store/repairs'
import type { Column } from './csv'

// The columns of each export, headers in Chinese with their units, statuses by their display names.

const L: Lang = 'zh-CN'

export const recordColumns: Column<SyncRecordRow>[] = [
  { header: '同步记录ID', kind: 'int', value: (r) => r.id },
  { header: '本地订单号', kind: 'id', value: (r) => r.trade_no },
  { header: '本地业务号', kind: 'id', value: (r) => r.biz_trade_no },
  { header: '网关订单号', kind: 'id', value: (r) => r.gateway_trade_no },
  { header: '同步类型', kind: 'text', value: (r) => label('tradeType', r.trade_type, L) },
  { header: '支付通道', kind: 'text', value: (r) => label('channel', r.channel, L) },
  { header: '商户', kind: 'text', value: (r) => r.merchant_name },
  { header: '同步结果', kind: 'text', value: (r) => label('gatewayStatus', r.gateway_status, L) },
  { header: '网关原始状态', kind: 'text', value: (r) => r.gateway_raw_status },
  { header: '处理结果', kind: 'text', value: (r) => label('outcome', r.outcome, L) },
  { header: '修复单号', kind: 'id', value: (r) => r.repair_no },
  { header: '错误码', kind: 'text', value: (r) => r.error_code },
  { header: '错误信息', kind: 'text', value: (r) => r.error_msg },
  { header: '来源', kind: 'text', value: (r) => label('source', r.source, L) },
  { header: '批次ID', kind: 'int', value: (r) => r.batch_id },
  { header: '客户端IP', kind: 'text', value: (r) => r.client_ip },
  { header: '操作人', kind: 'text', value: (r) => r.operator },
  { header: '耗时(毫秒)', kind: 'int', value: (r) => r.duration_ms },
  { header: '同步时间(北京时间)', kind: 'time', value: (r) => r.created_at },
]

export const orderColumns: Column<PayOrderRow>[] = [
  { header: '订单ID', kind: 'int', value: (r) => r.id },
  { header: '商户订单号', kind: 'id', value: (r) => r.order_no },
  { header: '本地业务号', kind: 'id', value: (r) => r.biz_order_no },
  { header: '网关订单号', kind: 'id', value: (r) => r.gateway_trade_no },
  { header: '商户', kind: 'text', value: (r) => r.merchant_name },
  { header: '支付通道', kind: 'text', value: (r) => label('channel', r.channel, L) },
  { header: '订单类型', kind: 'text', value: (r) => (r.kind === 'payscore' ? '支付分' : '支付') },
  { header: '订单标题', kind: 'text', value: (r) => r.title },
  { header: '金额(元)', kind: 'yuan', value: (r) => r.amount },
  { header: '订单状态', kind: 'text', value: (r) => label('payStatus', r.status, L) },
  { header: '退款状态', kind: 'text', value: (r) => label('payRefundStatus', r.refund_status, L) },
  { header: '可退金额(元)', kind: 'yuan', value: (r) => r.refundable_amount },
  { header: '创建时间(北京时间)', kind: 'time', value: (r) => r.created_at },
  { header: '过期时间(北京时间)', kind: 'time', value: (r) => r.expired_at },
  { header: '支付时间(北京时间)', kind: 'time', value: (r) => r.paid_at },
  { header: '关闭时间(北京时间)', kind: 'time', value: (r) => r.closed_at },
  { header: '最近同步时间(北京时间)', kind: 'time', value: (r) => r.last_sync_at },
  { header: '最近同步结果', kind: 'text', value: (r) => label('outcome', r.last_sync_outcome, L) },
]

export const refundColumns: Column<RefundOrderRow>[] = [
  { header: '退款ID', kind: 'int', value: (r) => r.id },
  { header: '退款号', kind: 'id', value: (r) => r.refund_no },
  { header: '商户退款号', kind: 'id', value: (r) => r.biz_refund_no },
  { header: '网关退款号', kind: 'id', value: (r) => r.gateway_refund_no },
  { header: '商户订单号', kind: 'id', value: (r) => r.order_no },
  { header: '商户', kind: 'text', value: (r) => r.merchant_name },
  { header: '支付通道', kind: 'text', value: (r) => label('channel', r.channel, L) },
  { header: '退款金额(元)', kind: 'yuan', value: (r) => r.amount },
  { header: '退款状态', kind: 'text', value: (r) => label('refundStatus', r.status, L) },
  { header: '创建时间(北京时间)', kind: 'time', value: (r) => r.created_at },
  { header: '完成时间(北京时间)', kind: 'time', value: (r) => r.finished_at },
  { header: '最近同步时间(北京时间)', kind: 'time', value: (r) => r.last_sync_at },
  { header: '最近同步结果', kind: 'text', value: (r) => label('outcome', r.last_sync_outcome, L) },
]

export const repairColumns: Column<RepairRecordRow>[] = [
  { header: '修复单号', kind: 'id', value: (r) => r.repair_no },
  { header: '交易类型', kind: 'text', value: (r) => (r.trade_type === 'pay' ? '支付' : '退款') },
  { header: '交易号', kind: 'id', value: (r) => r.trade_no },
  { header: '修复方式', kind: 'text', value: (r) => label('repairWay', r.way, L) },
  { header: '来源', kind: 'text', value: (r) => label('source', r.source, L) },
  { header: '支付通道', kind: 'text', value: (r) => label('channel', r.channel, L) },
  { header: '商户', kind: 'text', value: (r) => r.merchant_name },
  { header: '修复前状态', kind: 'text', value: (r) => r.before_status },
  { header: '修复后状态', kind: 'text', value: (r) => r.after_status },
  { header: '备注', kind: 'text', value: (r) => r.remark },
  { header: '操作人', kind: 'text', value: (r) => r.operator },
  { header: '同步记录ID', kind: 'int', value: (r) => r.sync_record_id },
  { header: '修复时间(北京时间)', kind: 'time', value: (r) => r.created_at },
]

export const anomalyColumns: Column<AnomalyRow>[] = [
  { header: '异常ID', kind: 'int', value: (r) => r.id },
  { header: '交易类型', kind: 'text', value: (r) => (r.trade_type === 'pay' ? '支付' : '退款') },
  { header: '交易号', kind: 'id', value: (r) => r.trade_no },
  { header: '商户', kind: 'text', value: (r) => r.merchant_name },
  { header: '支付通道', kind: 'text', value: (r) => label('channel', r.channel, L) },
  { header: '异常类型', kind: 'text', value: (r) => label('anomalyKind', r.kind, L) },
  { header: '说明', kind: 'text', value: (r) => r.detail },
  { header: '本地状态', kind: 'text', value: (r) => r.local_status },
  { header: '网关状态', kind: 'text', value: (r) => r.gateway_status },
  { header: '本地金额(元)', kind: 'yuan', value: (r) => r.local_amount },
  { header: '网关金额(元)', kind: 'yuan', value: (r) => r.gateway_amount },
  { header: '出现次数', kind: 'int', value: (r) => r.occurrences },
  { header: '状态', kind: 'text', value: (r) => label('anomalyStatus', r.status, L) },
  { header: '处理动作', kind: 'text', value: (r) => label('anomalyAction', r.action, L) },
  { header: '处理备注', kind: 'text', value: (r) => r.resolution },
  { header: '修复单号', kind: 'id', value: (r) => r.repair_no },
  { header: '操作人', kind: 'text', value: (r) => r.operator },
  { header: '首次发现(北京时间)', kind: 'time', value: (r) => r.created_at },
  { header: '最近发现(北京时间)', kind: 'time', value: (r) => r.last_seen_at },
  { header: '处理时间(北京时间)', kind: 'time', value: (r) => r.resolved_at },
]

export type BatchItemExportRow = BatchItemRow & {
  trade_no: string | null
  merchant_name: string | null
  amount: number | null
  error_msg: string | null
}

export const batchItemColumns: Column<BatchItemExportRow>[] = [
  { header: '交易类型', kind: 'text', value: (r) => (r.trade_type === 'pay' ? '支付' : '退款') },
  { header: '交易号', kind: 'id', value: (r) => r.trade_no },
  { header: '商户', kind: 'text', value: (r) => r.merchant_name },
  { header: '金额(元)', kind: 'yuan', value: (r) => r.amount },
  {
    header: '处理结果',
    kind: 'text',
    value: (r) =>
      r.state === 'done' ? label('outcome', r.outcome, L) : r.state === 'cancelled' ? '已取消' : '未完成',
  },
  { header: '同步结果', kind: 'text', value: (r) => label('gatewayStatus', r.gateway_status, L) },
  { header: '尝试次数', kind: 'int', value: (r) => r.attempts },
  { header: '错误信息', kind: 'text', value: (r) => r.last_error },
  { header: '同步记录ID', kind: 'int', value: (r) => r.sync_record_id },
]
