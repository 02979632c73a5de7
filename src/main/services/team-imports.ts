import path from 'node:path'
import type { ImportSummary } from '../../shared/import-report'
import type { ImportSource } from './imports'
import type { ImportOptions, ImportResult } from '../files/import/import-options'
import { importFile } from '../files/import/importer'
import { auditOn } from '../store/audit'
import { liveMerchantsOn } from '../store/merchants'
import { importAudit, importSummaryOf } from './imports'
import { told } from './import-task'
import { createTeamBatch } from './team-batches'
import type { TeamDesk } from './team-desk'

// An order or refund list imported into a team database (docs/team-mode.md B8.11): the desktop's
// importer, its rows written a page at a time in PostgreSQL (files/import/team-sink.ts), the run and
// its refused rows kept there, and an audit row naming the operator. It runs in this process: an
// import worker thread holds a database file's connection, and this one waits on the server anyway.
// The window's preview and import use the same (services/team-import-ops.ts, B8.18).

export interface TeamImportRequest extends ImportSource {
  /** The command line's --rejected-out: every refused row, whole, to this CSV. */
  rejectedOut?: string
}

/** What the window adds: its audience, a preview's dry run, the progress and the stop, a refused rows' file. */
export type TeamImportExtras = Pick<
  ImportOptions,
  'audience' | 'dryRun' | 'sample' | 'onTrade' | 'onProgress' | 'shouldStop' | 'rejectedOut'
>

/** The importer on the team database, its whole result; nothing audited (a preview writes nothing). */
export async function importIntoTeam(
  desk: TeamDesk,
  req: TeamImportRequest,
  extras: TeamImportExtras = {},
): Promise<ImportResult> {
  const now = Date.now()
  try {
    return await importFile(
      { pool: desk.reads.pool, merchants: await liveMerchantsOn.async(desk.reads.exec) },
      req.file,
      {
        type: req.type,
        merchant: req.merchant,
        mapping: req.mapping,
        amountUnit: req.amountUnit,
        audience: 'cli',
        operator: desk.actor.operator,
        rejectedOut: req.rejectedOut ? { file: path.resolve(req.rejectedOut) } : undefined,
        now: () => now,
        ...extras,
      },
    )
  } catch (err) {
    throw told(err)
  }
}

/** The `import_run` audit row naming the desk's operator; the other desktops are told. */
export async function auditTeamImport(desk: TeamDesk, file: string, result: ImportResult): Promise<void> {
  await auditOn.async(desk.reads.exec, { ...desk.actor, ...importAudit(file, result) }, Date.now())
  desk.changed()
}

/** Imports the list; with `trades`, the id of every trade it names (new or not), in file order. */
export async function runTeamImport(
  desk: TeamDesk,
  req: TeamImportRequest,
  trades?: number[],
): Promise<ImportSummary> {
  const result = await importIntoTeam(desk, req, {
    onTrade: trades ? (_type, id) => trades.push(id) : undefined,
  })
  await auditTeamImport(desk, req.file, result)
  return importSummaryOf(result)
}

/**
 * A stored batch of every trade an import named (a trade listed twice is one item), as on the file
 * (services/imports.ts importAndSync); none when it named none. The caller runs it.
 */
export async function batchOfTeamImport(
  desk: TeamDesk,
  summary: ImportSummary,
  ids: number[],
  pace: { concurrency: number; qps: number; name?: string },
): Promise<ImportSummary> {
  if (ids.length === 0) return summary
  const refs = ids.map((id) => ({ type: summary.type, id }))
  const batchId = await createTeamBatch(desk, refs, {
    name: pace.name ?? summary.file,
    sourceFile: summary.file,
    importId: summary.importId,
    concurrency: pace.concurrency,
    qps: pace.qps,
  })
  return { ...summary, batchId, batchTotal: new Set(ids).size }
}

/**
 * `paysync sync --file` on a team database: the list imported, then its batch. A rerun of the same
 * file imports nothing twice, and its batch asks each trade once.
 */
export async function teamImportAndSync(
  desk: TeamDesk,
  req: TeamImportRequest,
  pace: { concurrency: number; qps: number; name?: string },
): Promise<ImportSummary> {
  const ids: number[] = []
  return batchOfTeamImport(desk, await runTeamImport(desk, req, ids), ids, pace)
}
