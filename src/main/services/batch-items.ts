import type { BatchItemView } from '../../shared/contract'
import type { Page } from '../../shared/entity-views'
import { AppError } from '../../shared/errors'
import { getBatchOn } from '../store/batch-run'
import { batchItemsOn } from '../store/batches'
import { payOrderById } from '../store/orders/lookups'
import { syncRecordById } from '../store/records'
import { refundOrderById } from '../store/refunds'
import { both, type Exec, type Q } from '../store/sql/exec'

// A page of a batch's items as its screen shows them, each with its trade's number and, for a failed
// one, its record's error code: written once, the desktop's file or a team database
// (docs/team-mode.md B8.13).

export const batchItemPage = both(function* (
  x: Exec,
  id: number,
  page: { problemsOnly: boolean; limit: number; offset: number },
): Q<Page<BatchItemView>> {
  if (!(yield* getBatchOn(x, id))) throw AppError.say('not_found', 'batch.notFound', { id })
  const { total, amount, rows } = yield* batchItemsOn(x, id, page)
  const items: BatchItemView[] = []
  for (const r of rows) {
    const tradeNo =
      r.trade_type === 'pay'
        ? (yield* payOrderById(x, r.trade_id))?.order_no
        : (yield* refundOrderById(x, r.trade_id))?.refund_no
    const record = r.sync_record_id && r.last_error ? yield* syncRecordById(x, r.sync_record_id) : undefined
    items.push({
      id: r.id,
      tradeType: r.trade_type,
      tradeId: r.trade_id,
      tradeNo: tradeNo ?? '',
      amount: r.amount,
      state: r.state,
      outcome: r.outcome,
      gatewayStatus: r.gateway_status,
      attempts: r.attempts,
      lastError: r.last_error,
      errorCode: record?.error_code ?? null,
      syncRecordId: r.sync_record_id,
    })
  }
  return { total, amount, items }
})
