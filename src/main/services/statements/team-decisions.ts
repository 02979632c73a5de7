import type { z } from 'zod'
import { AppError } from '../../../shared/errors'
import type { DiffActionResult } from '../../../shared/statements'
import type { dismissDiffsSchema, resyncDiffsSchema } from '../../../shared/statement-inputs'
import { markQueuedOn, tradeOf } from '../../engine/reconcile/act'
import { recordSyncOutcomesOn, summarizeOn } from '../../engine/reconcile/close'
import { TeamStatementLease, statementKey } from '../../engine/reconcile/lease'
import { merchantById } from '../../store/merchants'
import { inPgTransaction } from '../../store/pg/transaction'
import { both } from '../../store/sql/exec'
import { teamCalls, type StoreCalls } from '../../store/sql/calls'
import { statementDiffOn, statementDiffView } from '../../store/statement-diffs'
import { statementById } from '../../store/statements'
import { createTeamBatch } from '../team-batches'
import type { TeamDesk } from '../team-desk'
import type { StatementBooks } from './books'
import { dismissDiffsOn, resyncTargetsOn } from './decisions'
import { limitsOf } from './syncs'

// A person's decisions on a statement's differences on a team database (docs/team-mode.md B8.16),
// by the functions the desktop's file runs (services/statements/decisions.ts): the dismissal one
// PostgreSQL transaction with the rows locked; the resync one stored batch under the statements' team
// leases, run from this desktop in the background.

const merchantByIdOn = both(merchantById)
const statementByIdOn = both(statementById)
const statementDiffOnBoth = both(statementDiffOn)

/** Of two desktops dismissing the same difference at once, one wins; the other is told it is closed. */
export async function dismissDiffsOnTeam(
  desk: TeamDesk,
  r: z.output<typeof dismissDiffsSchema>,
): Promise<DiffActionResult> {
  const done = await inPgTransaction(desk.reads.pool, (x) =>
    dismissDiffsOn.async(x, r, desk.actor, Date.now()),
  )
  desk.changed()
  return done
}

/**
 * Runs a stored batch from this desktop, then `after`, whether the run ended or stopped; `progress`
 * hears each of its progress events besides the batch's own.
 */
export type RunInBackground = (
  batchId: number,
  after: () => Promise<void>,
  progress: (done: number, total: number) => void,
) => void

/**
 * The trades of the open differences named, synced again in one batch with source `reconcile` at the
 * merchant's limits, each trade once. The statements' team leases are held until the batch has ended
 * and what each sync came to is written on its difference: another desktop resyncing or reconciling
 * the same day meanwhile is told STATEMENT_BUSY with the process that holds it.
 */
export async function resyncDiffsOnTeam(
  desk: TeamDesk,
  r: z.output<typeof resyncDiffsSchema>,
  runInBackground: RunInBackground,
  progress: StatementBooks['progress'] = () => {},
): Promise<DiffActionResult> {
  const x = desk.reads.exec
  const calls = teamCalls(desk.reads.pool)
  const withTrade = await resyncTargetsOn.async(x, r.ids)
  const merchant = (await merchantByIdOn.async(x, withTrade[0]!.merchant_id))!
  const statements = [...new Set(withTrade.map((d) => d.statement_id))]
  const leases = await takeStatements(desk, calls, merchant.name, statements)
  const release = () => Promise.all(leases.map((l) => l.release()))
  let handedOn = false
  try {
    const limits = limitsOf(await desk.settings(), merchant)
    const refs = new Map<string, { type: 'pay' | 'refund'; id: number }>()
    for (const d of withTrade) {
      const t = tradeOf(d)
      refs.set(`${t.type}:${t.id}`, t)
    }
    const batchId = await createTeamBatch(desk, [...refs.values()], {
      name: `对账重新同步 ${merchant.name}`,
      source: 'reconcile',
      concurrency: limits.concurrency,
      qps: limits.qps,
    })
    await calls.inTransaction(markQueuedOn, withTrade, batchId, Date.now())
    runInBackground(
      batchId,
      async () => {
        try {
          const touched = await calls.inTransaction(recordSyncOutcomesOn, batchId, Date.now())
          for (const id of new Set([...statements, ...touched])) await calls.run(summarizeOn, id, Date.now())
          desk.changed()
        } finally {
          await release()
        }
      },
      (done, total) => progress(statements[0]!, 'sync', done, total),
    )
    handedOn = true
    const items = []
    for (const id of r.ids) items.push(statementDiffView((await statementDiffOnBoth.async(x, id))!))
    return { changed: refs.size, items, syncBatchId: batchId }
  } finally {
    if (!handedOn) await release()
  }
}

/** As on the file (decisions.ts takeStatements), on the team database's clock. */
async function takeStatements(
  desk: TeamDesk,
  calls: StoreCalls,
  merchant: string,
  ids: number[],
): Promise<TeamStatementLease[]> {
  const taken: TeamStatementLease[] = []
  for (const id of ids) {
    const st = (await statementByIdOn.async(desk.reads.exec, id))!
    const key = statementKey(st.merchant_id, st.bill_date)
    const lease = await TeamStatementLease.take(calls, key, desk.engine.owner)
    if (!(lease instanceof TeamStatementLease)) {
      await Promise.all(taken.map((l) => l.release()))
      throw AppError.say('busy', 'statement.busy', { merchant, date: st.bill_date, ...lease })
    }
    taken.push(lease)
  }
  return taken
}
