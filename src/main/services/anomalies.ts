import type { z } from 'zod'
import type { AnomalyView } from '../../shared/entity-views'
import type { resolveSchema } from '../../shared/inputs'
import { resolveAnomaly, resolveAnomalyOn } from '../engine/manual'
import { anomalyView, getAnomaly } from '../store/anomalies'
import { inPgTransaction } from '../store/pg/transaction'
import type { ServiceContext } from './context'
import type { TeamDesk } from './team-desk'

/** A person's decision on an anomaly, applied and audited in the name of this context's actor. */
export function decideAnomaly(ctx: ServiceContext, request: z.output<typeof resolveSchema>): AnomalyView {
  resolveAnomaly(ctx.db, { ...request, ...ctx.actor }, ctx.now())
  return anomalyView(getAnomaly(ctx.db, request.id)!)
}

/**
 * The same decision on a team database (docs/team-mode.md B8.9): one PostgreSQL transaction with the
 * anomaly's row locked, so of two desktops deciding at once one wins and the other is told who did.
 */
export async function decideAnomalyOnTeam(
  desk: TeamDesk,
  request: z.output<typeof resolveSchema>,
): Promise<AnomalyView> {
  const row = await inPgTransaction(desk.reads.pool, (x) =>
    resolveAnomalyOn.async(x, { ...request, ...desk.actor }, Date.now()),
  )
  desk.changed()
  return anomalyView(row)
}
