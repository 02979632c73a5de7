import type { Actor } from '../../../shared/domain'
import type { Settings } from '../../../shared/settings'
import { diffsToSync, markQueued, tradeOf } from '../../engine/reconcile/act'
import { recordSyncOutcomes, summarize } from '../../engine/reconcile/close'
import type { MerchantRow } from '../../store/merchants'
import type { StatementDiffRow } from '../../store/statement-diffs'
import type { ServiceContext } from '../context'
import { publicSettings, progress } from './common'
import { createBatchOf, runBatch } from '../sync'

// The syncs the differences ask for: one batch with source `reconcile` at the merchant's limits, run
// here, and what each sync came to written back on its difference (docs/reconcile.md A4 "act").

interface ReconcileMerchant {
  id: number
  concurrency: number
  qps: number
  retries: number
}

/**
 * The syncs the differences want, as one batch with source `reconcile` at the merchant's limits
 * (resumable, pausable like any batch): the open differences of these statements that need one, or
 * the differences named. Nothing runs yet.
 */
export function act(
  ctx: ServiceContext,
  m: ReconcileMerchant,
  statementIds: number[],
  o: { name: string; named?: StatementDiffRow[]; actor?: Actor },
): { batchId: number | null; queued: number } {
  const diffs = o.named ?? diffsToSync(ctx.db, statementIds, m.retries)
  if (diffs.length === 0) return { batchId: null, queued: 0 }
  const refs = new Map<string, { type: 'pay' | 'refund'; id: number }>()
  for (const d of diffs) {
    const t = tradeOf(d)
    refs.set(`${t.type}:${t.id}`, t)
  }
  const batchId = createBatchOf(ctx, [...refs.values()], {
    name: o.name,
    actor: o.actor,
    source: 'reconcile',
    concurrency: m.concurrency,
    qps: m.qps,
  })
  markQueued(ctx.db, diffs, batchId, ctx.now())
  return { batchId, queued: refs.size }
}

/** The merchant's limits for its batch: its profile's QPS, else the defaults of Settings. */
export function merchantLimits(ctx: ServiceContext, merchant: MerchantRow): ReconcileMerchant {
  return limitsOf(ctx.settings(), merchant)
}

/** The same from the settings of either store's books (a team's are its own, docs/team-mode.md B8.12). */
export function limitsOf(settings: Settings, merchant: MerchantRow): ReconcileMerchant {
  const qps = Number(publicSettings(merchant).qps)
  return {
    id: merchant.id,
    concurrency: settings.defaultConcurrency,
    qps: Number.isFinite(qps) && qps > 0 ? Math.min(qps, settings.defaultQps) : settings.defaultQps,
    retries: settings.reconcileSyncRetries,
  }
}

/** Runs the batch here, then writes what each sync came to; answers the number of sync errors. */
export async function runSyncs(
  ctx: ServiceContext,
  statementId: number,
  batchId: number,
  statements: number[],
): Promise<number> {
  const last = await runBatch(ctx, batchId, (p) => progress(ctx, statementId, 'sync', p.done, p.total))
  const touched = recordSyncOutcomes(ctx.db, batchId, ctx.now())
  for (const id of new Set([...statements, ...touched])) summarize(ctx.db, id, ctx.now())
  return last.counts.error
}
