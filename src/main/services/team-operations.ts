import path from 'node:path'
import type { z } from 'zod'
import {
  contract,
  type AppInfo,
  type OperationName,
  type OperationOutput,
  type batchStartSchema,
} from '../../shared/contract'
import type { BatchView } from '../../shared/entity-views'
import type { OrderFilter, RefundFilter } from '../../shared/filters'
import { AppError } from '../../shared/errors'
import type { StatementPhase } from '../../shared/statements'
import { isoOrNull } from '../../shared/time'
import { APP_VERSION } from '../../shared/version'
import { auditOn } from '../store/audit'
import { demoInBooksOn } from '../store/demo-data'
import { inPgTransaction } from '../store/pg/transaction'
import { writeSettingsOn } from '../store/settings'
import { ordersExport } from '../store/orders'
import { refundsExport } from '../store/refunds'
import { openTradesOfBatchOn, releaseTradesOn } from '../store/schedule-holds'
import { getBatchOn } from '../store/batch-run'
import { tradesOfImportOn } from '../store/trade-schedule'
import { decideAnomalyOnTeam } from './anomalies'
import { batchItemPage } from './batch-items'
import type { ApiBackend } from './api-backend'
import { pickOpen, pickSave } from './dialogs'
import { exportedFile } from './downloads'
import { exportTarget } from './export-target'
import { READ_OPERATIONS, dispatchRead, parseInput, type ParsedInput, type ReadOperation } from './index'
import { overviewOn } from './overview'
import { syncEach } from './sync'
import { defaultExportName, statementExportName } from './export'
import {
  createTeamBatch,
  releaseTeamBatch,
  stopTeamBatch,
  teamBatches,
  teamBatchView,
  teamTrades,
} from './team-batches'
import { checkTeamDatabase } from './team-db'
import { useFileBooks, useTeamBooks } from './books-switch'
import { merchantOps } from './team-merchant-ops'
import { demoOps } from './team-demo-ops'
import { exportFromTeam, statementToExport, teamExport } from './team-export'
import type { TeamHost } from './team-host'
import type { TeamHandlers } from './team-handlers'
import { importOps, rejectedFromTeam } from './team-import-ops'
import { tradeExists, type TradeRef } from './trade-refs'
import { systemUser } from './context'
import { reconcileOnTeam, rerunOnTeam } from './statements/team-run'
import { dismissDiffsOnTeam, resyncDiffsOnTeam } from './statements/team-decisions'
import { setTeamPassphraseOn, teamKeyStoreOf, teamPassphraseBooks } from './team-passphrase'
import { statementOps } from './team-statement-ops'
import { saveUpload } from './uploads'

// The contract's operations on a team database (`paysync serve --db postgres://…`, docs/team-mode.md
// B8.13): the same names, inputs and answers as on the desktop's file (services/index.ts), each done
// by the functions written once for both stores. What is a desktop file's own (the key-store switches,
// copying the file in) is refused in one sentence that names it, before anything is read or written.

/** The trades a batch started from the window holds, read from the team database. */
async function teamRefsFor(host: TeamHost, r: z.output<typeof batchStartSchema>): Promise<TradeRef[]> {
  const x = host.desk.reads.exec
  const type = r.type
  if (r.ids) return r.ids.map((id) => ({ type, id }))
  if (r.filter) {
    const q =
      type === 'pay'
        ? await ordersExport.async(x, r.filter as OrderFilter, ['p.id'])
        : await refundsExport.async(x, r.filter as RefundFilter, ['r.id'])
    if (!q) return []
    const rows = await x.all<{ id: number }>(q.sql, q.params)
    return rows.map((row) => ({ type, id: Number(row.id) }))
  }
  if (r.importId) return tradesOfImportOn.async(x, r.importId)
  return teamTrades(host.desk, r.pending === true, false)
}

async function audited(host: TeamHost, id: number, action: 'batch_resumed'): Promise<BatchView> {
  const view = await teamBatchView(host.desk, id)
  await auditOn.async(
    host.desk.reads.exec,
    { ...host.desk.actor, action, target: `batch:${id}`, detail: { done: view.done, held: view.held } },
    Date.now(),
  )
  return view
}

async function teamAppInfo(host: TeamHost): Promise<AppInfo> {
  const t = host.desk.reads.target
  const lead = host.scheduleLead?.state()
  return {
    version: APP_VERSION,
    dbFile: `${t.host}:${t.port}/${t.database}`,
    team: `${t.host}:${t.port}/${t.database}`,
    systemUser: systemUser(),
    transport: host.transport,
    keyStore: await teamKeyStoreOf(host.desk),
    sandbox: { running: false, url: null },
    // What an older version's sandbox left, brought in by `paysync db copy`: the notice offers its removal.
    demoInBooks: await demoInBooksOn.async(host.desk.reads.exec),
    schedules: {
      enabled: (await host.desk.settings()).schedulesEnabled,
      running: host.schedulesRunning,
      lastRunAt: isoOrNull(host.lastScheduleRunAt),
      leader: lead?.owner ? { self: lead.self, owner: lead.owner } : null,
    },
    integrity: { status: 'unchecked', problems: [], checkedAt: null },
  }
}

