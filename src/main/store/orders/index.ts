// The pay orders, a file per job: the row and its view (row.ts), one order by id or number
// (lookups.ts), the list and its export (list.ts), how orders come in (import-writes.ts), what a sync
// writes (sync-writes.ts) and which orders are due (due.ts). Importers name the folder.

export { payOrderView, type PayOrderRow } from './row'
export { findPayOrder, getPayOrder } from './lookups'
export { listPayOrders, ordersExport, ordersExportQuery } from './list'
export {
  fillPayOrderByNo,
  findPayOrderForImport,
  insertPayOrder,
  insertPayOrderIfNew,
  LEFT_NULL_BY_INSERT,
  payOrderIdByNo,
  wouldFillPayOrder,
  type NewPayOrder,
  type PayOrderForImport,
} from './import-writes'
export { casPayOrder, fillGatewayTradeNo, markPayOrderSynced, recomputeRefundState } from './sync-writes'
export { allPayOrderIds } from './due'
