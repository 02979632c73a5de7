import {
  contract,
  type OperationInput,
  type OperationName,
  type OperationOutput,
} from '../../shared/contract'
import { AppError, type WireError } from '../../shared/errors'
import { describeIssues } from '../../shared/validation'
import { isoOrNull } from '../../shared/time'
import { resolveAnomaly } from '../engine/manual'
import { anomalyView, getAnomaly } from '../store/anomalies'
import { getBatch } from '../store/batches'
import { StoreError } from '../store/connection'
import { payOrderIdsOfImport } from '../store/orders'
import { refundIdsOfImport } from '../store/refunds'
import type { ServiceContext } from './context'
import { exportCsv } from './export'
import { keyStoreInfo, setHeadless } from './keys'
import { saveUpload } from './uploads'
import { parseMapping, previewImport, runImport } from './imports'
import {
  anomalyDetail,
  listAnomalyViews,
  listOrders,
  listRecords,
  listRefunds,
  listRepairs,
  orderDetail,
  recordDetail,
  refundDetail,
} from './lists'
import {
  addMerchant,
  listMerchantViews,
  removeMerchantProfile,
  setMerchantEnabled,
  testMerchant,
  updateMerchantProfile,
} from './merchants'
import { overview } from './overview'
import { getSettings, setSettings } from './settings'
import {
  batchItemViews,
  cancelBatch,
  createBatchOf,
  getBatchView,
  listBatchViews,
  pauseBatch,
  resumeBatch,
  startBatchInBackground,
  syncTradesNow,
  tradesOfFilter,
  allTrades,
  type TradeRef,
} from './sync'

// The contract's implementation: one function per operation. Inputs arrive already validated
// against the contract's schema (see `dispatch`), so a handler only deals in well-formed values.

type Parsed<K extends OperationName> = import('zod').output<(typeof contract)[K]['input']>
type Handlers = {
  [K in OperationName]: (
    ctx: ServiceContext,
    input: Parsed<K>,
  ) => Promise<OperationOutput<K>> | OperationOutput<K>
}

