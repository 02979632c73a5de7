import type { Db } from '../connection'
import { allTradeIds, tradeIdsOfImport } from '../trade-schedule'

// Which pay orders to sync: every one (or every pending one) for `sync --all`, and those an import
// brought in. What the schedules find due is store/schedule-due.ts.

/** Every order, or those not final; `exceptHeld`: not those a paused or cancelled batch holds. */
export const allPayOrderIds = (db: Db, pendingOnly: boolean, exceptHeld = false): number[] =>
  allTradeIds(db, 'pay', pendingOnly, exceptHeld)

/** Trades first brought in by one import run. */
export const payOrderIdsOfImport = (db: Db, importId: number): number[] =>
  tradeIdsOfImport(db, 'pay', importId)
