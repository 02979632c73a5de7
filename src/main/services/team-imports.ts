import path from 'node:path'
import type { ImportSummary } from '../../shared/import-report'
import type { ImportSource } from './imports'
import { importFile } from '../files/import/importer'
import { auditOn } from '../store/audit'
import { liveMerchantsOn } from '../store/merchants'
import { importSummaryOf, told } from './imports'
import { createTeamBatch } from './team-batches'
import type { TeamDesk } from './team-desk'

// An order or refund list imported into a team database (docs/team-mode.md B8.11): the desktop's
// importer, its rows written a page at a time in PostgreSQL (files/import/team-sink.ts), the run and
// its refused rows kept there, and an audit row naming the operator. It runs in this process: an
// import worker thread holds a database file's connection, and this one waits on the server anyway.

export interface TeamImportRequest extends ImportSource {
  /** The command line's --rejected-out: every refused row, whole, to this CSV. */
  rejectedOut?: string
}

/** Imports the list; with `trades`, the id of every trade it names (new or not), in file order. */
export async function runTeamImport(
  desk: TeamDesk,
  req: TeamImportRequest,
  trades?: number[],
): Promise<ImportSummary> {
  const pool = desk.reads.pool
  const now = Date.now()
  let result
  try {
    result = await importFile({ pool, merchants: await liveMerchantsOn.async(desk.reads.exec) }, req.file, {
      type: req.type,
      merchant: req.merchant,
      mapping: req.mapping,
      amountUnit: req.amountUnit,
      audience: 'cli',
      operator: desk.actor.operator,
      rejectedOut: req.rejectedOut ? { file: path.resolve(req.rejectedOut) } : undefined,
      onTrade: trades ? (_type, id) => trades.push(id) : undefined,
      now: () => now,
    })
  } catch (err) {
    throw told(err)
  }
  await auditOn.async(
    desk.reads.exec,
    {
      ...desk.actor,
      action: 'import_run',
      target: path.basename(req.file),
      detail: { importId: result.importId, inserted: result.inserted, rejected: result.rejected },
    },
    Date.now(),
  )
  desk.changed()
  return importSummaryOf(result)
}

/**
 * `paysync sync --file` on a team database: the list imported, then a stored batch of every trade it
 * names (a trade listed twice is one item), as on the file (services/imports.ts importAndSync); the
 * caller runs it. A rerun of the same file imports nothing twice, and its batch asks each trade once.
 */
export async function teamImportAndSync(
  desk: TeamDesk,
  req: TeamImportRequest,
  pace: { concurrency: number; qps: number; name?: string },
): Promise<ImportSummary> {
  const ids: number[] = []
  const summary = await runTeamImport(desk, req, ids)
  if (ids.length === 0) return summary
  const refs = ids.map((id) => ({ type: req.type, id }))
  const batchId = await createTeamBatch(desk, refs, {
    name: pace.name ?? summary.file,
    sourceFile: summary.file,
    importId: summary.importId,
    concurrency: pace.concurrency,
    qps: pace.qps,
  })
  return { ...summary, batchId, batchTotal: new Set(ids).size }
}
