import type { z } from 'zod'
import { contract, type Operation, type OperationName, type OperationOutput } from '../../shared/contract'
import { AppError, type WireError } from '../../shared/errors'
import { describeIssues } from '../../shared/validation'
import { StoreError } from '../store/connection'
import { storageFaultOf } from '../store/faults'
import { decideAnomaly } from './anomalies'
import { appInfo } from './app-info'
import { startBatchFrom } from './batches'
import type { ServiceContext } from './context'
import { pickOpen, pickSave } from './dialogs'
import { runExport } from './export'
import { writeTemplate } from './import-files'
import { importChosen, previewChosen } from './import-chosen'
import { cancelImport } from './imports'
import { setHeadless, unlockWithPassphrase } from './key-store'
import {
  anomalyDetail,
  listAnomalyViews,
  listAuditLog,
  listOrders,
  listRecords,
  listRefunds,
  listRepairs,
  orderDetail,
  recordDetail,
  refundDetail,
  searchTrades,
} from './lists'
import {
  addMerchant,
  listMerchantViews,
  removeMerchantProfile,
  setMerchantEnabled,
  testMerchant,
  updateMerchantProfile,
} from './merchants'
import { exportNamedMapping, listSavedMappings, removeNamedMapping, saveNamedMapping } from './mappings'
import { overview } from './overview'
import { openTradesOf, releaseSchedule } from './schedule-holds'
import { afterOperation, contextFor, removeDemoFromBooks } from './sandbox'
import { getSettings, setSettings } from './settings'
import {
  batchItemViews,
  cancelBatch,
  getBatchView,
  listBatchViews,
  pauseBatch,
  resumeBatch,
  storageError,
  syncTradesNow,
} from './sync'
import { dismissDiffs, resyncDiffs } from './statements/decisions'
import { statementOriginal } from './statements/original'
import { reconcileOperation, rerunStatement } from './statements/runs'
import {
  listStatementViews,
  statementCalendar,
  statementCarryOver,
  statementDetail,
  statementDiffs,
  statementLines,
} from './statements/views'
import { saveUpload } from './uploads'

// The contract's implementation: one line per operation, each naming the service function that does
// the work. Inputs arrive already validated against the contract's schema (see `dispatch`), so a
// handler only deals in well-formed values.

export type ParsedInput<K extends OperationName> = z.output<(typeof contract)[K]['input']>
type Handlers = {
  [K in OperationName]: (
    ctx: ServiceContext,
    input: ParsedInput<K>,
  ) => Promise<OperationOutput<K>> | OperationOutput<K>
}

const handlers: Handlers = {
  'app.info': (ctx) => appInfo(ctx),
  'overview.get': (ctx) => overview(ctx),
  'search.trades': (ctx, { no, limit }) => searchTrades(ctx, no, limit),

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
  'anomalies.resolve': (ctx, r) => decideAnomaly(ctx, r),

  'audit.list': (ctx, f) => listAuditLog(ctx, f),

  'merchants.list': (ctx) => listMerchantViews(ctx),
  'merchants.add': (ctx, profile) => addMerchant(ctx, profile),
  'merchants.update': (ctx, { id, profile }) => updateMerchantProfile(ctx, id, profile),
  'merchants.setEnabled': (ctx, { id, enabled }) => setMerchantEnabled(ctx, id, enabled),
  'merchants.remove': (ctx, { id }) => removeMerchantProfile(ctx, id),
  'merchants.test': (ctx, { id }) => testMerchant(ctx, id),
  'merchants.removeDemo': (ctx) => removeDemoFromBooks(ctx),

  'imports.preview': (ctx, r) => previewChosen(ctx, r),
  'imports.run': (ctx, r) => importChosen(ctx, r),
  'imports.cancel': (ctx, { taskId }) => cancelImport(ctx, taskId),
  'imports.template': (ctx, r) => writeTemplate(ctx, r),

  'mappings.list': (ctx) => listSavedMappings(ctx),
  'mappings.save': (ctx, r) => saveNamedMapping(ctx, r),
  'mappings.remove': (ctx, { name }) => removeNamedMapping(ctx, name),
  'mappings.export': (ctx, r) => exportNamedMapping(ctx, r),

  'batches.start': (ctx, b) => startBatchFrom(ctx, b),
  'batches.list': (ctx, p) => listBatchViews(ctx, p.limit, p.offset),
  'batches.get': (ctx, { id }) => getBatchView(ctx, id),
  'batches.items': (ctx, r) => batchItemViews(ctx, r.id, r.problemsOnly, r.limit, r.offset),
  'batches.pause': (ctx, { id }) => pauseBatch(ctx, id),
  'batches.resume': (ctx, { id }) => resumeBatch(ctx, id),
  'batches.cancel': (ctx, { id, holdSchedule }) => cancelBatch(ctx, id, holdSchedule),
  'batches.openTrades': (ctx, { id }) => openTradesOf(ctx, id),
  'schedule.release': (ctx, r) => releaseSchedule(ctx, r),

  'export.run': (ctx, r) => runExport(ctx, r),

  'files.pickOpen': (ctx, o) => pickOpen(ctx, o),
  'files.pickSave': (ctx, o) => pickSave(ctx, o),
  'files.upload': (ctx, u) => saveUpload(ctx, u.name, u.contentBase64),

  'settings.get': (ctx) => getSettings(ctx),
  'settings.set': (ctx, patch) => setSettings(ctx, patch),
  'keys.setHeadless': (ctx, { enabled }) => setHeadless(ctx, enabled),
  'keys.unlock': (ctx, { passphrase }) => unlockWithPassphrase(ctx, passphrase),

  'statements.list': (ctx, f) => listStatementViews(ctx, f),
  'statements.get': (ctx, { id }) => statementDetail(ctx, id),
  'statements.lines': (ctx, r) => statementLines(ctx, r),
  'statements.diffs': (ctx, r) => statementDiffs(ctx, r),
  'statements.carryOver': (ctx, { id }) => statementCarryOver(ctx, id),
  'statements.calendar': (ctx, r) => statementCalendar(ctx, r),
  'statements.reconcile': (ctx, r) => reconcileOperation(ctx, r),
  'statements.rerun': (ctx, r) => rerunStatement(ctx, r),
  'statements.dismissDiffs': (ctx, r) => dismissDiffs(ctx, r),
  'statements.resyncDiffs': (ctx, r) => resyncDiffs(ctx, r),
  'statements.original': (ctx, r) => statementOriginal(ctx, r),
}

