import type { RunningImport } from '../files/import/worker-host'
import type { Actor } from '../../shared/domain'
import { auditOn } from '../store/audit'
import type { Exec } from '../store/sql/exec'
import { writeKeptRejected, writeRejected, writeTemplate } from './import-files'
import { cancelImport, runImportTask } from './import-task'
import { importSummaryOf, previewOf, type ImportSource } from './imports'
import { exportNamedMapping, listSavedMappings, removeNamedMapping, saveNamedMapping } from './mappings'
import type { TeamHandlers } from './team-handlers'
import type { TeamHost } from './team-host'
import { auditTeamImport, batchOfTeamImport, importIntoTeam, type TeamImportExtras } from './team-imports'

// The window's import on a team database (docs/team-mode.md B8.18): the preview, the import with its
// batch, its cancel and the template, and the saved column mappings, each by the functions the
// desktop's file uses. The import runs in this process (services/team-imports.ts) as a task the window
// follows and stops as on the file (services/import-task.ts).

/** The importer on the team database as a task: its progress told, stopped between pages. */
function teamTask(
  host: TeamHost,
  source: ImportSource,
  extras: Pick<TeamImportExtras, 'dryRun' | 'sample'> & { wantTrades?: boolean },
): (onProgress: (rows: number) => void) => RunningImport {
  return (onProgress) => {
    let stop = false
    const trades: number[] = []
    const result = importIntoTeam(host.desk, source, {
      dryRun: extras.dryRun,
      sample: extras.sample,
      audience: 'window',
      onTrade: extras.wantTrades ? (_type, id) => trades.push(id) : undefined,
      onProgress,
      shouldStop: () => stop,
    }).then((r) => ({ result: r, trades }))
    return { result, stop: () => void (stop = true) }
  }
}

/**
 * export.run's refused rows on a team database: those an import kept there, or every row the file on
 * preview would refuse, read again in this process; audited as the file's export is.
 */
export async function rejectedFromTeam(
  host: TeamHost,
  req: { importId?: number; source?: ImportSource },
  file: string,
): Promise<{ rows: number; bytes: number }> {
  const { desk } = host
  const written = await writeRejected(
    {
      exec: desk.reads.exec,
      handles: host.handles,
      dryRun: (source, out) =>
        importIntoTeam(desk, source, { dryRun: true, audience: 'window', rejectedOut: out }),
    },
    req,
    file,
  )
  await auditRejected(desk.reads.exec, desk.actor, file, written.rows)
  return written
}

/**
 * `paysync export rejected ID --db postgres://…`: the rows an import kept on the team database, the
 * same bytes as the window's export and the file's, audited as they are (docs/team-mode.md B8.21).
 */
export async function keptRejectedOnTeam(
  x: Exec,
  actor: Actor,
  importId: number,
  file: string,
): Promise<{ file: string; rows: number; bytes: number }> {
  const written = await writeKeptRejected(x, importId, file)
  await auditRejected(x, actor, file, written.rows)
  return { file, ...written }
}

function auditRejected(x: Exec, actor: Actor, file: string, rows: number): Promise<void> {
  const detail = { kind: 'rejected', rows, total: false }
  return auditOn.async(x, { ...actor, action: 'export_written', target: file, detail }, Date.now())
}

export const importOps: TeamHandlers = {
  // By the handle of the file the person chose or uploaded, kept for the import that follows.
  'imports.preview': async (host, r) => {
    const file = await host.handles.readable(r.file)
    const { result } = await runImportTask(
      host,
      file,
      r.taskId,
      teamTask(host, { ...r, file }, { dryRun: true, sample: r.rows }),
    )
    return previewOf(result)
  },
  'imports.run': async (host, r) => {
    // A batch to follow would ask nothing without the team key: said before a row is written.
    if (r.sync) await host.desk.merchants.secretBox()
    const file = await host.handles.readable(r.file)
    const { result, trades } = await runImportTask(
      host,
      file,
      r.taskId,
      teamTask(host, { ...r, file }, { wantTrades: r.sync !== undefined }),
    )
    await auditTeamImport(host.desk, file, result)
    host.handles.release(r.file)
    const summary = importSummaryOf(result)
    if (!r.sync) return summary
    const started = await batchOfTeamImport(host.desk, summary, trades, r.sync)
    if (started.batchId) host.runInBackground(started.batchId)
    return started
  },
  'imports.cancel': async (host, { taskId }) => cancelImport(host, taskId),
  'imports.template': async (host, r) => writeTemplate(host.desk.reads.exec, host, r),

  // Saved by one desktop, listed by every other: the team database holds them.
  'mappings.list': async ({ desk }) => listSavedMappings(desk.reads.exec),
  'mappings.save': async ({ desk }, r) => {
    const saved = await saveNamedMapping(desk.reads.exec, r, Date.now())
    desk.changed()
    return saved
  },
  'mappings.remove': async ({ desk }, { name }) => {
    const removed = await removeNamedMapping(desk.reads.exec, name)
    if (removed.removed) desk.changed()
    return removed
  },
  'mappings.export': async (host, r) => exportNamedMapping(host.desk.reads.exec, host, r),
}
