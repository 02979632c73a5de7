import path from 'node:path'
import type { z } from 'zod'
import type { ImportPreview } from '../../shared/contract'
import type { TradeType } from '../../shared/domain'
import type { ImportSummary } from '../../shared/import-report'
import type { importRunSchema, importSourceSchema } from '../../shared/inputs'
import type { ImportResult } from '../files/import/import-options'
import { runInThread } from '../files/import/in-thread'
import type { JobOptions } from '../files/import/worker-protocol'
import type { Audience } from '../files/import/trades'
import { audit } from '../store/audit'
import { getBatch } from '../store/batches'
import type { ServiceContext } from './context'
import { runImportTask } from './import-task'
import { createBatchOf, startBatchInBackground } from './sync'
import type { TradeRef } from './trade-refs'

// Imports for the window, browser mode and the command line: each runs in an import worker (files/
// import/worker-host.ts), reports its progress as task.progress events under the task id the caller
// chose (or one made here), and can be stopped by that id (imports.cancel, services/import-task.ts).

export type ImportSource = z.output<typeof importSourceSchema>

/** Whose controls an import's sentences name: the window's (and browser mode's) or the flags. */
export function audienceOf(ctx: ServiceContext): Audience {
  return ctx.options.transport === 'electron' || ctx.options.transport === 'http' ? 'window' : 'cli'
}

/** What the caller may add to a job beyond the source. */
interface JobExtras {
  dryRun?: boolean
  sample?: number
  wantTrades?: boolean
  rejectedOut?: { file: string; overwrite?: boolean }
  taskId?: string
}

/** Runs one import job in an import worker to its end, as a task (services/import-task.ts). */
export async function runImportJob(
  ctx: ServiceContext,
  source: ImportSource,
  extras: JobExtras,
): Promise<{ result: ImportResult; trades: number[] }> {
  const options: JobOptions = {
    type: source.type,
    merchant: source.merchant,
    mapping: source.mapping,
    amountUnit: source.amountUnit,
    audience: audienceOf(ctx),
    operator: ctx.operator,
    dryRun: extras.dryRun,
    sample: extras.sample,
    rejectedOut: extras.rejectedOut,
  }
  const job = { file: source.file, options, now: ctx.now(), wantTrades: extras.wantTrades === true }
  return runImportTask(ctx, source.file, extras.taskId, (onProgress) =>
    ctx.options.dbFile === ':memory:'
      ? runInThread(ctx.db, job, onProgress)
      : ctx.importWorkers.run(job, onProgress),
  )
}

/** The audit row of an import that wrote, on either store: the file's name and what went in. */
export function importAudit(file: string, r: ImportResult) {
  return {
    action: 'import_run' as const,
    target: path.basename(file),
    detail: { importId: r.importId, inserted: r.inserted, rejected: r.rejected },
  }
}

/** The summary an import answers: the result without what only the preview reads. */
export function importSummaryOf(r: ImportResult): ImportSummary {
  const { headers: _h, match: _m, missing: _x, sample: _s, stopped: _t, ...summary } = r
  return summary
}

export interface ImportRequest extends ImportSource {
  onTrade?: (type: TradeType, id: number) => void
  taskId?: string
  /** The command line's --rejected-out: every refused row, whole, to this CSV. */
  rejectedOut?: string
}

export async function runImport(ctx: ServiceContext, req: ImportRequest): Promise<ImportSummary> {
  const { result, trades } = await runImportJob(ctx, req, {
    wantTrades: req.onTrade !== undefined,
    taskId: req.taskId,
    rejectedOut: req.rejectedOut ? { file: path.resolve(req.rejectedOut) } : undefined,
  })
  for (const id of trades) req.onTrade?.(req.type, id)
  audit(ctx.db, { operator: ctx.operator, ...importAudit(req.file, result) })
  return importSummaryOf(result)
}

/**
 * What importing a file would do, every row checked and nothing written: the header (below a title
 * line if there is one), the mapping, each amount column's unit, the first rows with what they would
 * store, and every refusal, repeat, conflict and warning.
 */
export async function previewImport(
  ctx: ServiceContext,
  req: ImportSource & { rows: number; taskId?: string },
): Promise<ImportPreview> {
  const { result } = await runImportJob(ctx, req, { dryRun: true, sample: req.rows, taskId: req.taskId })
  return previewOf(result)
}

/** A dry run's result as the preview shows it, on either store. */
export function previewOf(r: ImportResult): ImportPreview {
  const errorByLine = new Map(r.errors.map((e) => [e.line, `${e.column ? `${e.column}: ` : ''}${e.reason}`]))
  const fields = new Map(r.match.fields)
  for (const c of r.amountColumns) fields.set(c.index, c.field)
  return {
    file: r.file,
    encoding: r.encoding,
    headerLine: r.headerLine,
    headers: r.headers,
    columns: r.headers.map((h, i) => ({ header: h, field: fields.get(i) ?? null })),
    amountColumns: r.amountColumns,
    rows: r.sample.map((s) => ({
      line: s.line,
      cells: s.cells,
      error: s.error ? (errorByLine.get(s.line) ?? s.error.reason) : null,
      amount: s.amount,
      notes: s.notes,
    })),
    unknownHeaders: r.match.unknown,
    missing: r.missing,
    summary: r.missing.length
      ? null
      : {
          rows: r.rows,
          inserted: r.inserted,
          updated: r.updated,
          unchanged: r.unchanged,
          duplicates: r.duplicates,
          conflicts: r.conflicts,
          skipped: r.skipped,
          rejected: r.rejected,
          warnings: r.warnings,
        },
    errors: r.errors,
    notes: r.notes,
    merchantColumnIgnored: r.merchantColumnIgnored,
  }
}

/**
 * Where a batch made for the caller runs: in the background, its progress as events (the window's
 * way), or by the caller in the foreground (the command line, with its progress line).
 */
export type BatchStart = 'background' | 'caller'

/**
 * Imports a file and, when the request asks, makes a batch of every trade the file names; a trade it
 * lists twice is one item of that batch. A file that names no trade makes no batch.
 */
export async function importAndSync(
  ctx: ServiceContext,
  request: z.output<typeof importRunSchema>,
  start: BatchStart = 'background',
  extras: { rejectedOut?: string } = {},
): Promise<ImportSummary> {
  const { sync } = request
  const refs: TradeRef[] = []
  const summary = await runImport(ctx, {
    file: request.file,
    type: request.type,
    merchant: request.merchant,
    mapping: request.mapping,
    amountUnit: request.amountUnit,
    taskId: request.taskId,
    rejectedOut: extras.rejectedOut,
    onTrade: sync ? (type, id) => refs.push({ type, id }) : undefined,
  })
  if (!sync || refs.length === 0) return summary
  const batchId = createBatchOf(ctx, refs, {
    name: sync.name ?? summary.file,
    sourceFile: summary.file,
    importId: summary.importId,
    concurrency: sync.concurrency,
    qps: sync.qps,
  })
  if (start === 'background') startBatchInBackground(ctx, batchId)
  return { ...summary, batchId, batchTotal: getBatch(ctx.db, batchId)?.total ?? refs.length }
}