function operation(name: string): Operation<z.ZodType, unknown> {
  // Own keys only: a name such as `toString` is no operation, whatever an object inherits.
  if (!Object.hasOwn(contract, name)) throw AppError.say('not_found', 'operation.unknown', { name })
  return contract[name as OperationName]
}

/**
 * A refused input as one sentence. When every issue lies in a part with a sentence of its own (the
 * column mapping, the merchant profile), that sentence says it, the issues told from inside the part.
 * The issues themselves ride along as the error's cause, for the command line to name its flags.
 */
function refused(op: Operation<z.ZodType, unknown>, error: z.ZodError): AppError {
  const { refusal } = op
  const part = refusal?.part
  const inPart = refusal && error.issues.every((i) => part === undefined || i.path[0] === part)
  const err = inPart
    ? AppError.say('invalid_input', refusal.id, {
        detail: describeIssues(
          part === undefined ? error : { issues: error.issues.map((i) => ({ ...i, path: i.path.slice(1) })) },
        ),
      })
    : AppError.say('invalid_input', 'input.invalid', { detail: describeIssues(error) })
  err.cause = error
  return err
}

/** An operation's input checked against its schema, as `dispatch` checks it, without calling it. */
export function parseInput<K extends OperationName>(name: K, input: unknown): ParsedInput<K> {
  const op = operation(name)
  const parsed = op.input.safeParse(input ?? {})
  if (!parsed.success) throw refused(op, parsed.error)
  return parsed.data as ParsedInput<K>
}

/** Validates the input where it enters main and calls the operation. */
export async function dispatch<K extends OperationName>(
  ctx: ServiceContext,
  name: K,
  input: unknown,
): Promise<OperationOutput<K>> {
  const request = parseInput(name, input)
  const handler = handlers[name] as (
    ctx: ServiceContext,
    input: ParsedInput<K>,
  ) => Promise<OperationOutput<K>> | OperationOutput<K>
  // While the window shows the sandbox, most operations work on the sandbox's own database.
  const answer = await handler(contextFor(ctx, name), request)
  await afterOperation(ctx, name)
  return answer
}

/** What any transport sends back for a failure: a code and one sentence, never a stack or a secret. */
export function toWireError(err: unknown): WireError {
  if (err instanceof AppError)
    return err.id
      ? { code: err.code, message: err.message, id: err.id, params: err.params }
      : { code: err.code, message: err.message }
  if (err instanceof StoreError) return { code: 'store', message: err.message }
  // The storage refused a write (a full disk ...): said as such, not as a bug of ours.
  const fault = storageFaultOf(err)
  if (fault) return toWireError(storageError(fault))
  return {
    code: 'internal',
    message: `something went wrong inside PaySync Desk: ${(err as Error).message ?? String(err)}`,
  }
}

export const SERVICE_OPERATIONS = Object.keys(handlers) as OperationName[]
