import { z } from 'zod'
import { ANOMALY_ACTIONS, TRADE_TYPES } from './domain'
import { AMOUNT_UNITS } from './import-report'
import {
  anomalyFilterSchema,
  orderFilterSchema,
  recordFilterSchema,
  refundFilterSchema,
  repairFilterSchema,
} from './filters'
import { mappingSchema } from './mapping'
import { profileUpdateSchema } from './profiles'

// The inputs of the contract's operations, as zod schemas: each is checked where it enters main
// (services/index.ts `dispatch`), whichever transport brought it. The list inputs are in ./filters.ts,
// the merchant profile in ./profiles.ts, the column mapping in ./mapping.ts, the settings in ./settings.ts.

/** How fast a batch may go, per merchant: the window's inputs and the command line's flags use these. */
export const BATCH_LIMITS = { concurrency: [1, 64], qps: [0.1, 2000] } as const

const concurrency = z.number().int().min(BATCH_LIMITS.concurrency[0]).max(BATCH_LIMITS.concurrency[1])
const qps = z.number().min(BATCH_LIMITS.qps[0]).max(BATCH_LIMITS.qps[1])
const positiveId = z.number().int().positive()

export const idSchema = z.object({ id: positiveId })

/** A batch cancelled; unless told otherwise its trades also stay out of the schedules (docs/domain.md 6.7). */
export const batchCancelSchema = z.object({ id: positiveId, holdSchedule: z.boolean().default(true) })

/** Trades back in the schedules: every one a batch holds, or the ones named. */
export const scheduleReleaseSchema = z
  .object({
    batchId: positiveId.optional(),
    type: z.enum(TRADE_TYPES).default('pay'),
    ids: z.array(positiveId).min(1).max(1000).optional(),
  })
  .refine((v) => (v.batchId === undefined) !== (v.ids === undefined), {
    message: 'name a batch or the trades, not both',
  })
/** An operation that takes nothing: no input, or an empty object. */
export const noInput = z.object({}).strict().optional()
export const headlessSchema = z.object({ enabled: z.boolean() }).strict()
/** The passphrase the secrets are kept under where the app has no secure key store. */
export const passphraseSchema = z.object({ passphrase: z.string().min(1).max(1024) }).strict()
/**
 * The team passphrase, new or changed (docs/team-mode.md B8.7); `current` proves a change. Its
 * shortest length is main's to say, in a sentence (TEAM_PASSPHRASE_MIN).
 */
export const teamPassphraseSchema = z
  .object({ passphrase: z.string().min(1).max(1024), current: z.string().min(1).max(1024).optional() })
  .strict()

export const syncSelectionSchema = z.object({
  type: z.enum(TRADE_TYPES).default('pay'),
  /** Sync these trades now and wait for the answers; a whole filter is a batch (batches.start). */
  ids: z
    .array(positiveId)
    .min(1, 'choose at least one trade')
    .max(500, 'more than 500 trades: start a batch instead'),
})

/** The window's one search box: trades by the whole or a part of any of their numbers. */
export const tradeSearchSchema = z.object({
  no: z.string().trim().min(1).max(128),
  limit: z.number().int().min(1).max(50).default(20),
})

export const resolveSchema = z.object({
  id: positiveId,
  action: z.enum(ANOMALY_ACTIONS),
  remark: z.string().trim().min(2, 'write at least 2 characters: say why').max(500),
})

/** A profile saved again: secrets not typed again are kept (shared/profiles.ts). */
export const merchantUpdateSchema = z.object({ id: positiveId, profile: profileUpdateSchema })
export const enableSchema = z.object({ id: positiveId, enabled: z.boolean() })

/**
 * A file the page names: the handle `files.pickOpen` or `files.pickSave` answered, or the id of an
 * upload. Never a path: main alone knows where the file is (services/file-handles.ts), and a string
 * it never handed out reaches nothing.
 */
const fileRef = z.string().min(1).max(64)

/**
 * A file to import and how to read it: the list type, the merchant for every row (the file's merchant
 * column is then not read), a column mapping, and the unit of the amount columns the mapping does not
 * name. `taskId` names the import for its progress events and for imports.cancel.
 */
export const importSourceSchema = z.object({
  file: fileRef,
  type: z.enum(TRADE_TYPES).default('pay'),
  merchant: z.string().optional(),
  mapping: mappingSchema.optional(),
  amountUnit: z.enum(AMOUNT_UNITS).optional(),
})

const taskId = z.string().min(1).max(64)

export const importPreviewSchema = importSourceSchema.extend({
  rows: z.number().int().min(1).max(200).default(20),
  taskId: taskId.optional(),
})

/** How fast a batch goes, per merchant. */
export const batchPaceSchema = z.object({ concurrency, qps })

