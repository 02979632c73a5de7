import type { z } from 'zod'
import { contract, type Operation, type OperationName, type OperationOutput } from '../../shared/contract'
import { AppError, type WireError } from '../../shared/errors'
import { describeIssues } from '../../shared/validation'
import { StoreError } from '../store/connection'
import { storageFaultOf } from '../store/faults'
import type { ServiceContext } from './context'
import type { Reads } from './reads'
import { afterOperation, contextFor } from './sandbox-routing'
import { storageError } from './storage-error'

// The contract's implementation: one line per operation, each naming the service function that does
// the work. Inputs arrive already validated against the contract's schema (see `dispatch`), so a
// handler only deals in well-formed values.
//
// Each service module loads with the first operation that calls it: a command-line list loads the
// lists, not the engine, the gateways, the import workers or the statements, which together are most
// of the code (the README's Performance, "Command line start"). The window and `paysync serve` load
// them all at start with `loadEveryService`, so that no first click waits for a module.

export type ParsedInput<K extends OperationName> = z.output<(typeof contract)[K]['input']>
type Handlers = {
  [K in OperationName]: (ctx: ServiceContext, input: ParsedInput<K>) => Promise<OperationOutput<K>>
}

const SERVICES = {
  anomalies: () => import('./anomalies'),
  appInfo: () => import('./app-info'),
  batches: () => import('./batches'),
  dialogs: () => import('./dialogs'),
  export: () => import('./export'),
  importFiles: () => import('./import-files'),
  importChosen: () => import('./import-chosen'),
  importTask: () => import('./import-task'),
  keyStore: () => import('./key-store'),
  teamPassphrase: () => import('./team-passphrase'),
  lists: () => import('./lists'),
  merchants: () => import('./merchants'),
  mappings: () => import('./mappings'),
  overview: () => import('./overview'),
  scheduleHolds: () => import('./schedule-holds'),
  sandbox: () => import('./sandbox'),
  settings: () => import('./settings'),
  sync: () => import('./sync'),
  decisions: () => import('./statements/decisions'),
  original: () => import('./statements/original'),
  runs: () => import('./statements/runs'),
  statementViews: () => import('./statements/views'),
  teamDb: () => import('./team-db'),
  booksSwitch: () => import('./books-switch'),
  teamCopyIn: () => import('./team-copy-in'),
  uploads: () => import('./uploads'),
} satisfies Record<string, () => Promise<unknown>>

const { lists, merchants, mappings, sync, statementViews } = SERVICES

/**
 * The operations that only read the lists and detail views: they take the books' `Reads` and run on
 * either store, the desktop's file or a team database (services/reads.ts, docs/team-mode.md B8.6).
 */
export const READ_OPERATIONS = [
  'search.trades',
  'records.list',
  'records.get',
  'orders.list',
  'orders.get',
  'refunds.list',
  'refunds.get',
  'repairs.list',
  'anomalies.list',
  'anomalies.get',
  'audit.list',
  'statements.list',
  'statements.get',
  'statements.lines',
  'statements.diffs',
  'statements.carryOver',
  'statements.calendar',
] as const satisfies readonly OperationName[]

export type ReadOperation = (typeof READ_OPERATIONS)[number]

const readHandlers: {
  [K in ReadOperation]: (r: Reads, input: ParsedInput<K>) => Promise<OperationOutput<K>>
} = {
  'search.trades': async (r, { no, limit }) => (await lists()).searchTrades(r, no, limit),
  'records.list': async (r, f) => (await lists()).listRecords(r, f),
  'records.get': async (r, { id }) => (await lists()).recordDetail(r, id),
  'orders.list': async (r, f) => (await lists()).listOrders(r, f),
  'orders.get': async (r, { id }) => (await lists()).orderDetail(r, id),
  'refunds.list': async (r, f) => (await lists()).listRefunds(r, f),
  'refunds.get': async (r, { id }) => (await lists()).refundDetail(r, id),
  'repairs.list': async (r, f) => (await lists()).listRepairs(r, f),
  'anomalies.list': async (r, f) => (await lists()).listAnomalyViews(r, f),
  'anomalies.get': async (r, { id }) => (await lists()).anomalyDetail(r, id),
  'audit.list': async (r, f) => (await lists()).listAuditLog(r, f),
  'statements.list': async (r, f) => (await statementViews()).listStatementViews(r, f),
  'statements.get': async (r, { id }) => (await statementViews()).statementDetail(r, id),
  'statements.lines': async (r, q) => (await statementViews()).statementLines(r, q),
  'statements.diffs': async (r, q) => (await statementViews()).statementDiffs(r, q),
  'statements.carryOver': async (r, { id }) => (await statementViews()).statementCarryOver(r, id),
  'statements.calendar': async (r, q) => (await statementViews()).statementCalendar(r, q),
}

