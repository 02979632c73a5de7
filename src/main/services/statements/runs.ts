import { hasStatements } from '../../../shared/statements'
import nodePath from 'node:path'
import type { z } from 'zod'
import { AppError } from '../../../shared/errors'
import type { ReconcileRun } from '../../../shared/statements'
import type { reconcileSchema, rerunSchema } from '../../../shared/statement-inputs'
import { audit } from '../../store/audit'
import { getMerchant, listMerchants, liveMerchantsOn, type MerchantRow } from '../../store/merchants'
import type { Exec } from '../../store/sql/exec'
import type { ServiceContext } from '../context'
import { merchantByName, statementRow, type DayRequest } from './common'
import { billHere } from './kept-bill'
import { reconcileDay } from './reconcile-day'

// The operations that start a run: reconcile a day (a download or a chosen file), run a statement again,
// and which merchants a scheduled run covers (docs/reconcile.md A11-A13).

export async function reconcileOperation(
  ctx: ServiceContext,
  r: z.output<typeof reconcileSchema>,
): Promise<ReconcileRun> {
  const merchant = merchantByName(ctx, r.merchant)
  let file: DayRequest['file'] = null
  if (r.file) {
    const path = await ctx.handles.readable(r.file)
    file = { path, name: nodePath.basename(path), stored: false }
  }
  try {
    return await reconcileDay(ctx, merchant, r.date, { file, dryRun: r.dryRun, waitForSyncs: r.waitForSyncs })
  } finally {
    // The file is kept under the statement's folder now; the upload itself is no longer needed.
    if (r.file) ctx.handles.release(r.file)
  }
}

export async function rerunStatement(
  ctx: ServiceContext,
  r: z.output<typeof rerunSchema>,
): Promise<ReconcileRun> {
  const st = statementRow(ctx, r.id)
  const merchant = getMerchant(ctx.db, st.merchant_id)!
  audit(ctx.db, {
    operator: ctx.operator,
    action: 'statement_rerun',
    target: `statement:${st.id}`,
    detail: { billDate: st.bill_date },
  })
  // The kept copy, else the bytes an archive of a team database brought (docs/team-mode.md B8.21).
  const kept = await billHere(ctx.exec, st, ctx.filesDir('statements'), ctx.now())
  if (!kept && st.source === 'upload')
    throw AppError.say('conflict', 'statement.noFileToRerun', { id: st.id })
  const file = kept ? { path: kept, name: st.file_name ?? 'statement', stored: true } : null
  return reconcileDay(ctx, merchant, st.bill_date, {
    file,
    dryRun: r.dryRun,
    waitForSyncs: r.waitForSyncs,
    rerun: true,
  })
}

/** Whether a scheduled run reconciles the merchant: enabled, with a channel that has bills. */
const reconcilable = (m: MerchantRow) => m.enabled === 1 && m.removed_at === null && hasStatements(m.channel)

/** The merchants a scheduled run reconciles. */
export function reconcilableMerchants(ctx: ServiceContext): MerchantRow[] {
  return listMerchants(ctx.db).filter(reconcilable)
}

/** The same on either store's books (a team database's, docs/team-mode.md B8.19). */
export async function reconcilableMerchantsOn(x: Exec): Promise<MerchantRow[]> {
  return (await liveMerchantsOn.async(x)).filter(reconcilable)
}
