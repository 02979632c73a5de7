import type { DataTableColumns } from 'naive-ui'
import type { BatchItemView } from '../../../../shared/contract'
import { syncErrorText } from '../../../../shared/sync-errors'
import { yuan } from '../../format'
import { label, lang, t } from '../../i18n'
import { clipped, codeTag, gatewayStatusType, outcomeType } from '../../render'

// The columns of a batch's results: each trade, what its sync came to, and why it failed.

export function batchItemColumns(): DataTableColumns<BatchItemView> {
  return [
    { title: t('batch.tradeNo'), key: 'tradeNo', width: 200, ...clipped },
    {
      title: t('batch.amount'),
      key: 'amount',
      width: 110,
      align: 'right',
      titleAlign: 'right',
      render: (r) => yuan(r.amount),
    },
    { title: t('records.type'), key: 'tradeType', width: 90, render: (r) => label('tradeType', r.tradeType) },
    { title: t('batch.state'), key: 'state', width: 80, render: (r) => label('batchItemState', r.state) },
    {
      title: t('records.outcome'),
      key: 'outcome',
      width: 110,
      render: (r) => codeTag('outcome', r.outcome, outcomeType(r.outcome)),
    },
    {
      title: t('records.result'),
      key: 'gatewayStatus',
      width: 110,
      render: (r) => codeTag('gatewayStatus', r.gatewayStatus, gatewayStatusType(r.gatewayStatus)),
    },
    { title: t('batch.attempts'), key: 'attempts', width: 70, align: 'right' },
    {
      title: t('batch.error'),
      key: 'lastError',
      ...clipped,
      render: (r) =>
        r.errorCode ? syncErrorText(r.errorCode, r.lastError, lang.value) : (r.lastError ?? ''),
    },
  ]
}
