import type { z } from 'zod'
import type { AnomalyView } from '../../shared/entity-views'
import type { resolveSchema } from '../../shared/inputs'
import { resolveAnomaly } from '../engine/manual'
import { anomalyView, getAnomaly } from '../store/anomalies'
import type { ServiceContext } from './context'

/** A person's decision on an anomaly, applied and audited in the name of this context's actor. */
export function decideAnomaly(ctx: ServiceContext, request: z.output<typeof resolveSchema>): AnomalyView {
  resolveAnomaly(ctx.db, { ...request, ...ctx.actor }, ctx.now())
  return anomalyView(getAnomaly(ctx.db, request.id)!)
}
