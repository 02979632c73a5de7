import { z } from 'zod'
import type {
  AnomalyView,
  BatchView,
  MerchantView,
  Page,
  PayOrderView,
  RefundOrderView,
  RepairRecordView,
  SyncRecordDetail,
  SyncRecordView,
  ImportSummary,
  SyncSummary,
  OutcomeCounts,
  BatchStatus,
  GatewayStatus,
} from './domain'
import { ANOMALY_ACTIONS, TRADE_TYPES } from './domain'
import type { ImportRowError } from './domain'
import {
  anomalyListSchema,
  anomalyFilterSchema,
  orderListSchema,
  orderFilterSchema,
  recordListSchema,
  recordFilterSchema,
  refundListSchema,
  refundFilterSchema,
  repairListSchema,
  repairFilterSchema,
} from './filters'
import { settingsPatchSchema, type Settings } from './settings'

// The one API contract (architecture.md): every operation the window, browser mode and the command
// line can ask of main, with the schema its input is validated against where it enters main and the
// type of its answer. Electron IPC, the HTTP bridge and the preload are all generated from this map.

const id = z.object({ id: z.number().int().positive() })
const none = z.object({}).strict().optional()
const headlessSchema = z.object({ enabled: z.boolean() }).strict()

/** A profile as the form sends it: secrets may be left out on update to keep the stored ones. */
const profileInput = z.record(z.string(), z.unknown())

export interface OrderDetail {
  order: PayOrderView
  refunds: RefundOrderView[]
  records: SyncRecordView[]
  repairs: RepairRecordView[]
  anomalies: AnomalyView[]
}

export interface RefundDetail {
  refund: RefundOrderView
  order: PayOrderView
  records: SyncRecordView[]
  repairs: RepairRecordView[]
  anomalies: AnomalyView[]
}

export interface AnomalyDetail {
  anomaly: AnomalyView
  record: SyncRecordDetail | null
  order: PayOrderView | null
  refund: RefundOrderView | null
  /** The actions a person may take on this kind. */
  actions: AnomalyActionName[]
}
export type AnomalyActionName = (typeof ANOMALY_ACTIONS)[number]

export interface ConnectionReport {
  ok: boolean
  signatureValid: boolean | null
  clockSkewMs: number | null
  /** Null when nothing was sent (the profile could not be used): there was no round trip to time. */
  latencyMs: number | null
  /** One English sentence, for the command line and the log. */
  message: string
  /** The catalog entry of `message` (shared/messages.ts), when it has one: the window says it in its language. */
  id?: string
  params?: Record<string, string | number>
  /** The gateway's own codes in a verified answer (e.g. `40004 ACQ.TRADE_NOT_EXIST`), shown as they are. */
  reply?: string
}

export interface BatchProgressEvent {
  batchId: number
  status: BatchStatus
  total: number
  done: number
  counts: OutcomeCounts
  byGatewayStatus: Partial<Record<GatewayStatus, number>>
  rate: number
  etaSeconds: number | null
  elapsedMs: number
}

export interface TaskProgressEvent {
  taskId: string
  kind: 'import' | 'export'
  done: number
  total: number | null
  finished: boolean
  error: string | null
}

export interface OverviewData {
  today: { syncs: number; repairs: number; errors: number; openAnomalies: number }
  /** Syncs per day (Beijing) by outcome, oldest first. */
  daily: Array<{ day: string } & OutcomeCounts>
  byChannel: Array<{
    channel: string
    syncs: number
    repaired: number
    anomalies: number
    errors: number
    /** Not settled at the gateway yet (unpaid, not found): apart from the consistent ones. */
    waiting: number
    consistent: number
  }>
  anomaliesByKind: Array<{ kind: string; open: number }>
  merchants: MerchantView[]
  pending: { pay: number; refund: number }
}

/** How merchant secrets are protected, and whether a headless run (cron) can open them. */
export interface KeyStoreInfo {
  /** The app's key store: keychain, dpapi, gnome_libsecret, kwallet, basic_text...; keyfile headless. */
  backend: string
  secure: boolean
  /** The wraps of the data key in this database: keyfile, passphrase, safestorage. */
  schemes: string[]
  /** The key file a headless run uses, beside the database. */
  keyFile: string | null
  /** True when a key-file wrap exists, so `paysync sync --pending` from cron can sign requests. */
  headless: boolean
}

