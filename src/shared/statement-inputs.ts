import { z } from 'zod'
import { CHANNELS, TRADE_TYPES } from './domain'
import {
  STATEMENT_STATUSES,
  STATEMENT_RESULTS,
  STATEMENT_SOURCES,
  STATEMENT_LINE_KINDS,
  MATCH_STATES,
  DIFF_KINDS,
  DIFF_STATUSES,
} from './statements'

// The inputs of the `statements.*` operations (docs/reconcile.md A13), checked where they enter main.

const positiveId = z.number().int().positive()
const billDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a bill date is written YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: 'not a calendar day',
    },
  )
const page = {
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).default(0),
}

export const statementListSchema = z.object({
  merchant: z.string().trim().min(1).optional(),
  channel: z.enum(CHANNELS).optional(),
  since: billDate.optional(),
  until: billDate.optional(),
  result: z.enum(STATEMENT_RESULTS).optional(),
  status: z.enum(STATEMENT_STATUSES).optional(),
  source: z.enum(STATEMENT_SOURCES).optional(),
  ...page,
})
export type StatementListRequest = z.infer<typeof statementListSchema>

export const statementLinesSchema = z.object({
  id: positiveId,
  state: z.enum(MATCH_STATES).optional(),
  kind: z.enum(STATEMENT_LINE_KINDS).optional(),
  /** Lines with a fee only (the fee tab). */
  withFee: z.boolean().optional(),
  ...page,
})

export const statementDiffsSchema = z.object({
  id: positiveId,
  kind: z.enum(DIFF_KINDS).optional(),
  tradeType: z.enum(TRADE_TYPES).optional(),
  status: z.enum(DIFF_STATUSES).optional(),
  /** Any number of the row: order, refund or gateway number. */
  no: z.string().trim().min(1).max(128).optional(),
  ...page,
})

export const statementCalendarSchema = z.object({
  merchant: z.string().trim().min(1),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is written YYYY-MM'),
})

export const reconcileSchema = z.object({
  merchant: z.string().trim().min(1),
  date: billDate,
  /** A file the person chose or uploaded (services/file-handles.ts), never a path. */
  file: z.string().min(1).max(64).optional(),
  /** Classify only: no syncs, no anomalies (`--no-sync`). */
  dryRun: z.boolean().default(false),
  /** Wait for the difference syncs to end before answering (the command line); the window does not. */
  waitForSyncs: z.boolean().default(false),
})

export const rerunSchema = z.object({
  id: positiveId,
  dryRun: z.boolean().default(false),
  waitForSyncs: z.boolean().default(false),
})

const diffIds = z.array(positiveId).min(1, 'choose at least one difference').max(1000)

export const dismissDiffsSchema = z.object({
  ids: diffIds,
  remark: z.string().trim().min(2, 'a remark is required: say why').max(500),
})

export const resyncDiffsSchema = z.object({ ids: diffIds })

/** 下载原始文件: the bill file a statement keeps, to the save dialog's handle or, without one, to download. */
export const statementOriginalSchema = z.object({
  id: positiveId,
  file: z.string().min(1).max(64).optional(),
})
