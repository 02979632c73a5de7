import type { Channel, PayKind, PayRefundStatus, PayStatus } from '../../../shared/domain'
import type { PayOrderView } from '../../../shared/entity-views'
import { isoOrNull, toIsoBeijing } from '../../../shared/time'
import { tradeSyncView, type TradeColumns } from '../trade-lists'
import { joinInOrder, SQLITE, type Exec } from '../sql/exec'

// A pay order as its table holds it, with what the list and the detail read beside it, and as the
// contract carries it.

export interface PayOrderRow extends TradeColumns {
  id: number
  order_no: string
  biz_order_no: string
  gateway_trade_no: string | null
  merchant_id: number
  channel: Channel
  kind: PayKind
  title: string
  amount: number
  status: PayStatus
  refund_status: PayRefundStatus
  refundable_amount: number
  created_at: number
  expired_at: number | null
  paid_at: number | null
  closed_at: number | null
}

export function payOrderView(row: PayOrderRow): PayOrderView {
  return {
    id: row.id,
    orderNo: row.order_no,
    bizOrderNo: row.biz_order_no,
    gatewayTradeNo: row.gateway_trade_no,
    merchantId: row.merchant_id,
    merchant: row.merchant_name ?? '',
    channel: row.channel,
    kind: row.kind,
    title: row.title,
    amount: row.amount,
    status: row.status,
    refundStatus: row.refund_status,
    refundableAmount: row.refundable_amount,
    createdAt: toIsoBeijing(row.created_at),
    expiredAt: isoOrNull(row.expired_at),
    paidAt: isoOrNull(row.paid_at),
    closedAt: isoOrNull(row.closed_at),
    ...tradeSyncView(row),
  }
}

// The holding batch's status says why the schedules skip the order (paused, or cancelled); the
// statement that confirmed it, and whether it waits for another day's bill (A15.3).
// `also`: further columns, of the order `p` or its merchant `m`.
export const selectPayOrders = (x: Pick<Exec, 'dialect'> = SQLITE, indexed = '', also = '') =>
  `SELECT p.*, m.name AS merchant_name, hb.status AS held_batch_status,
    (SELECT s.bill_date FROM statements s WHERE s.id = p.reconciled_statement_id) AS reconciled_bill_date,
    EXISTS (SELECT 1 FROM carry_over c WHERE c.trade_type = 'pay' AND c.trade_id = p.id AND c.status = 'waiting')
      AS carried${also}
  FROM pay_orders p ${indexed}
  ${joinInOrder(x)} merchants m ON m.id = p.merchant_id LEFT JOIN batches hb ON hb.id = p.held_by_batch`
