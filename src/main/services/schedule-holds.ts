import type { z } from 'zod'
import { AppError } from '../../shared/errors'
import type { scheduleReleaseSchema } from '../../shared/inputs'
import { audit } from '../store/audit'
import { getBatch } from '../store/batches'
import { openTradesOfBatch, releaseBatchHolds, releaseTrades } from '../store/schedule-holds'
import type { ServiceContext } from './context'

// The trades a paused or cancelled batch keeps out of the schedules (docs/domain.md 6.7): how many a
// cancel would hold, and 恢复定时同步, a person taking them back without syncing them now.

/** How many of the batch's trades are not final yet: the "these N trades" of the cancel's question. */
export function openTradesOf(ctx: ServiceContext, id: number): { trades: number } {
  if (!getBatch(ctx.db, id)) throw AppError.say('not_found', 'batch.notFound', { id })
  return { trades: openTradesOfBatch(ctx.db, id) }
}

/** Every trade a batch holds, or the named ones, back in the schedules; audited as a person's act. */
export function releaseSchedule(
  ctx: ServiceContext,
  r: z.output<typeof scheduleReleaseSchema>,
): { released: number } {
  let released: number
  if (r.batchId !== undefined) {
    if (!getBatch(ctx.db, r.batchId)) throw AppError.say('not_found', 'batch.notFound', { id: r.batchId })
    released = releaseBatchHolds(ctx.db, r.batchId)
  } else released = releaseTrades(ctx.db, r.type, r.ids ?? [])
  audit(ctx.db, {
    operator: ctx.operator,
    action: 'schedule_released',
    target: r.batchId !== undefined ? `batch:${r.batchId}` : `${r.type}:${(r.ids ?? []).join(',')}`,
    detail: { released },
  })
  return { released }
}