const handlers: TeamHandlers = {
  ...importOps,
  'app.info': (host) => teamAppInfo(host),
  'overview.get': async (host) => overviewOn.async(host.desk.reads.exec, Date.now()),
  'orders.sync': async ({ desk }, s) => {
    const x = desk.reads.exec
    // The named trades back in the schedules, whatever batch held them (docs/domain.md 6.7).
    await releaseTradesOn.async(x, s.type, s.ids)
    const refs = s.ids.map((id) => ({ type: s.type, id }))
    return syncEach(desk.engine, refs, { source: 'manual', ...desk.actor }, (ref) =>
      tradeExists.async(x, ref),
    )
  },
  'anomalies.resolve': async ({ desk }, r) => decideAnomalyOnTeam(desk, r),
  ...merchantOps,
  ...demoOps,
  ...statementOps,

  'batches.start': async (host, r) => {
    await host.desk.merchants.secretBox()
    const refs = await teamRefsFor(host, r)
    if (refs.length === 0) throw AppError.say('invalid_input', 'sync.nothing')
    const id = await createTeamBatch(host.desk, refs, {
      name: r.name,
      importId: r.importId ?? null,
      concurrency: r.concurrency,
      qps: r.qps,
    })
    host.runInBackground(id)
    return teamBatchView(host.desk, id)
  },
  'batches.list': async ({ desk }, p) => teamBatches(desk, p.limit, p.offset),
  'batches.get': async ({ desk }, { id }) => teamBatchView(desk, id),
  'batches.items': async ({ desk }, r) =>
    batchItemPage.async(desk.reads.exec, r.id, {
      problemsOnly: r.problemsOnly,
      limit: r.limit,
      offset: r.offset,
    }),
  'batches.pause': async ({ desk }, { id }) => stopTeamBatch(desk, id, 'paused'),
  'batches.cancel': async ({ desk }, { id, holdSchedule }) =>
    stopTeamBatch(desk, id, 'cancelled', holdSchedule),
  'batches.resume': async (host, { id }) => {
    const view = await teamBatchView(host.desk, id)
    if (view.status === 'done' || view.status === 'cancelled')
      throw AppError.say('conflict', 'batch.nothingToResume', { id, status: view.status })
    await host.desk.merchants.secretBox()
    // Running on another desktop or not at all: this one joins it, taking a share of its items.
    host.runInBackground(id)
    return audited(host, id, 'batch_resumed')
  },
  'batches.openTrades': async ({ desk }, { id }) => {
    if (!(await getBatchOn.async(desk.reads.exec, id)))
      throw AppError.say('not_found', 'batch.notFound', { id })
    return { trades: await openTradesOfBatchOn.async(desk.reads.exec, id) }
  },
  'schedule.release': async ({ desk }, r) => {
    if (r.batchId !== undefined) return releaseTeamBatch(desk, r.batchId)
    const released = await releaseTradesOn.async(desk.reads.exec, r.type, r.ids ?? [])
    await auditOn.async(
      desk.reads.exec,
      {
        ...desk.actor,
        action: 'schedule_released',
        target: `${r.type}:${(r.ids ?? []).join(',')}`,
        detail: { released },
      },
      Date.now(),
    )
    desk.changed()
    return { released }
  },

  // Where the save dialog said (the desktop app), else into this run's exports folder on this
  // computer, downloaded from there (browser mode): services/export-target.ts, as on the file.
  'export.run': async (host, req) => {
    const name =
      req.kind === 'statement-diffs' || req.kind === 'statement-lines'
        ? statementExportName(req.kind, await statementToExport(host.desk.reads.exec, req.statementId))
        : defaultExportName(req.kind, host.now())
    const target = exportTarget(host, req.file, name)
    try {
      if (path.extname(target.file).toLowerCase() !== '.csv')
        throw AppError.say('invalid_input', 'export.csvName')
      const written =
        req.kind === 'rejected'
          ? await rejectedFromTeam(host, req, target.file)
          : await exportFromTeam(host.desk.reads, teamExport(req, target.file), {
              replace: target.replace,
              actor: host.desk.actor,
            })
      return { ...target.done(), rows: written.rows, bytes: written.bytes }
    } catch (err) {
      target.failed()
      throw err
    }
  },
  'files.pickOpen': async (host, o) => pickOpen(host, o),
  'files.pickSave': async (host, o) => pickSave(host, o),

  // A bill uploaded by the page, or downloaded from the gateway with the team key, then reconciled on
  // the team database (docs/team-mode.md B8.12, B8.19).
  'files.upload': async (host, u) => saveUpload(host, u.name, u.contentBase64),
  'statements.reconcile': async (host, r) => {
    const progress = (statementId: number, phase: StatementPhase, done: number, total: number) =>
      host.emit('statement.progress', { statementId, phase, done, total })
    const day = { merchant: r.merchant, date: r.date, dryRun: r.dryRun, progress }
    if (!r.file) return reconcileOnTeam(host.desk, day)
    const file = await host.handles.readable(r.file)
    try {
      return await reconcileOnTeam(host.desk, { ...day, file })
    } finally {
      host.handles.release(r.file)
    }
  },
  // A person's decisions on a statement's differences, and a day run again from the bill file this
  // desktop kept (docs/team-mode.md B8.16).
  'statements.dismissDiffs': async ({ desk }, r) => dismissDiffsOnTeam(desk, r),
  'statements.resyncDiffs': async (host, r) => {
    // Without the team key nothing could sync: said before any lease or batch is made.
    await host.desk.merchants.secretBox()
    return resyncDiffsOnTeam(
      host.desk,
      r,
      (id, after, progress) => host.runInBackground(id, after, progress),
      (statementId, phase, done, total) =>
        host.emit('statement.progress', { statementId, phase, done, total }),
    )
  },
  'statements.rerun': async (host, r) => {
    // As the command line's reconcile: a run that would sync says first that it cannot without the key.
    if (!r.dryRun) await host.desk.merchants.secretBox()
    return rerunOnTeam(host.desk, r, (statementId, phase, done, total) =>
      host.emit('statement.progress', { statementId, phase, done, total }),
    )
  },
  'settings.get': async ({ desk }) => desk.settings(),
  // The team's settings, shared by every desktop. The operator is each desktop's own (PAYSYNC_OPERATOR,
  // docs/team-mode.md B8.9), so a name typed here is not the team's to keep.
  'settings.set': async ({ desk }, patch) => {
    const { operatorName: _own, ...shared } = patch
    await inPgTransaction(desk.reads.pool, async (x) => {
      await writeSettingsOn.async(x, shared)
      await auditOn.async(x, { ...desk.actor, action: 'settings_changed', detail: shared }, Date.now())
    })
    desk.changed()
    return desk.settings()
  },
  // The team's passphrase changed from a team window, as on the file (services/team-passphrase.ts):
  // every desktop's passphrase stops opening the secrets the moment it commits.
  'keys.setPassphrase': async (host, change) => {
    await setTeamPassphraseOn(teamPassphraseBooks(host.desk), change)
    return teamKeyStoreOf(host.desk)
  },
  'keys.unlock': async (host, { passphrase }) => {
    await host.desk.merchants.unlockWith(passphrase)
    return teamKeyStoreOf(host.desk)
  },
  'teamDb.check': async (_host, { address }) => checkTeamDatabase(address),
  'teamDb.use': async (host, { address }) => useTeamBooks(host.books, address),
  'teamDb.leave': async (host) => useFileBooks(host.books),
}

