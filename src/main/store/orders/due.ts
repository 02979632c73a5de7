import type { Db } from '../connection'
import { allTradeIds } from '../trade-schedule'

// Which pay orders to sync: every one (or every pending one) for `sync --all`. What the schedules find
// due is store/schedule-due.ts; those an import brought in, store/trade-schedule.ts tradesOfImportOn.

/** Every order, or those not final; `exceptHeld`: not those a paused or cancelled batch holds. */
export const allPayOrderIds = (db: Db, pendingOnly: boolean, exceptHeld = false): number[] =>
  allTradeIds(db, 'pay', pendingOnly, exceptHeld)