export interface AppInfo {
  /** The computer's user, recorded as who acted while Settings names no operator. */
  systemUser: string | null
  version: string
  dbFile: string
  transport: 'electron' | 'http'
  keyStore: KeyStoreInfo
  sandbox: { running: boolean; url: string | null }
  /** enabled: the setting; running: whether this process runs them at all (`serve --no-schedules`). */
  schedules: { enabled: boolean; running: boolean; lastRunAt: string | null }
  /** The database file's check after opening: damage found deep in the file shows here. */
  integrity: {
    status: 'unchecked' | 'checking' | 'ok' | 'damaged'
    problems: string[]
    checkedAt: string | null
  }
}

export interface ExportResult {
  file: string
  rows: number
  bytes: number
  /** Browser mode: where the page downloads the file from. */
  downloadPath: string | null
}

export interface PickResult {
  /** False where the transport has no native dialog (browser mode): the page uploads instead. */
  supported: boolean
  file: string | null
}

export const syncSelectionSchema = z.object({
  type: z.enum(TRADE_TYPES).default('pay'),
  /** Sync these trades now and wait for the answers; a whole filter is a batch (batches.start). */
  ids: z
    .array(z.number().int().positive())
    .min(1, 'choose at least one trade')
    .max(500, 'more than 500 trades: start a batch instead'),
})

export const resolveSchema = z.object({
  id: z.number().int().positive(),
  action: z.enum(ANOMALY_ACTIONS),
  remark: z.string().trim().min(2, 'a remark is required: say why').max(500),
})

export const merchantUpdateSchema = z.object({ id: z.number().int().positive(), profile: profileInput })
export const enableSchema = z.object({ id: z.number().int().positive(), enabled: z.boolean() })

/**
 * How hard one batch may push: at most 64 calls in flight, and between 0.1 and 2000 calls a second per
 * merchant. The window's inputs take their bounds from here, so they cannot offer what main refuses.
 */
export const BATCH_LIMITS = { concurrency: [1, 64], qps: [0.1, 2000] } as const
const concurrencyInput = z.number().int().min(BATCH_LIMITS.concurrency[0]).max(BATCH_LIMITS.concurrency[1])
const qpsInput = z.number().min(BATCH_LIMITS.qps[0]).max(BATCH_LIMITS.qps[1])

export const importPreviewSchema = z.object({
  file: z.string().min(1),
  type: z.enum(TRADE_TYPES).default('pay'),
  merchant: z.string().optional(),
  mapping: z.unknown().optional(),
  rows: z.number().int().min(1).max(200).default(20),
})

export const importRunSchema = z.object({
  file: z.string().min(1),
  type: z.enum(TRADE_TYPES).default('pay'),
  merchant: z.string().optional(),
  mapping: z.unknown().optional(),
  /** Also start a batch sync of every trade the file names. */
  sync: z
    .object({
      concurrency: concurrencyInput,
      qps: qpsInput,
      name: z.string().optional(),
    })
    .optional(),
})

export interface ImportPreview {
  file: string
  encoding: string
  headers: string[]
  /** Column index -> field it maps to, or null when ignored. */
  columns: Array<{ header: string; field: string | null }>
  rows: Array<{ line: number; cells: string[]; error: string | null }>
  unknownHeaders: string[]
  missing: string[]
  /** What importing would do, every row checked, nothing written. Null when required columns are missing. */
  summary: { rows: number; inserted: number; updated: number; unchanged: number; rejected: number } | null
  /** Every rejected row (the first thousand) with its line, column and reason. */
  errors: ImportRowError[]
}

export const batchStartSchema = z
  .object({
    name: z.string().trim().max(100).optional(),
    type: z.enum(TRADE_TYPES).default('pay'),
    ids: z.array(z.number().int().positive()).max(1_000_000).optional(),
    filter: z.union([orderFilterSchema, refundFilterSchema]).optional(),
    importId: z.number().int().positive().optional(),
    pending: z.boolean().optional(),
    concurrency: concurrencyInput.default(8),
    qps: qpsInput.default(20),
  })
  .refine((v) => v.ids || v.filter || v.importId || v.pending, {
    message: 'choose what to sync: ids, a filter, an import or pending',
  })

export const pageOnly = z.object({
  limit: z.number().int().min(1).max(1000).default(50),
  offset: z.number().int().min(0).default(0),
})

export const batchItemsSchema = z.object({
  id: z.number().int().positive(),
  problemsOnly: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(50),
  offset: z.number().int().min(0).default(0),
})

export interface BatchItemView {
  id: number
  tradeType: 'pay' | 'refund'
  tradeId: number
  tradeNo: string
  state: string
  outcome: string | null
  gatewayStatus: string | null
  attempts: number
  lastError: string | null
  syncRecordId: number | null
}

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
export const pickSaveSchema = z.object({
  title: z.string().max(100).optional(),
  defaultName: z
    .string()
    .max(200)
    .regex(/^[^/\\]+$/, 'a file name, not a path')
    .optional(),
})
/** A file the page sends (browser mode): kept in a folder of uploads, its path returned for import. */
export const uploadSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\]+$/, 'a file name, not a path'),
  contentBase64: z.string().max(96 * 1024 * 1024, 'files above 64 MB: use the command line (paysync import)'),
})

