import type { YesterdayReconcile } from '../../../shared/statements'
import { formatBeijing } from '../../../shared/time'
import { billNeverCame } from '../../engine/reconcile-schedule'
import { findStatement, openStatementDiffs } from '../../store/statements'
import type { ServiceContext } from '../context'
import { reconcilableMerchants } from './runs'
import { dayState } from './views'

// The overview's 昨日对账 (docs/reconcile.md A15.4): yesterday's bill of every merchant the daily run
// covers, as 平 / 不平 / 未生成, a bill the daily run gave up on at 14:00 told apart (A12), and the
// differences still open on any day.

const DAY_MS = 86_400_000

export function yesterdayReconcile(ctx: ServiceContext): YesterdayReconcile {
  const now = ctx.now()
  const billDate = formatBeijing(now - DAY_MS).slice(0, 10)
  return {
    billDate,
    merchants: reconcilableMerchants(ctx).map((m) => {
      const st = findStatement(ctx.db, m.id, billDate)
      return {
        merchant: m.name,
        channel: m.channel,
        state: st && billNeverCame(st.status, billDate, now) ? 'never_came' : dayState(st),
        statementId: st?.id ?? null,
        openDiffs: st?.open_diffs ?? 0,
      }
    }),
    openDiffs: openStatementDiffs(ctx.db),
  }
}