const handlers: Handlers = {
  'app.info': (ctx) => ({
    version: process.env.npm_package_version ?? '0.1.0',
    dbFile: ctx.options.dbFile,
    systemUser: ctx.options.systemUser ?? null,
    transport: ctx.options.transport === 'electron' ? 'electron' : 'http',
    keyStore: keyStoreInfo(ctx),
    sandbox: { running: ctx.sandbox !== null, url: ctx.sandbox?.url ?? null },
    schedules: {
      enabled: ctx.settings().schedulesEnabled,
      running: ctx.schedulerStarted,
      lastRunAt: isoOrNull(ctx.lastScheduleRunAt),
    },
    integrity: {
      status: ctx.integrity.status,
      problems: ctx.integrity.problems,
      checkedAt: isoOrNull(ctx.integrity.checkedAt),
    },
  }),
  'overview.get': (ctx) => overview(ctx),

  'records.list': (ctx, f) => listRecords(ctx, f),
  'records.get': (ctx, { id }) => recordDetail(ctx, id),

  'orders.list': (ctx, f) => listOrders(ctx, f),
  'orders.get': (ctx, { id }) => orderDetail(ctx, id),
  'orders.sync': (ctx, s) =>
    syncTradesNow(
      ctx,
      s.ids.map((id) => ({ type: s.type, id })),
    ),

  'refunds.list': (ctx, f) => listRefunds(ctx, f),
  'refunds.get': (ctx, { id }) => refundDetail(ctx, id),

  'repairs.list': (ctx, f) => listRepairs(ctx, f),

  'anomalies.list': (ctx, f) => listAnomalyViews(ctx, f),
  'anomalies.get': (ctx, { id }) => anomalyDetail(ctx, id),
  'anomalies.resolve': (ctx, r) => {
    resolveAnomaly(ctx.db, { ...r, operator: ctx.operator }, ctx.now())
    return anomalyView(getAnomaly(ctx.db, r.id)!)
  },

  'merchants.list': (ctx) => listMerchantViews(ctx),
  'merchants.add': (ctx, profile) => addMerchant(ctx, profile),
  'merchants.update': (ctx, { id, profile }) => updateMerchantProfile(ctx, id, profile),
  'merchants.setEnabled': (ctx, { id, enabled }) => setMerchantEnabled(ctx, id, enabled),
  'merchants.remove': (ctx, { id }) => removeMerchantProfile(ctx, id),
  'merchants.test': (ctx, { id }) => testMerchant(ctx, id),

  'imports.preview': (ctx, r) =>
    previewImport(ctx, {
      file: r.file,
      type: r.type,
      merchant: r.merchant,
      mapping: parseMapping(r.mapping),
      rows: r.rows,
    }),
  'imports.run': async (ctx, r) => {
    const refs: TradeRef[] = []
    const summary = await runImport(ctx, {
      file: r.file,
      type: r.type,
      merchant: r.merchant,
      mapping: parseMapping(r.mapping),
      onTrade: r.sync ? (type, id) => refs.push({ type, id }) : undefined,
    })
    if (r.sync && refs.length > 0) {
      const batchId = createBatchOf(ctx, refs, {
        name: r.sync.name ?? summary.file,
        sourceFile: summary.file,
        importId: summary.importId,
        concurrency: r.sync.concurrency,
        qps: r.sync.qps,
      })
      startBatchInBackground(ctx, batchId)
      // A trade listed twice in the file is one item of the batch.
      return { ...summary, batchId, batchTotal: getBatch(ctx.db, batchId)?.total ?? refs.length }
    }
    return summary
  },

  'batches.start': (ctx, b) => {
    let refs: TradeRef[]
    if (b.ids) refs = b.ids.map((id) => ({ type: b.type, id }))
    else if (b.filter) refs = tradesOfFilter(ctx, b.type, b.filter)
    else if (b.importId) refs = tradesOfImport(ctx, b.importId)
    else refs = allTrades(ctx, true)
    if (refs.length === 0) throw AppError.say('invalid_input', 'sync.nothing')
    const id = createBatchOf(ctx, refs, {
      name: b.name,
      importId: b.importId ?? null,
      concurrency: b.concurrency,
      qps: b.qps,
    })
    startBatchInBackground(ctx, id)
    return getBatchView(ctx, id)
  },
  'batches.list': (ctx, p) => listBatchViews(ctx, p.limit, p.offset),
  'batches.get': (ctx, { id }) => getBatchView(ctx, id),
  'batches.items': (ctx, r) => batchItemViews(ctx, r.id, r.problemsOnly, r.limit, r.offset),
  'batches.pause': (ctx, { id }) => pauseBatch(ctx, id),
  'batches.resume': (ctx, { id }) => resumeBatch(ctx, id),
  'batches.cancel': (ctx, { id }) => cancelBatch(ctx, id),

  'export.run': (ctx, r) => exportCsv(ctx, r),

  'files.pickOpen': async (ctx, o) =>
    ctx.options.dialogs
      ? { supported: true, file: await ctx.options.dialogs.open(o) }
      : { supported: false, file: null },
  'files.pickSave': async (ctx, o) =>
    ctx.options.dialogs
      ? { supported: true, file: await ctx.options.dialogs.save(o) }
      : { supported: false, file: null },
  'files.upload': (ctx, u) => saveUpload(ctx, u.name, u.contentBase64),

  'settings.get': (ctx) => getSettings(ctx),
  'settings.set': (ctx, patch) => setSettings(ctx, patch),
  'keys.setHeadless': (ctx, { enabled }) => setHeadless(ctx, enabled),
}

function tradesOfImport(ctx: ServiceContext, importId: number): TradeRef[] {
  return [
    ...payOrderIdsOfImport(ctx.db, importId).map((id) => ({ type: 'pay' as const, id })),
    ...refundIdsOfImport(ctx.db, importId).map((id) => ({ type: 'refund' as const, id })),
  ]
}

/** Validates the input where it enters main and calls the operation. */
export async function dispatch<K extends OperationName>(
  ctx: ServiceContext,
  name: K,
  input: unknown,
): Promise<OperationOutput<K>> {
  const op = contract[name]
  if (!op) throw AppError.say('not_found', 'operation.unknown', { name: String(name) })
  const parsed = op.input.safeParse(input ?? {})
  if (!parsed.success)
    throw AppError.say('invalid_input', 'input.invalid', { detail: describeIssues(parsed.error) })
  const handler = handlers[name] as (
    ctx: ServiceContext,
    input: unknown,
  ) => Promise<OperationOutput<K>> | OperationOutput<K>
  return handler(ctx, parsed.data)
}

export type { OperationInput }

/** What any transport sends back for a failure: a code and one sentence, never a stack or a secret. */
export function toWireError(err: unknown): WireError {
  if (err instanceof AppError)
    return err.id
      ? { code: err.code, message: err.message, id: err.id, params: err.params }
      : { code: err.code, message: err.message }
  if (err instanceof StoreError) return { code: 'store', message: err.message }
  return {
    code: 'internal',
    message: `something went wrong inside PaySync Desk: ${(err as Error).message ?? String(err)}`,
  }
}

export const SERVICE_OPERATIONS = Object.keys(handlers) as OperationName[]
