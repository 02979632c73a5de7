import { h } from 'vue'
import type { DataTableColumns } from 'naive-ui'
import type { PayOrderView, RefundOrderView } from '../../../../shared/entity-views'
import { time, yuan } from '../../format'
import { label, t } from '../../i18n'
import {
  clipped,
  codeTag,
  gatewayStatusType,
  heldText,
  outcomeType,
  reconcileCell,
  refundStatusType,
  tradeStatusType,
} from '../../render'

export type TradeRow = PayOrderView | RefundOrderView

const lastSync = (r: TradeRow) => codeTag('outcome', r.lastSyncOutcome, outcomeType(r.lastSyncOutcome))
/**
 * The trade's status, and under it why the schedules skip it, when they do (docs/domain.md 6.7):
 * 定时同步：已暂停 over 批次 #12 已取消, the whole sentence on hover.
 */
const withHold = (r: TradeRow, status: ReturnType<typeof codeTag>) =>
  r.heldBy
    ? h('div', { class: 'status-cell' }, [
        status,
        h(
          'span',
          { class: 'code-tag code-tag--warning held-tag', title: heldText(r.heldBy), 'data-test': 'held' },
          [
            h('span', t('trades.heldShort')),
            h(
              'span',
              t('trades.heldWhy', {
                id: r.heldBy.batchId,
                status: label('batchStatus', r.heldBy.batchStatus),
              }),
            ),
          ],
        ),
      ])
    : status

/**
 * The columns of either list. What a person reads first is in view at 1280 px: the number, the money,
 * the statuses and the last sync; the creation time is held in view on the right; the other numbers
 * and times follow. `sortable` marks the columns that sort the list, `openStatement` opens the
 * statement that confirmed a trade.
 */
export function tradeColumns(
  type: 'pay' | 'refund',
  sortable: (by: 'time' | 'amount') => { sorter: true; sortOrder: 'ascend' | 'descend' | false },
  openStatement: (id: number) => void,
): DataTableColumns<TradeRow> {
  const common = {
    merchant: { title: t('trades.merchant'), key: 'merchant', width: 120, ...clipped },
    channel: {
      title: t('trades.channel'),
      key: 'channel',
      width: 86,
      render: (r: TradeRow) => label('channel', r.channel),
    },
    amount: {
      title: t('trades.amount'),
      key: 'amount',
      width: 116,
      align: 'right' as const,
      titleAlign: 'right' as const,
      ...sortable('amount'),
      render: (r: TradeRow) => yuan(r.amount),
    },
    createdAt: {
      title: t('trades.createdAt'),
      key: 'createdAt',
      width: 160,
      fixed: 'right' as const,
      ...sortable('time'),
      render: (r: TradeRow) => time(r.createdAt),
    },
    lastResult: {
      title: t('trades.lastResult'),
      key: 'lastSyncOutcome',
      width: 90,
      render: lastSync,
    },
    lastStatus: {
      title: t('trades.lastGateway'),
      key: 'lastGatewayStatus',
      width: 116,
      render: (r: TradeRow) =>
        codeTag('gatewayStatus', r.lastGatewayStatus, gatewayStatusType(r.lastGatewayStatus)),
    },
    reconcile: {
      title: t('trades.reconcile'),
      key: 'reconcile',
      width: 150,
      render: (r: TradeRow) => reconcileCell(r.reconcile, openStatement),
    },
    lastAt: {
      title: t('trades.lastSync'),
      key: 'lastSyncAt',
      width: 160,
      render: (r: TradeRow) => time(r.lastSyncAt),
    },
  }
  const selection = { type: 'selection' as const, fixed: 'left' as const, width: 40 }
  if (type === 'pay') {
    const p = (r: TradeRow) => r as PayOrderView
    return [
      selection,
      { title: t('orders.orderNo'), key: 'orderNo', width: 170, fixed: 'left', ...clipped },
      common.amount,
      {
        title: t('trades.status'),
        key: 'status',
        width: 110,
        render: (r) => withHold(r, codeTag('payStatus', p(r).status, tradeStatusType(p(r).status))),
      },
      {
        title: t('orders.refundStatus'),
        key: 'refundStatus',
        width: 96,
        render: (r) => codeTag('payRefundStatus', p(r).refundStatus, refundStatusType(p(r).refundStatus)),
      },
      common.lastResult,
      common.lastStatus,
      common.reconcile,
      common.merchant,
      common.channel,
      { title: t('orders.gatewayNo'), key: 'gatewayTradeNo', width: 240, ...clipped },
      { title: t('trades.title'), key: 'title', width: 160, ...clipped },
      { title: t('orders.expiredAt'), key: 'expiredAt', width: 160, render: (r) => time(p(r).expiredAt) },
      common.lastAt,
      common.createdAt,
    ]
  }
  const f = (r: TradeRow) => r as RefundOrderView
  return [
    selection,
    { title: t('refunds.refundNo'), key: 'refundNo', width: 170, fixed: 'left', ...clipped },
    { title: t('refunds.orderNo'), key: 'orderNo', width: 170, ...clipped },
    common.amount,
    {
      title: t('trades.status'),
      key: 'status',
      width: 110,
      render: (r) => withHold(r, codeTag('refundStatus', f(r).status, tradeStatusType(f(r).status))),
    },
    common.lastResult,
    common.lastStatus,
    common.reconcile,
    common.merchant,
    common.channel,
    { title: t('refunds.finishedAt'), key: 'finishedAt', width: 160, render: (r) => time(f(r).finishedAt) },
    { title: t('refunds.gatewayNo'), key: 'gatewayRefundNo', width: 240, ...clipped },
    common.lastAt,
    common.createdAt,
  ]
}