for (const name of READ_OPERATIONS)
  (handlers as Record<ReadOperation, unknown>)[name] = (host: TeamHost, input: unknown) =>
    dispatchRead(host.desk.reads, name, input)

/** The operations a team database answers today; the rest are refused in one sentence. */
export const TEAM_OPERATIONS = Object.keys(handlers) as OperationName[]

/** Validates the input where it enters main and calls the operation on the team database. */
export async function dispatchTeam<K extends OperationName>(
  host: TeamHost,
  name: K,
  input: unknown,
): Promise<OperationOutput<K>> {
  // Own keys only: `toString` is no operation, whatever an object inherits.
  if (!Object.hasOwn(handlers, name)) {
    // A name the contract does not know is refused as on the file; a known one, before any input is
    // read: what is left are a file's own steps (docs/team-mode.md B8.6).
    if (!Object.hasOwn(contract, name)) parseInput(name, input)
    throw AppError.say('conflict', 'team.fileOnly', { operation: name })
  }
  const handler = handlers[name] as (host: TeamHost, input: ParsedInput<K>) => Promise<OperationOutput<K>>
  return handler(host, parseInput(name, input))
}

/** Browser mode on a team database: its operations, its events and this run's downloads. */
export function teamBackend(host: TeamHost): ApiBackend {
  return {
    dispatch: (name, input) => dispatchTeam(host, name, input),
    on: (event, listener) => host.on(event, listener),
    exportedFile: (id) => exportedFile(host, id),
  }
}
