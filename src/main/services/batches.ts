import type { z } from 'zod'
import type { TradeType } from '../../shared/domain'
import type { BatchView } from '../../shared/entity-views'
import { AppError } from '../../shared/errors'
import type { OrderFilter, RefundFilter } from '../../shared/filters'
import type { batchStartSchema } from '../../shared/inputs'
import { tradesOfImportOn } from '../store/trade-schedule'
import type { ServiceContext } from './context'
import { createBatchOf, getBatchView, startBatchInBackground } from './sync'
import { allTrades, tradesOfFilter, type TradeRef } from './trade-refs'

// A batch started from a request: which trades it holds, then the stored batch, running in the
// background. The window asks through `batches.start`; `paysync sync --pending|--all` picks its
// trades here too and runs the batch in the foreground with its progress line.

/**
 * What a batch syncs: the trades of `type` named by id or shown by a list's filter, those an import
 * brought in, or, with none of these, every trade (`pending`: only those not in a final state).
 */
export interface TradeSelection {
  type?: TradeType
  ids?: number[]
  filter?: OrderFilter | RefundFilter
  importId?: number
  pending?: boolean
  /** With `pending`: not the trades a paused or cancelled batch holds (the schedules' own pass, from cron). */
  exceptHeld?: boolean
}

export function refsFor(ctx: ServiceContext, request: TradeSelection): TradeRef[] {
  const type = request.type ?? 'pay'
  if (request.ids) return request.ids.map((id) => ({ type, id }))
  if (request.filter) return tradesOfFilter(ctx, type, request.filter)
  if (request.importId) return tradesOfImportOn.sync(ctx.exec, request.importId)
  return allTrades(ctx, request.pending === true, request.exceptHeld === true)
}

export function startBatchFrom(ctx: ServiceContext, request: z.output<typeof batchStartSchema>): BatchView {
  const refs = refsFor(ctx, request)
  if (refs.length === 0) throw AppError.say('invalid_input', 'sync.nothing')
  const id = createBatchOf(ctx, refs, {
    name: request.name,
    importId: request.importId ?? null,
    concurrency: request.concurrency,
    qps: request.qps,
  })
  startBatchInBackground(ctx, id)
  return getBatchView(ctx, id)
}
