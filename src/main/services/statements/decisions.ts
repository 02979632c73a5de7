import type { z } from 'zod'
import type { Actor } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import { type DiffActionResult } from '../../../shared/statements'
import { type dismissDiffsSchema, type resyncDiffsSchema } from '../../../shared/statement-inputs'
import { summarizeOn } from '../../engine/reconcile/close'
import { StatementLease, statementKey } from '../../engine/reconcile/lease'
import { auditOn } from '../../store/audit'
import { getMerchant, type MerchantRow } from '../../store/merchants'
import { both, type Exec, type Q } from '../../store/sql/exec'
import { sqliteExec } from '../../store/sql/sqlite-exec'
import {
  dismissDiffOn,
  getStatementDiff,
  statementDiffOn,
  statementDiffView,
  type StatementDiffRow,
} from '../../store/statement-diffs'
import type { ServiceContext } from '../context'
import { statementRow } from './common'
import { act, merchantLimits, runSyncs } from './syncs'

// A person's decisions on differences (docs/reconcile.md A15.2): dismiss with a remark, audited, or
// sync the trades again in one batch. The parts that read and write are written once for the file and
// a team database (docs/team-mode.md B8.16, services/statements/team-decisions.ts).

/**
 * The dismissal in the caller's transaction, on either store: every difference named still open, else
 * nothing changes. SQLite's transaction is immediate, so a second desktop waits for the first; on
 * PostgreSQL the rows are locked first, in the order of their ids so two desktops naming the same
 * differences in another order wait for each other instead of deadlocking, and the second is told
 * `statement.diffClosed` by the status the first left.
 */
export const dismissDiffsOn = both(function* (
  x: Exec,
  r: z.output<typeof dismissDiffsSchema>,
  actor: Actor,
  now: number,
): Q<DiffActionResult> {
  if (x.dialect === 'pg')
    for (const id of [...new Set(r.ids)].sort((a, b) => a - b)) yield* statementDiffOn(x, id, true)
  const touched = new Set<number>()
  let changed = 0
  for (const id of r.ids) {
    const d = yield* statementDiffOn(x, id)
    if (!d) throw AppError.say('not_found', 'statement.diffNotFound', { id })
    if (d.status !== 'open') throw AppError.say('conflict', 'statement.diffClosed', { id, status: d.status })
    if (yield* dismissDiffOn(x, id, r.remark, actor.operator ?? 'person', now)) changed += 1
    touched.add(d.statement_id)
    const detail = {
      statementId: d.statement_id,
      kind: d.kind,
      orderNo: d.order_no,
      refundNo: d.refund_no,
      remark: r.remark,
    }
    yield* auditOn(
      x,
      { ...actor, action: 'statement_diff_dismissed', target: `statement_diff:${id}`, detail },
      now,
    )
  }
  for (const id of touched) yield* summarizeOn(x, id, now)
  const items = []
  for (const id of r.ids) items.push(statementDiffView((yield* statementDiffOn(x, id))!))
  return { changed, items }
})

export function dismissDiffs(ctx: ServiceContext, r: z.output<typeof dismissDiffsSchema>): DiffActionResult {
  const x = sqliteExec(ctx.db)
  return ctx.db.transaction(() => dismissDiffsOn.sync(x, r, ctx.actor, ctx.now())).immediate()
}

/** The open differences named that have a trade to sync, or why there is nothing to sync. */
export const resyncTargetsOn = both(function* (x: Exec, ids: number[]): Q<StatementDiffRow[]> {
  const rows: StatementDiffRow[] = []
  for (const id of ids) {
    const d = yield* statementDiffOn(x, id)
    if (!d) throw AppError.say('not_found', 'statement.diffNotFound', { id })
    rows.push(d)
  }
  const withTrade = rows.filter(
    (d) => d.status === 'open' && (d.pay_order_id !== null || d.refund_id !== null),
  )
  if (withTrade.length === 0) throw AppError.say('invalid_input', 'statement.nothingToSync')
  return withTrade
})

export async function resyncDiffs(
  ctx: ServiceContext,
  r: z.output<typeof resyncDiffsSchema>,
): Promise<DiffActionResult> {
  const withTrade = resyncTargetsOn.sync(sqliteExec(ctx.db), r.ids)
  const merchant = getMerchant(ctx.db, withTrade[0]!.merchant_id)!
  const statements = [...new Set(withTrade.map((d) => d.statement_id))]
  const leases = takeStatements(ctx, merchant, statements)
  const release = () => leases.forEach((l) => l.release())
  let handedOn = false
  try {
    const plan = act(ctx, merchantLimits(ctx, merchant), [], {
      name: `对账重新同步 ${merchant.name}`,
      named: withTrade,
    })
    if (plan.batchId !== null) {
      const batchId = plan.batchId
      runSyncs(ctx, statements[0]!, batchId, statements)
        .finally(release)
        .catch((err: Error) => console.error(`statement differences: syncs stopped: ${err.message}`))
      handedOn = true
    }
    return {
      changed: plan.queued,
      items: r.ids.map((id) => statementDiffView(getStatementDiff(ctx.db, id)!)),
      syncBatchId: plan.batchId,
    }
  } finally {
    if (!handedOn) release()
  }
}

/**
 * The statements' leases, held until the resync's batch ends, as a run holds its own (docs/reconcile.md
 * A4): two desktops resyncing the same differences at once, or a resync during a run of that day, would
 * queue them into two batches, the second's sync meeting the first's lease (10007) and its outcome
 * written over the first's on the difference. The second is told STATEMENT_BUSY instead, naming the
 * process that holds the day.
 */
function takeStatements(ctx: ServiceContext, merchant: MerchantRow, ids: number[]): StatementLease[] {
  const taken: StatementLease[] = []
  for (const id of ids) {
    const st = statementRow(ctx, id)
    const lease = StatementLease.take(
      ctx.db,
      statementKey(st.merchant_id, st.bill_date),
      ctx.engine.owner,
      ctx.now,
    )
    if (!(lease instanceof StatementLease)) {
      taken.forEach((l) => l.release())
      throw AppError.say('busy', 'statement.busy', { merchant: merchant.name, date: st.bill_date, ...lease })
    }
    taken.push(lease)
  }
  return taken
}
