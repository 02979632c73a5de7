import crypto from 'node:crypto'
import path from 'node:path'
import type { z } from 'zod'
import type { ImportPreview } from '../../shared/contract'
import type { ImportSummary, TradeType } from '../../shared/domain'
import { AppError } from '../../shared/errors'
import type { importRunSchema } from '../../shared/inputs'
import type { ColumnMapping, ImportField } from '../../shared/mapping'
import { matchHeaders } from '../files/import/headers'
import { importFile } from '../files/import/importer'
import { UnreadableFileError } from '../files/import/row-source'
import { openRows } from '../files/import/rows'
import { audit } from '../store/audit'
import { getBatch } from '../store/batches'
import type { ServiceContext } from './context'
import { createBatchOf, startBatchInBackground, type TradeRef } from './sync'

export interface ImportRequest {
  file: string
  type: TradeType
  merchant?: string
  mapping?: ColumnMapping
  onTrade?: (type: TradeType, id: number) => void
}

export async function runImport(ctx: ServiceContext, req: ImportRequest): Promise<ImportSummary> {
  const taskId = crypto.randomUUID()
  try {
    const summary = await importFile(ctx.db, req.file, {
      type: req.type,
      merchant: req.merchant,
      mapping: req.mapping,
      operator: ctx.operator,
      onTrade: req.onTrade,
      now: ctx.now,
      onProgress: (done) =>
        ctx.emit('task.progress', {
          taskId,
          kind: 'import',
          done,
          total: null,
          finished: false,
          error: null,
        }),
    })
    ctx.emit('task.progress', {
      taskId,
      kind: 'import',
      done: summary.rows,
      total: summary.rows,
      finished: true,
      error: null,
    })
    audit(ctx.db, {
      ...ctx.actor,
      action: 'import_run',
      target: path.basename(req.file),
      detail: { importId: summary.importId, inserted: summary.inserted, rejected: summary.rejected },
    })
    return summary
  } catch (err) {
    ctx.emit('task.progress', {
      taskId,
      kind: 'import',
      done: 0,
      total: null,
      finished: true,
      error: (err as Error).message,
    })
    if (err instanceof UnreadableFileError)
      throw AppError.say('unreadable_file', 'file.unreadable', { detail: err.message })
    throw err
  }
}

/** The first rows of a file with the column mapping as it would apply: what the mapping editor shows. */
export async function previewImport(
  ctx: ServiceContext,
  req: { file: string; type: TradeType; merchant?: string; mapping?: ColumnMapping; rows: number },
): Promise<ImportPreview> {
  try {
    const source = await openRows(req.file)
    const rows: ImportPreview['rows'] = []
    let headers: string[] | null = null
    for await (const row of source.rows) {
      if (!headers) {
        headers = row.cells
        continue
      }
      rows.push({ line: row.line, cells: row.cells, error: null })
      if (rows.length >= req.rows) break
    }
    if (!headers) throw new UnreadableFileError(`${path.basename(req.file)} is empty`)
    const match = matchHeaders(headers, req.mapping)
    const have = new Set<ImportField>(match.fields.values())
    const missing: string[] = []
    if (!have.has('orderNo')) missing.push('orderNo')
    if (req.type === 'refund' && !have.has('refundNo')) missing.push('refundNo')
    const amounts: ImportField[] =
      req.type === 'pay'
        ? ['amountFen', 'amountYuan']
        : ['amountFen', 'amountYuan', 'refundAmountFen', 'refundAmountYuan']
    if (!amounts.some((f) => have.has(f))) missing.push('amount')
    // The whole file checked as the import would, writing nothing.
    const dry = missing.length
      ? null
      : await importFile(ctx.db, req.file, {
          type: req.type,
          merchant: req.merchant,
          mapping: req.mapping,
          dryRun: true,
          now: ctx.now,
        })
    const errorByLine = new Map(
      (dry?.errors ?? []).map((e) => [e.line, `${e.column ? `${e.column}: ` : ''}${e.reason}`]),
    )
    for (const r of rows) r.error = errorByLine.get(r.line) ?? null
    return {
      file: path.basename(req.file),
      encoding: source.encoding,
      headers,
      columns: headers.map((h, i) => ({ header: h, field: match.fields.get(i) ?? null })),
      rows,
      unknownHeaders: match.unknown,
      missing,
      summary: dry
        ? {
            rows: dry.rows,
            inserted: dry.inserted,
            updated: dry.updated,
            unchanged: dry.unchanged,
            rejected: dry.rejected,
          }
        : null,
      errors: dry?.errors ?? [],
    }
  } catch (err) {
    if (err instanceof UnreadableFileError)
      throw AppError.say('unreadable_file', 'file.unreadable', { detail: err.message })
    throw err
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
): Promise<ImportSummary> {
  const { sync } = request
  const refs: TradeRef[] = []
  const summary = await runImport(ctx, {
    file: request.file,
    type: request.type,
    merchant: request.merchant,
    mapping: request.mapping,
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
