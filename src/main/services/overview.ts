import type { OverviewData } from '../../shared/contract'
import type { Outcome } from '../../shared/domain'
import type { OutcomeCounts } from '../../shared/entity-views'
import { emptyCounts } from '../store/batches'
import {
  channelTotals,
  dailyOutcomes,
  openAnomaliesByKind,
  pendingCounts,
  todayCounts,
  beijingDayStart,
} from '../store/overview'
import { formatBeijing } from '../../shared/time'
import type { ServiceContext } from './context'
import { listMerchantViews } from './merchants'
import { yesterdayReconcile } from './statements/yesterday'

const DAYS = 14

export function overview(ctx: ServiceContext): OverviewData {
  const now = ctx.now()
  const days = new Map<number, OutcomeCounts>()
  const first = beijingDayStart(now) - (DAYS - 1) * 86_400_000
  for (let i = 0; i < DAYS; i++) days.set(first + i * 86_400_000, emptyCounts())
  for (const r of dailyOutcomes(ctx.db, now, DAYS)) {
    const counts = days.get(r.day)
    if (counts) counts[r.outcome as Outcome] += r.n
  }
  const channels = new Map<string, OverviewData['byChannel'][number]>()
  for (const r of channelTotals(ctx.db, first)) {
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
  return {
    today: todayCounts(ctx.db, now),
    daily: [...days.entries()].map(([day, counts]) => ({ day: formatBeijing(day).slice(0, 10), ...counts })),
    byChannel: [...channels.values()],
    anomaliesByKind: openAnomaliesByKind(ctx.db).map((r) => ({ kind: r.kind, open: r.n })),
    merchants: listMerchantViews(ctx),
    pending: pendingCounts(ctx.db),
    reconcile: yesterdayReconcile(ctx),
  }
}
