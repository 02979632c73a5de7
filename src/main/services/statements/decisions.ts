import type { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { type DiffActionResult } from '../../../shared/statements'
import { type dismissDiffsSchema, type resyncDiffsSchema } from '../../../shared/statement-inputs'
import { summarize } from '../../engine/reconcile/close'
import { StatementLease, statementKey } from '../../engine/reconcile/lease'
import { audit } from '../../store/audit'
import { getMerchant, type MerchantRow } from '../../store/merchants'
import { dismissDiff, getStatementDiff, statementDiffView } from '../../store/statement-diffs'
import type { ServiceContext } from '../context'
import { statementRow } from './common'
import { act, merchantLimits, runSyncs } from './syncs'

// A person's decisions on differences (docs/reconcile.md A15.2): dismiss with a remark, audited, or
// sync the trades again in one batch.

export function dismissDiffs(ctx: ServiceContext, r: z.output<typeof dismissDiffsSchema>): DiffActionResult {
  const touched = new Set<number>()
  let changed = 0
  ctx.db
    .transaction(() => {
      for (const id of r.ids) {
        const d = getStatementDiff(ctx.db, id)
        if (!d) throw AppError.say('not_found', 'statement.diffNotFound', { id })
        if (d.status !== 'open')
          throw AppError.say('conflict', 'statement.diffClosed', { id, status: d.status })
        if (dismissDiff(ctx.db, id, r.remark, ctx.operator, ctx.now())) changed += 1
        touched.add(d.statement_id)
        audit(ctx.db, {
          operator: ctx.operator,
          action: 'statement_diff_dismissed',
          target: `statement_diff:${id}`,
          detail: {
            statementId: d.statement_id,
            kind: d.kind,
            orderNo: d.order_no,
            refundNo: d.refund_no,
            remark: r.remark,
          },
        })
      }
    })
    .immediate()
  for (const id of touched) summarize(ctx.db, id, ctx.now())
  return { changed, items: r.ids.map((id) => statementDiffView(getStatementDiff(ctx.db, id)!)) }
}

export async function resyncDiffs(
  ctx: ServiceContext,
  r: z.output<typeof resyncDiffsSchema>,
): Promise<DiffActionResult> {
  const rows = r.ids.map((id) => {
    const d = getStatementDiff(ctx.db, id)
    if (!d) throw AppError.say('not_found', 'statement.diffNotFound', { id })
    return d
  })
  const withTrade = rows.filter(
    (d) => d.status === 'open' && (d.pay_order_id !== null || d.refund_id !== null),
  )
  if (withTrade.length === 0) throw AppError.say('invalid_input', 'statement.nothingToSync')
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