/** @public kept though unused (knip): the command line's `paysync export` takes its kinds from here */
export const EXPORT_KINDS = ['records', 'orders', 'refunds', 'repairs', 'anomalies', 'batch'] as const
export const exportSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('records'),
    file: z.string().min(1).optional(),
    filter: recordFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('orders'),
    file: z.string().min(1).optional(),
    filter: orderFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('refunds'),
    file: z.string().min(1).optional(),
    filter: refundFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('repairs'),
    file: z.string().min(1).optional(),
    filter: repairFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('anomalies'),
    file: z.string().min(1).optional(),
    filter: anomalyFilterSchema.default({}),
  }),
  z.object({
    kind: z.literal('batch'),
    file: z.string().min(1).optional(),

    batchId: z.number().int().positive(),
    problemsOnly: z.boolean().default(false),
  }),
])

function op<I extends z.ZodType, O>(input: I): { input: I; output: O } {
  return { input, output: undefined as unknown as O }
}

export const contract = {
  'app.info': op<typeof none, AppInfo>(none),
  'overview.get': op<typeof none, OverviewData>(none),

  'records.list': op<typeof recordListSchema, Page<SyncRecordView>>(recordListSchema),
  'records.get': op<typeof id, SyncRecordDetail>(id),

  'orders.list': op<typeof orderListSchema, Page<PayOrderView>>(orderListSchema),
  'orders.get': op<typeof id, OrderDetail>(id),
  'orders.sync': op<typeof syncSelectionSchema, SyncSummary>(syncSelectionSchema),

  'refunds.list': op<typeof refundListSchema, Page<RefundOrderView>>(refundListSchema),
  'refunds.get': op<typeof id, RefundDetail>(id),

  'repairs.list': op<typeof repairListSchema, Page<RepairRecordView>>(repairListSchema),

  'anomalies.list': op<typeof anomalyListSchema, Page<AnomalyView>>(anomalyListSchema),
  'anomalies.get': op<typeof id, AnomalyDetail>(id),
  'anomalies.resolve': op<typeof resolveSchema, AnomalyView>(resolveSchema),

  'merchants.list': op<typeof none, MerchantView[]>(none),
  'merchants.add': op<typeof profileInput, MerchantView>(profileInput),
  'merchants.update': op<typeof merchantUpdateSchema, MerchantView>(merchantUpdateSchema),
  'merchants.setEnabled': op<typeof enableSchema, MerchantView>(enableSchema),
  'merchants.remove': op<typeof id, { removed: true }>(id),
  'merchants.test': op<typeof id, ConnectionReport>(id),

  'imports.preview': op<typeof importPreviewSchema, ImportPreview>(importPreviewSchema),
  'imports.run': op<typeof importRunSchema, ImportSummary>(importRunSchema),

  'batches.start': op<typeof batchStartSchema, BatchView>(batchStartSchema),
  'batches.list': op<typeof pageOnly, Page<BatchView>>(pageOnly),
  'batches.get': op<typeof id, BatchView>(id),
  'batches.items': op<typeof batchItemsSchema, Page<BatchItemView>>(batchItemsSchema),
  'batches.pause': op<typeof id, BatchView>(id),
  'batches.resume': op<typeof id, BatchView>(id),
  'batches.cancel': op<typeof id, BatchView>(id),

  'export.run': op<typeof exportSchema, ExportResult>(exportSchema),

  'files.pickOpen': op<typeof pickOpenSchema, PickResult>(pickOpenSchema),
  'files.pickSave': op<typeof pickSaveSchema, PickResult>(pickSaveSchema),
  'files.upload': op<typeof uploadSchema, { file: string }>(uploadSchema),

  'settings.get': op<typeof none, Settings>(none),
  'settings.set': op<typeof settingsPatchSchema, Settings>(settingsPatchSchema),
  'keys.setHeadless': op<typeof headlessSchema, KeyStoreInfo>(headlessSchema),
} as const

export type Contract = typeof contract
export type OperationName = keyof Contract
export type OperationInput<K extends OperationName> = z.input<Contract[K]['input']>
export type OperationOutput<K extends OperationName> = Contract[K]['output']

/** Events main pushes to the window. */
export interface EventMap {
  'batch.progress': BatchProgressEvent
  'task.progress': TaskProgressEvent
}
export type EventName = keyof EventMap
