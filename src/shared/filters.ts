import { z } from 'zod'
import {
  ANOMALY_KINDS,
  ANOMALY_STATUSES,
  AUDIT_EVENTS,
  CHANNELS,
  GATEWAY_STATUSES,
  OUTCOMES,
  PAY_STATUSES,
  REFUND_STATUSES,
  REPAIR_WAYS,
  SYNC_SOURCES,
  TRADE_TYPES,
} from './domain'
import { parseBeijing } from './time'

// The list filters of docs/cli.md section 1 and docs/screens.md, one schema per list, shared by the command
// line, the screens and the export. Times are Beijing wall-clock text or ISO 8601 with an offset.

const time = z
  .string()
  .trim()
  .refine((s) => parseBeijing(s) !== null, {
    message: 'not a time: write it as YYYY-MM-DD HH:mm:ss (Beijing time)',
  })

/**
 * The order of a list: by its time (newest first by default) or by its amount, `-` for descending.
 * Both are served by indexes (tests/store/query-plans.test.ts).
 */
export const LIST_SORTS = ['-time', 'time', '-amount', 'amount'] as const
export type ListSort = (typeof LIST_SORTS)[number]

/**
 * Where a page of a list ended: the order it was read in, its last row's place in that order (the
 * time in epoch ms or the amount in fen; null for a row without an amount) and that row's id, which
 * breaks ties. The next page starts right after that row through the list's index, however deep it is.
 */
export interface ListCursor {
  sort: ListSort
  key: number | null
  id: number
}

/** A cursor as a page gives it (`next`) and the next request passes it back (`after`). */
export const listCursorText = (c: ListCursor): string => `${c.sort}:${c.key ?? 'null'}:${c.id}`

const CURSOR = /^(-?(?:time|amount)):(-?\d{1,16}|null):(\d{1,16})$/

function parseListCursor(text: string): ListCursor | null {
  const m = CURSOR.exec(text)
  if (!m) return null
  const sort = m[1] as ListSort
  const key = m[2] === 'null' ? null : Number(m[2])
  const id = Number(m[3])
  if (!Number.isSafeInteger(id) || (key !== null && !Number.isSafeInteger(key))) return null
  // Every row has a time; only an amount may be missing.
  if (key === null && sort.endsWith('time')) return null
  return { sort, key, id }
}

const cursor = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const parsed = parseListCursor(text.trim())
    if (parsed) return parsed
    ctx.addIssue({
      code: 'custom',
      message: 'not a cursor of a list: pass back the `next` of the page before, as it came',
    })
    return z.NEVER
  })

const page = {
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
  /** Starts right after the row a page's `next` named, instead of counting `offset` rows from the top. */
  after: cursor.optional(),
}

/**
 * A cursor goes on from a row in the order it was made in: in another order "after that row" would
 * skip or repeat rows. It replaces the offset; both at once would be two starting points.
 */
function continuesItsOrder(
  v: { sort?: ListSort; offset: number; after?: ListCursor },
  ctx: z.core.$RefinementCtx,
): void {
  if (!v.after) return
  const sort = v.sort ?? '-time'
  if (v.after.sort !== sort)
    ctx.addIssue({
      code: 'custom',
      path: ['after'],
      message: `the cursor goes on from a list sorted by ${v.after.sort}, not by ${sort}: start again from the first page`,
    })
  if (v.offset > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['offset'],
      message: 'a page starts either after a cursor or at an offset, not both',
    })
}

const common = {
  channel: z.enum(CHANNELS).optional(),
  merchant: z.string().trim().min(1).optional(),
  /**
   * Matches the local number, the business number or the gateway number: the whole number, or from
   * three characters on any part of it, in any case (store/trade-search.ts).
   */
  no: z.string().trim().min(1).max(128).optional(),
  since: time.optional(),
  until: time.optional(),
  sort: z.enum(LIST_SORTS).optional(),
}

export const recordFilterSchema = z.object({
  ...common,
  type: z.enum(TRADE_TYPES).optional(),
  status: z.enum(GATEWAY_STATUSES).optional(),
  result: z.enum(OUTCOMES).optional(),
  repaired: z.boolean().optional(),
  source: z.enum(SYNC_SOURCES).optional(),
  batchId: z.number().int().positive().optional(),
  tradeId: z.number().int().positive().optional(),
  /** Leaves out the records that only repeat their trade's previous one (a trade waiting for days). */
  hideRepeats: z.boolean().optional(),
})
export type RecordFilter = z.infer<typeof recordFilterSchema>

/** true: only the trades a paused or cancelled batch keeps out of the schedules; false: only the others. */
const held = z.boolean().optional()

export const orderFilterSchema = z.object({
  ...common,
  status: z.enum(PAY_STATUSES).optional(),
  result: z.enum(OUTCOMES).optional(),
  held,
})
export type OrderFilter = z.infer<typeof orderFilterSchema>

export const refundFilterSchema = z.object({
  ...common,
  status: z.enum(REFUND_STATUSES).optional(),
  result: z.enum(OUTCOMES).optional(),
  held,
  payOrderId: z.number().int().positive().optional(),
})
export type RefundFilter = z.infer<typeof refundFilterSchema>

export const repairFilterSchema = z.object({
  ...common,
  type: z.enum(TRADE_TYPES).optional(),
  way: z.enum(REPAIR_WAYS).optional(),
  tradeId: z.number().int().positive().optional(),
})
export type RepairFilter = z.infer<typeof repairFilterSchema>

export const anomalyFilterSchema = z.object({
  ...common,
  type: z.enum(TRADE_TYPES).optional(),
  status: z.enum(ANOMALY_STATUSES).optional(),
  kind: z.enum(ANOMALY_KINDS).optional(),
  tradeId: z.number().int().positive().optional(),
})
export type AnomalyFilter = z.infer<typeof anomalyFilterSchema>

/** The audit log (docs/cli.md section 1): one kind of event, a time range. */
export const auditFilterSchema = z.object({
  event: z.enum(AUDIT_EVENTS).optional(),
  since: time.optional(),
  until: time.optional(),
})
export type AuditFilter = z.infer<typeof auditFilterSchema>

/** A page of any list: the command line reads its --limit default and cap from here. */
export const pageSchema = z.object(page)

export const recordListSchema = recordFilterSchema.extend(page).superRefine(continuesItsOrder)
export const orderListSchema = orderFilterSchema.extend(page).superRefine(continuesItsOrder)
export const refundListSchema = refundFilterSchema.extend(page).superRefine(continuesItsOrder)
export const repairListSchema = repairFilterSchema.extend(page).superRefine(continuesItsOrder)
export const anomalyListSchema = anomalyFilterSchema.extend(page).superRefine(continuesItsOrder)
/** The audit log has one order, newest first. */
export const auditListSchema = auditFilterSchema.extend(page).superRefine(continuesItsOrder)
export type RecordListRequest = z.infer<typeof recordListSchema>
export type OrderListRequest = z.infer<typeof orderListSchema>
export type RefundListRequest = z.infer<typeof refundListSchema>
export type RepairListRequest = z.infer<typeof repairListSchema>
export type AnomalyListRequest = z.infer<typeof anomalyListSchema>
export type AuditListRequest = z.infer<typeof auditListSchema>
