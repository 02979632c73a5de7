import type { z } from 'zod'
import type {
  AnomalyView,
  AuditView,
  BatchView,
  Continued,
  ListPage,
  MerchantView,
  Page,
  PayOrderView,
  RefundOrderView,
  RepairRecordView,
  SyncRecordDetail,
  SyncRecordView,
} from './entity-views'
import type { ImportSummary } from './import-report'
import type { StoreChangedEvent } from './live'
import {
  anomalyListSchema,
  auditListSchema,
  orderListSchema,
  recordListSchema,
  refundListSchema,
  repairListSchema,
} from './filters'
import {
  batchCancelSchema,
  batchItemsSchema,
  batchStartSchema,
  enableSchema,
  exportSchema,
  headlessSchema,
  idSchema,
  importCancelSchema,
  importPreviewSchema,
  importRunSchema,
  importTemplateSchema,
  mappingExportSchema,
  mappingNameSchema,
  mappingSaveSchema,
  merchantUpdateSchema,
  noInput,
  pageOnly,
  passphraseSchema,
  pickOpenSchema,
  pickSaveSchema,
  resolveSchema,
  scheduleReleaseSchema,
  syncSelectionSchema,
  teamPassphraseSchema,
  tradeSearchSchema,
  uploadSchema,
} from './inputs'
import type { MessageId } from './messages'
import { profileSchema } from './profiles'
import {
  teamDbAddressSchema,
  type TeamDbCopyView,
  type TeamDbSwitch,
  type TeamDbProgressEvent,
  type TeamDbReport,
} from './team-db'
import { settingsPatchSchema, type Settings } from './settings'
import {
  type CarryOverView,
  type DiffActionResult,
  type ReconcileRun,
  type StatementCalendar,
  type StatementDetail,
  type StatementDiffView,
  type StatementLineView,
  type StatementProgressEvent,
  type StatementView,
} from './statements'
import {
  dismissDiffsSchema,
  reconcileSchema,
  rerunSchema,
  resyncDiffsSchema,
  statementCalendarSchema,
  statementDiffsSchema,
  statementLinesSchema,
  statementListSchema,
  statementOriginalSchema,
} from './statement-inputs'
import type {
  AnomalyDetail,
  AppInfo,
  BatchItemView,
  BatchProgressEvent,
  ConnectionReport,
  DemoRemoval,
  ExportResult,
  ImportPreview,
  KeyStoreInfo,
  OrderDetail,
  OverviewData,
  PickResult,
  SavedMappingView,
  RefundDetail,
  SyncSummary,
  TaskProgressEvent,
  UploadResult,
  TradeSearchResult,
} from './views'

// The one API contract (ARCHITECTURE.md): every operation the window, browser mode and the command
// line can ask of main, with the schema its input is validated against where it enters main and the
// type of its answer. Electron IPC, the HTTP bridge and the preload are all generated from this map.
// The answers' shapes are in ./views.ts and ./entity-views.ts, the input schemas in ./inputs.ts; both are
// re-exported here, where most code has always looked for them.

export * from './views'
export * from './inputs'

/**
 * How a refused input is said, when a part of it has a sentence of its own in the catalog: a bad
 * column mapping or merchant profile is named as such, whatever else the input holds. `part` is the
 * input's field it is about (its issues are then told from inside it); without one, the whole input.
 */
export interface Refusal {
  id: MessageId
  part?: string
}

export interface Operation<I extends z.ZodType, O> {
  input: I
  /** Never read: it carries the answer's type. */
  output: O
  refusal?: Refusal
}

/** One operation: `op(schema).returns<Answer>()` names the schema once and the answer's type once. */
function op<I extends z.ZodType>(input: I, refusal?: Refusal) {
  return {
    returns: <O>(): Operation<I, O> => ({
      input,
      output: undefined as unknown as O,
      ...(refusal ? { refusal } : {}),
    }),
  }
}

const mappingRefused: Refusal = { id: 'mapping.invalid', part: 'mapping' }

