import type { Actor } from '../../../shared/domain'
import { diffsToSyncOn, markQueuedOn, openDiffAnomaliesOn, tradeOf } from '../../engine/reconcile/act'
import { recordSyncOutcomesOn, summarizeOn } from '../../engine/reconcile/close'
import type { MerchantRow } from '../../store/merchants'
import { statementByIdOn, updateStatementOn } from '../../store/statements'
import { createTeamBatch, runTeamBatch } from '../team-batches'
import type { TeamDesk } from '../team-desk'
import type { StatementBooks } from './books'
import type { limitsOf } from './syncs'
import type { RunInBackground } from './team-decisions'

// Acting on a statement's differences on a team database (docs/reconcile.md A4 "act"; docs/team-mode.md
// B8.12), as on the file: an anomaly per difference a person decides, then one stored batch of syncs
// with source `reconcile` at the merchant's limits, run with the team's batch runner (another desktop
// may join it with `paysync batch resume`), and what each sync came to written on its difference.

export interface TeamSyncOptions {
  limits: ReturnType<typeof limitsOf>
  name: string
  /** Who the batch names, when not the desk's own (the daily reconciliation acts by the schedule). */
  actor?: Actor
  /** The run's statement names its batch (A4); the pool's upkeep names none, as on the file. */
  recordOn: boolean
  /**
   * The syncs run in the host's background, what they came to written after (the schedule's run, as
   * the file's daily run has them); without it they are waited for here.
   */
  background?: RunInBackground
}

/** An anomaly per difference a person decides, on each statement the run touched. */
export async function openAnomaliesOnTeam(
  desk: TeamDesk,
  books: StatementBooks,
  merchant: MerchantRow,
  statements: number[],
): Promise<void> {
  for (const id of statements) {
    const row = (await statementByIdOn.async(desk.reads.exec, id))!
    const m = { id: merchant.id, channel: merchant.channel }
    await books.calls.inTransaction(openDiffAnomaliesOn, id, m, row.bill_date, books.now())
  }
}

/**
 * The differences' syncs as one stored batch, run from this desktop. Answers the number of sync
 * errors, or 'handedOn' when the batch went to `background` (its outcomes written when it ends).
 */
export async function syncDiffsOnTeam(
  desk: TeamDesk,
  books: StatementBooks,
  statementId: number,
  statements: number[],
  o: TeamSyncOptions,
): Promise<number | 'handedOn'> {
  const { calls } = books
  const diffs = await calls.run(diffsToSyncOn, statements, o.limits.retries)
  if (diffs.length === 0) {
    for (const id of statements) await calls.run(summarizeOn, id, books.now())
    return 0
  }
  const refs = new Map<string, { type: 'pay' | 'refund'; id: number }>()
  for (const d of diffs) {
    const t = tradeOf(d)
    refs.set(`${t.type}:${t.id}`, t)
  }
  const batchId = await createTeamBatch(desk, [...refs.values()], {
    name: o.name,
    source: 'reconcile',
    concurrency: o.limits.concurrency,
    qps: o.limits.qps,
    actor: o.actor,
  })
  await calls.inTransaction(markQueuedOn, diffs, batchId, books.now())
  if (o.recordOn) await calls.run(updateStatementOn, statementId, { sync_batch_id: batchId }, books.now())
  const close = async () => {
    const touched = await calls.inTransaction(recordSyncOutcomesOn, batchId, books.now())
    for (const id of new Set([...statements, ...touched])) await calls.run(summarizeOn, id, books.now())
    desk.changed()
  }
  if (o.background) {
    o.background(batchId, close, (done, total) => books.progress(statementId, 'sync', done, total))
    return 'handedOn'
  }
  const progress = (p: { done: number; total: number }) =>
    books.progress(statementId, 'sync', p.done, p.total)
  const last = await runTeamBatch(desk, batchId, progress, { endWhenPaused: true })
  await close()
  return last.counts.error
}