export const importRunSchema = importSourceSchema.extend({
  /** Also start a batch sync of every trade the file names. */
  sync: batchPaceSchema.extend({ name: z.string().optional() }).optional(),
  taskId: taskId.optional(),
})

export const importCancelSchema = z.object({ taskId })

/** The template of a list, to fill in and import (docs/cli.md section 3). */
export const importTemplateSchema = z.object({
  type: z.enum(TRADE_TYPES).default('pay'),
  /** The save dialog's handle; without one (browser mode) the exports folder, to download. */
  file: fileRef.optional(),
})

/** A saved column mapping, by its name. */
const mappingName = z.string().trim().min(1).max(100)
export const mappingSaveSchema = z.object({
  name: mappingName,
  type: z.enum(TRADE_TYPES),
  mapping: mappingSchema,
})
export const mappingNameSchema = z.object({ name: mappingName })
/** Without a file (browser mode) the mapping goes to the exports folder, to be downloaded from there. */
export const mappingExportSchema = mappingNameSchema.extend({ file: fileRef.optional() })

export const batchStartSchema = z
  .object({
    name: z.string().trim().max(100).optional(),
    type: z.enum(TRADE_TYPES).default('pay'),
    ids: z.array(positiveId).max(1_000_000).optional(),
    filter: z.union([orderFilterSchema, refundFilterSchema]).optional(),
    importId: positiveId.optional(),
    pending: z.boolean().optional(),
    concurrency: concurrency.default(8),
    qps: qps.default(20),
  })
  .refine((v) => v.ids || v.filter || v.importId || v.pending, {
    message: 'choose what to sync: ids, a filter, an import or pending',
  })

export const pageOnly = z.object({
  limit: z.number().int().min(1).max(1000).default(50),
  offset: z.number().int().min(0).default(0),
})

export const batchItemsSchema = pageOnly.extend({
  id: positiveId,
  problemsOnly: z.boolean().default(false),
})

export const pickOpenSchema = z.object({
  title: z.string().max(100).optional(),
  filters: z
    .array(
      z.object({
        name: z.string().max(50),
        extensions: z.array(z.string().regex(/^[a-z0-9]{1,8}$/)).max(10),
      }),
    )
    .max(5)
    .default([]),
})

const fileName = z
  .string()
  .max(200)
  .regex(/^[^/\\]+$/, 'a file name, not a path')

export const pickSaveSchema = z.object({
  title: z.string().max(100).optional(),
  defaultName: fileName.optional(),
})

/** A file the page sends (browser mode): kept in the uploads folder, its id answered for the import. */
export const uploadSchema = z.object({
  name: fileName.min(1),
  contentBase64: z.string().max(96 * 1024 * 1024, 'files above 64 MB: use the command line (paysync import)'),
})

/**
 * The window names the handle of the file its save dialog chose. Browser mode names none (any it
 * names is ignored): the export goes to the exports folder under a name main chooses, to be downloaded.
 */
const exportFile = fileRef.optional()
/**
 * End the file with a 合计 line: the row count and the sum of each amount column (docs/cli.md
 * section 4). Off unless asked: a total row inside the data is summed again by a spreadsheet's SUM
 * and sorted into the rows by its sort.
 */
const exportTotal = z.boolean().optional()
export const exportSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('records'),
    file: exportFile,
    total: exportTotal,
    filter: recordFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('orders'),
    file: exportFile,
    total: exportTotal,
    filter: orderFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('refunds'),
    file: exportFile,
    total: exportTotal,
    filter: refundFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('repairs'),
    file: exportFile,
    total: exportTotal,
    filter: repairFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('anomalies'),
    file: exportFile,
    total: exportTotal,
    filter: anomalyFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('batch'),
    file: exportFile,
    total: exportTotal,
    batchId: positiveId,
    problemsOnly: z.boolean().default(false),
  }),
  // The rows an import refused: those an import run kept, or every one a file on preview would refuse.
  z
    .object({
      kind: z.literal('rejected'),
      file: exportFile,
      importId: positiveId.optional(),
      source: importSourceSchema.optional(),
    })
    .refine((v) => (v.importId === undefined) !== (v.source === undefined), {
      message: 'name the import (importId) or the file on preview (source), one of them',
      path: ['importId'],
    }),
  // A statement's differences or lines (docs/reconcile.md A16).
  z.object({ kind: z.literal('statement-diffs'), file: exportFile, statementId: positiveId }),
  z.object({ kind: z.literal('statement-lines'), file: exportFile, statementId: positiveId }),
])
export type ExportKind = z.output<typeof exportSchema>['kind']
/** What can be exported, in the schema's order: the command line's `export <what>`. */
export const EXPORT_KINDS: readonly ExportKind[] = exportSchema.options.map((o) => o.shape.kind.value)
