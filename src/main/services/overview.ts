import type { OverviewData } from '../../shared/contract'
import type { Outcome } from '../../shared/domain'
import type { OutcomeCounts } from '../../shared/entity-views'
import { hasStatements } from '../../shared/statements'
import type { YesterdayReconcile } from '../../shared/statements'
import { formatBeijing } from '../../shared/time'
import { billNeverCame } from '../engine/reconcile-schedule'
import { emptyCounts } from '../store/batches'
import { activeMerchants, merchantView, type MerchantRow } from '../store/merchants'
import {
  channelTotals,
  dailyOutcomes,
  openAnomaliesByKind,
  pendingCounts,
  todayCounts,
  beijingDayStart,
} from '../store/overview'
import { both, type Exec, type Q } from '../store/sql/exec'
import { sqliteExec } from '../store/sql/sqlite-exec'
import { findStatementOn, openDiffsOfAll } from '../store/statements'
import type { ServiceContext } from './context'
import { dayState } from './statements/views'

// The overview screen, read in one pass written once (store/sql/exec.ts): the desktop's file, or a
// team database (docs/team-mode.md B8.13).

const DAYS = 14
const DAY_MS = 86_400_000

type ChannelRow = OverviewData['byChannel'][number]

function byChannel(rows: Array<{ channel: string; outcome: string; n: number }>): ChannelRow[] {
  const channels = new Map<string, ChannelRow>()
  for (const r of rows) {
    const c = channels.get(r.channel) ?? {
      channel: r.channel,
      syncs: 0,
      repaired: 0,
      anomalies: 0,
      errors: 0,
      waiting: 0,
      consistent: 0,
      decided: 0,
    }
    c.syncs += r.n
    if (r.outcome === 'repaired') c.repaired += r.n
    if (r.outcome === 'anomaly') c.anomalies += r.n
    if (r.outcome === 'error') c.errors += r.n
    if (r.outcome === 'waiting') c.waiting += r.n
    if (r.outcome === 'consistent') c.consistent += r.n
    if (r.outcome === 'decided') c.decided += r.n
    channels.set(r.channel, c)
  }
  return [...channels.values()]
}

/** The merchants a scheduled run reconciles: enabled, with a channel that has bills. */
const reconcilable = (merchants: MerchantRow[]): MerchantRow[] =>
  merchants.filter((m) => m.enabled === 1 && m.removed_at === null && hasStatements(m.channel))

/**
 * The overview's 昨日对账 (docs/reconcile.md A15.4): yesterday's bill of every merchant the daily run
 * covers, as 平 / 不平 / 未生成, a bill the daily run gave up on at 14:00 told apart (A12), and the
 * differences still open on any day.
 */
function* yesterdayOn(x: Exec, merchants: MerchantRow[], now: number): Q<YesterdayReconcile> {
  const billDate = formatBeijing(now - DAY_MS).slice(0, 10)
  const days: YesterdayReconcile['merchants'] = []
  for (const m of reconcilable(merchants)) {
    const st = yield* findStatementOn(x, m.id, billDate)
    days.push({
      merchant: m.name,
      channel: m.channel,
      state: st && billNeverCame(st.status, billDate, now) ? 'never_came' : dayState(st),
      statementId: st?.id ?? null,
      openDiffs: st?.open_diffs ?? 0,
    })
  }
  return { billDate, merchants: days, openDiffs: yield* openDiffsOfAll(x) }
}

export const overviewOn = both(function* (x: Exec, now: number): Q<OverviewData> {
  const days = new Map<number, OutcomeCounts>()
  const first = beijingDayStart(now) - (DAYS - 1) * DAY_MS
  for (let i = 0; i < DAYS; i++) days.set(first + i * DAY_MS, emptyCounts())
  for (const r of yield* dailyOutcomes(x, now, DAYS)) {
    const counts = days.get(Number(r.day))
    if (counts) counts[r.outcome as Outcome] += r.n
  }
  const merchants = yield* activeMerchants(x)
  return {
    today: yield* todayCounts(x, now),
    daily: [...days.entries()].map(([day, counts]) => ({ day: formatBeijing(day).slice(0, 10), ...counts })),
    byChannel: byChannel(yield* channelTotals(x, first)),
    anomaliesByKind: (yield* openAnomaliesByKind(x)).map((r) => ({ kind: r.kind, open: r.n })),
    merchants: merchants.map(merchantView),
    pending: yield* pendingCounts(x),
    reconcile: yield* yesterdayOn(x, merchants, now),
  }
})

export function overview(ctx: ServiceContext): OverviewData {
  return overviewOn.sync(sqliteExec(ctx.db), ctx.now())
}