const handlers: Handlers = {
  ...readHandlers,
  'app.info': async (ctx) => (await SERVICES.appInfo()).appInfo(ctx),
  'overview.get': async (ctx) => (await SERVICES.overview()).overview(ctx),
  'orders.sync': async (ctx, s) =>
    (await sync()).syncTradesNow(
      ctx,
      s.ids.map((id) => ({ type: s.type, id })),
    ),
  'anomalies.resolve': async (ctx, r) => (await SERVICES.anomalies()).decideAnomaly(ctx, r),

  'merchants.list': async (ctx) => (await merchants()).listMerchantViews(ctx),
  'merchants.add': async (ctx, profile) => (await merchants()).addMerchant(ctx, profile),
  'merchants.update': async (ctx, { id, profile }) =>
    (await merchants()).updateMerchantProfile(ctx, id, profile),
  'merchants.setEnabled': async (ctx, { id, enabled }) =>
    (await merchants()).setMerchantEnabled(ctx, id, enabled),
  'merchants.remove': async (ctx, { id }) => (await merchants()).removeMerchantProfile(ctx, id),
  'merchants.test': async (ctx, { id }) => (await merchants()).testMerchant(ctx, id),
  'merchants.removeDemo': async (ctx) => (await SERVICES.sandbox()).removeDemoFromBooks(ctx),

  'imports.preview': async (ctx, r) => (await SERVICES.importChosen()).previewChosen(ctx, r),
  'imports.run': async (ctx, r) => (await SERVICES.importChosen()).importChosen(ctx, r),
  'imports.cancel': async (ctx, { taskId }) => (await SERVICES.importTask()).cancelImport(ctx, taskId),
  'imports.template': async (ctx, r) => (await SERVICES.importFiles()).writeTemplate(ctx.exec, ctx, r),

  'mappings.list': async (ctx) => (await mappings()).listSavedMappings(ctx.exec),
  'mappings.save': async (ctx, r) => (await mappings()).saveNamedMapping(ctx.exec, r, ctx.now()),
  'mappings.remove': async (ctx, { name }) => (await mappings()).removeNamedMapping(ctx.exec, name),
  'mappings.export': async (ctx, r) => (await mappings()).exportNamedMapping(ctx.exec, ctx, r),

  'batches.start': async (ctx, b) => (await SERVICES.batches()).startBatchFrom(ctx, b),
  'batches.list': async (ctx, p) => (await sync()).listBatchViews(ctx, p.limit, p.offset),
  'batches.get': async (ctx, { id }) => (await sync()).getBatchView(ctx, id),
  'batches.items': async (ctx, r) =>
    (await sync()).batchItemViews(ctx, r.id, r.problemsOnly, r.limit, r.offset),
  'batches.pause': async (ctx, { id }) => (await sync()).pauseBatch(ctx, id),
  'batches.resume': async (ctx, { id }) => (await sync()).resumeBatch(ctx, id),
  'batches.cancel': async (ctx, { id, holdSchedule }) => (await sync()).cancelBatch(ctx, id, holdSchedule),
  'batches.openTrades': async (ctx, { id }) => (await SERVICES.scheduleHolds()).openTradesOf(ctx, id),
  'schedule.release': async (ctx, r) => (await SERVICES.scheduleHolds()).releaseSchedule(ctx, r),

  'export.run': async (ctx, r) => (await SERVICES.export()).runExport(ctx, r),

  'files.pickOpen': async (ctx, o) => (await SERVICES.dialogs()).pickOpen(ctx.dialogHost, o),
  'files.pickSave': async (ctx, o) => (await SERVICES.dialogs()).pickSave(ctx.dialogHost, o),
  'files.upload': async (ctx, u) => (await SERVICES.uploads()).saveUpload(ctx, u.name, u.contentBase64),

  'settings.get': async (ctx) => (await SERVICES.settings()).getSettings(ctx),
  'settings.set': async (ctx, patch) => (await SERVICES.settings()).setSettings(ctx, patch),
  'keys.setHeadless': async (ctx, { enabled }) => (await SERVICES.keyStore()).setHeadless(ctx, enabled),
  'keys.unlock': async (ctx, { passphrase }) =>
    (await SERVICES.keyStore()).unlockWithPassphrase(ctx, passphrase),
  'keys.setPassphrase': async (ctx, p) => (await SERVICES.teamPassphrase()).setTeamPassphrase(ctx, p),

  'statements.reconcile': async (ctx, r) => (await SERVICES.runs()).reconcileOperation(ctx, r),
  'statements.rerun': async (ctx, r) => (await SERVICES.runs()).rerunStatement(ctx, r),
  'statements.dismissDiffs': async (ctx, r) => (await SERVICES.decisions()).dismissDiffs(ctx, r),
  'statements.resyncDiffs': async (ctx, r) => (await SERVICES.decisions()).resyncDiffs(ctx, r),
  'statements.original': async (ctx, r) => (await SERVICES.original()).statementOriginal(ctx, r),

  'teamDb.check': async (_ctx, { address }) => (await SERVICES.teamDb()).checkTeamDatabase(address),
  'teamDb.copyIn': async (ctx, { address }) => (await SERVICES.teamCopyIn()).copyBooksIn(ctx, address),
  'teamDb.use': async (ctx, { address }) =>
    (await SERVICES.booksSwitch()).useTeamBooks(ctx.options.books, address),
  'teamDb.leave': async (ctx) => (await SERVICES.booksSwitch()).useFileBooks(ctx.options.books),
}

/**
 * Every service module, loaded now: for a process that stays up (the window, `paysync serve`), where
 * the first click or request should not wait for its module to load.
 */
export async function loadEveryService(): Promise<void> {
  await Promise.all(Object.values(SERVICES).map((load) => load()))
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
  ) => Promise<OperationOutput<K>>
  // While the window shows the sandbox, most operations work on the sandbox's own database.
  const answer = await handler(contextFor(ctx, name), request)
  await afterOperation(ctx, name)
  return answer
}

/** A read operation on the books' Reads alone: how the command line reads a team database. */
export async function dispatchRead<K extends ReadOperation>(
  r: Reads,
  name: K,
  input: unknown,
): Promise<OperationOutput<K>> {
  const handler = readHandlers[name] as (r: Reads, input: ParsedInput<K>) => Promise<OperationOutput<K>>
  return handler(r, parseInput(name, input))
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
