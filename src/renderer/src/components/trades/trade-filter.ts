import type { Outcome } from '../../../../shared/domain'
import type { OrderFilter, RefundFilter } from '../../../../shared/filters'

// The filter bar of 支付订单 and 退款订单: what its fields hold, and the filter they come to.

/** Either list's filter: a refund list's also takes the pay order, a status is the list's own. */
export type TradeFilter = OrderFilter & RefundFilter

export interface TradeForm {
  no: string
  channel: TradeFilter['channel'] | null
  merchant: string | null
  status: string | null
  result: Outcome | null
  /** 定时同步: 'held', the trades a paused or cancelled batch keeps out of the schedules; 'on', the others. */
  schedule: 'on' | 'held' | null
  range: [string, string] | null
}

export const emptyTradeForm = (): TradeForm => ({
  no: '',
  channel: null,
  merchant: null,
  status: null,
  result: null,
  schedule: null,
  range: null,
})

export function toTradeFilter(f: TradeForm): TradeFilter {
  const filter: TradeFilter = {}
  if (f.no.trim()) filter.no = f.no.trim()
  if (f.channel) filter.channel = f.channel
  if (f.merchant) filter.merchant = f.merchant
  if (f.status) filter.status = f.status as TradeFilter['status']
  if (f.result) filter.result = f.result
  if (f.schedule) filter.held = f.schedule === 'held'
  if (f.range) [filter.since, filter.until] = f.range
  return filter
}