export const contract = {
  'app.info': op(noInput).returns<AppInfo>(),
  'overview.get': op(noInput).returns<OverviewData>(),
  'search.trades': op(tradeSearchSchema).returns<TradeSearchResult>(),

  'records.list': op(recordListSchema).returns<ListPage<SyncRecordView>>(),
  'records.get': op(idSchema).returns<SyncRecordDetail>(),

  'orders.list': op(orderListSchema).returns<ListPage<PayOrderView>>(),
  'orders.get': op(idSchema).returns<OrderDetail>(),
  'orders.sync': op(syncSelectionSchema).returns<SyncSummary>(),

  'refunds.list': op(refundListSchema).returns<ListPage<RefundOrderView>>(),
  'refunds.get': op(idSchema).returns<RefundDetail>(),

  'repairs.list': op(repairListSchema).returns<ListPage<RepairRecordView>>(),

  'anomalies.list': op(anomalyListSchema).returns<ListPage<AnomalyView>>(),
  'anomalies.get': op(idSchema).returns<AnomalyDetail>(),
  'anomalies.resolve': op(resolveSchema).returns<AnomalyView>(),

  'audit.list': op(auditListSchema).returns<Page<AuditView> & Continued>(),

  'merchants.list': op(noInput).returns<MerchantView[]>(),
  'merchants.add': op(profileSchema, { id: 'merchant.invalid' }).returns<MerchantView>(),
  'merchants.update': op(merchantUpdateSchema, {
    id: 'merchant.invalid',
    part: 'profile',
  }).returns<MerchantView>(),
  'merchants.setEnabled': op(enableSchema).returns<MerchantView>(),
  'merchants.remove': op(idSchema).returns<{ removed: true }>(),
  'merchants.test': op(idSchema).returns<ConnectionReport>(),
  'merchants.removeDemo': op(noInput).returns<DemoRemoval>(),

  'imports.preview': op(importPreviewSchema, mappingRefused).returns<ImportPreview>(),
  'imports.run': op(importRunSchema, mappingRefused).returns<ImportSummary>(),
  'imports.cancel': op(importCancelSchema).returns<{ cancelled: boolean }>(),
  'imports.template': op(importTemplateSchema).returns<ExportResult>(),

  'mappings.list': op(noInput).returns<SavedMappingView[]>(),
  'mappings.save': op(mappingSaveSchema, mappingRefused).returns<SavedMappingView>(),
  'mappings.remove': op(mappingNameSchema).returns<{ removed: boolean }>(),
  'mappings.export': op(mappingExportSchema).returns<ExportResult>(),

  'batches.start': op(batchStartSchema).returns<BatchView>(),
  'batches.list': op(pageOnly).returns<Page<BatchView>>(),
  'batches.get': op(idSchema).returns<BatchView>(),
  'batches.items': op(batchItemsSchema).returns<Page<BatchItemView>>(),
  'batches.pause': op(idSchema).returns<BatchView>(),
  'batches.resume': op(idSchema).returns<BatchView>(),
  'batches.cancel': op(batchCancelSchema).returns<BatchView>(),
  'batches.openTrades': op(idSchema).returns<{ trades: number }>(),
  'schedule.release': op(scheduleReleaseSchema).returns<{ released: number }>(),

  'export.run': op(exportSchema).returns<ExportResult>(),

  'files.pickOpen': op(pickOpenSchema).returns<PickResult>(),
  'files.pickSave': op(pickSaveSchema).returns<PickResult>(),
  'files.upload': op(uploadSchema).returns<UploadResult>(),

  'settings.get': op(noInput).returns<Settings>(),
  'settings.set': op(settingsPatchSchema).returns<Settings>(),
  'keys.setHeadless': op(headlessSchema).returns<KeyStoreInfo>(),
  'keys.unlock': op(passphraseSchema).returns<KeyStoreInfo>(),
  'keys.setPassphrase': op(teamPassphraseSchema).returns<KeyStoreInfo>(),

  // Statement reconciliation (docs/reconcile.md A13); the vocabulary is in ./statements.ts.
  'statements.list': op(statementListSchema).returns<Page<StatementView>>(),
  'statements.get': op(idSchema).returns<StatementDetail>(),
  'statements.lines': op(statementLinesSchema).returns<Page<StatementLineView>>(),
  'statements.diffs': op(statementDiffsSchema).returns<Page<StatementDiffView>>(),
  'statements.carryOver': op(idSchema).returns<{ from: CarryOverView[]; into: CarryOverView[] }>(),
  'statements.calendar': op(statementCalendarSchema).returns<StatementCalendar>(),
  'statements.reconcile': op(reconcileSchema).returns<ReconcileRun>(),
  'statements.rerun': op(rerunSchema).returns<ReconcileRun>(),
  'statements.dismissDiffs': op(dismissDiffsSchema).returns<DiffActionResult>(),
  'statements.resyncDiffs': op(resyncDiffsSchema).returns<DiffActionResult>(),
  'statements.original': op(statementOriginalSchema).returns<ExportResult>(),

  // A team database on PostgreSQL (docs/team-mode.md B8): its check, and this desktop's books into it.
  'teamDb.check': op(teamDbAddressSchema).returns<TeamDbReport>(),
  'teamDb.copyIn': op(teamDbAddressSchema).returns<TeamDbCopyView>(),
  // The desktop app's books: a team database, or this computer's file again (B8.14).
  'teamDb.use': op(teamDbAddressSchema).returns<TeamDbSwitch>(),
  'teamDb.leave': op(noInput).returns<TeamDbSwitch>(),
} as const

export type Contract = typeof contract
export type OperationName = keyof Contract
export type OperationInput<K extends OperationName> = z.input<Contract[K]['input']>
export type OperationOutput<K extends OperationName> = Contract[K]['output']

/** Events main pushes to the window. */
export interface EventMap {
  'batch.progress': BatchProgressEvent
  'task.progress': TaskProgressEvent
  'statement.progress': StatementProgressEvent
  'teamDb.progress': TeamDbProgressEvent
  /** Another process changed what the window lists (docs/team-mode.md B8.5): read it again. */
  'store.changed': StoreChangedEvent
}
export type EventName = keyof EventMap
