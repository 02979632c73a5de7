import crypto from 'node:crypto'
import path from 'node:path'
import type { z } from 'zod'
import type { ExportResult } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { ExportKind, exportSchema } from '../../shared/inputs'
import {
  anomalyColumns,
  batchItemColumns,
  orderColumns,
  recordColumns,
  refundColumns,
  repairColumns,
  statementDiffColumns,
  statementLineColumns,
} from '../files/export/columns'
import { csvLineSql, csvTotalSql } from '../files/export/csv-sql'
import { writeCsv, type Column } from '../files/export/csv'
import { anomaliesExportQuery } from '../store/anomalies'
import { audit } from '../store/audit'
import { batchItemsExportQuery, getBatch } from '../store/batches'
import { openStore } from '../store/connection'
import { ordersExportQuery } from '../store/orders'
import { recordsExportQuery } from '../store/records'
import { refundsExportQuery } from '../store/refunds'
import { repairsExportQuery } from '../store/repairs'
import { statementDiffsExportQuery } from '../store/statement-diffs'
import { statementLinesExportQuery } from '../store/statement-lines'
import { getStatement, type StatementRow } from '../store/statements'
import { readLines, takingTurns, type RowQuery } from '../store/row-reader'
import type { ServiceContext } from './context'
import { downloadPathOf, dropExport, newExportFile, sweepExports } from './downloads'
import { stampedName } from './export-target'
import { fileRejectedBooks, writeRejected } from './import-files'

// Export of any list with its filter to CSV. It reads through a connection of its own (WAL lets it
// read while syncs write), so a million-row export neither blocks nor is blocked by the engine.

export type ExportRequest = z.output<typeof exportSchema>

const NAMES: Record<ExportKind, string> = {
  records: '同步记录',
  orders: '支付订单',
  refunds: '退款订单',
  repairs: '修复记录',
  anomalies: '待处理异常',
  batch: '批量同步结果',
  rejected: '被拒绝的行',
  'statement-diffs': '对账差异',
  'statement-lines': '通道明细',
}

/** A statement's export is named for its merchant and day: 对账差异_{商户}_{yyyyMMdd}.csv (A16). */
export function statementExportName(
  kind: 'statement-diffs' | 'statement-lines',
  statement: Pick<StatementRow, 'merchant_name' | 'bill_date'>,
): string {
  return `${NAMES[kind]}_${statement.merchant_name ?? ''}_${statement.bill_date.replace(/-/g, '')}.csv`
}

/** A file name that says what it holds and when: 同步记录_20261120_101500.csv. */
export function defaultExportName(kind: ExportKind, now: number): string {
  return stampedName(NAMES[kind], now)
}

/**
 * An export as main runs it: `file` is a path main has from the person (the save dialog's, the
 * command line's --out), and `replace` whether a file already there may go; without a file, the
 * exports folder of browser mode. Callers inside main name the path themselves; the page's request
 * comes through `runExport`.
 */
export type ExportJob = ExportRequest extends infer R
  ? R extends unknown
    ? Omit<R, 'file'> & { file?: string; replace?: boolean }
    : never
  : never

/**
 * export.run: the window names the handle its save dialog answered, the command line the handle of
 * its --out; browser mode writes into its exports folder whatever the page names.
 */
export async function runExport(ctx: ServiceContext, req: ExportRequest): Promise<ExportResult> {
  if (req.file === undefined || ctx.downloadsOnly) return exportCsv(ctx, { ...req, file: undefined })
  const target = ctx.handles.writable(req.file)
  const result = await exportCsv(ctx, { ...req, file: target.path, replace: target.replace })
  ctx.handles.release(req.file)
  return result
}

export async function exportCsv(ctx: ServiceContext, req: ExportJob): Promise<ExportResult> {
  if (ctx.options.dbFile === ':memory:') throw AppError.say('store', 'export.memory')
  if (req.file !== undefined && path.extname(req.file).toLowerCase() !== '.csv')
    throw AppError.say('invalid_input', 'export.csvName')
  if (req.kind === 'batch' && !getBatch(ctx.db, req.batchId))
    throw AppError.say('not_found', 'batch.notFound', { id: req.batchId })
  const statement =
    req.kind === 'statement-diffs' || req.kind === 'statement-lines'
      ? getStatement(ctx.db, req.statementId)
      : null
  if ((req.kind === 'statement-diffs' || req.kind === 'statement-lines') && !statement)
    throw AppError.say('not_found', 'statement.notFound', { id: req.statementId })
  // Without a file named (browser mode), a new folder of the exports folder, to be downloaded from.
  // A statement's file is named for its merchant and day: 对账差异_{商户}_{yyyyMMdd}.csv (A16).
  const name =
    statement && (req.kind === 'statement-diffs' || req.kind === 'statement-lines')
      ? statementExportName(req.kind, statement)
      : defaultExportName(req.kind, ctx.now())
  const download = req.file === undefined ? newExportFile(ctx, name) : null
  const file = download ? download.file : path.resolve(req.file!)
  const replace = download ? false : (req.replace ?? true)
  // The refused rows of an import are rows to fix, not amounts to add up: they take no 合计 line.
  const total = 'total' in req && req.total === true
  const taskId = crypto.randomUUID()
  const reader = openStore(ctx.options.dbFile, { ...ctx.options.store, readonly: true })
  const progress = (done: number, finished = false, error: string | null = null) =>
    ctx.emit('task.progress', { taskId, kind: 'export', done, total: null, finished, error })
  try {
    const write = (columns: readonly Column[], query: (cols: string[]) => RowQuery | null) =>
      writeCsv(
        file,
        columns,
        // Two reader threads may share the lines (row-reader.ts): each writes those of its turn.
        readLines(reader, ctx.options.dbFile, query([takingTurns(csvLineSql(columns))]), {
          nativeBinding: ctx.options.store?.nativeBinding,
          footer: total ? query([csvTotalSql(columns)]) : null,
          takesTurns: true,
        }),
        (n) => progress(n),
        { replace },
      )
    let result: { rows: number; bytes: number }
    switch (req.kind) {
      case 'records':
        result = await write(recordColumns, (c) => recordsExportQuery(reader, req.filter, c))
        break
      case 'orders':
        result = await write(orderColumns, (c) => ordersExportQuery(reader, req.filter, c))
        break
      case 'refunds':
        result = await write(refundColumns, (c) => refundsExportQuery(reader, req.filter, c))
        break
      case 'repairs':
        result = await write(repairColumns, (c) => repairsExportQuery(reader, req.filter, c))
        break
      case 'anomalies':
        result = await write(anomalyColumns, (c) => anomaliesExportQuery(reader, req.filter, c))
        break
      case 'batch':
        result = await write(batchItemColumns, (c) => batchItemsExportQuery(req.batchId, req.problemsOnly, c))
        break
      case 'rejected':
        result = await writeRejected(fileRejectedBooks(ctx), req, file)
        break
      case 'statement-diffs':
        result = await write(statementDiffColumns, (c) => statementDiffsExportQuery(req.statementId, c))
        break
      case 'statement-lines':
        result = await write(statementLineColumns, (c) =>
          statementLinesExportQuery(req.statementId, statement!.lines_run, c),
        )
        break
    }
    progress(result.rows, true)
    audit(ctx.db, {
      ...ctx.actor,
      action: 'export_written',
      target: file,
      detail: { kind: req.kind, rows: result.rows, total },
    })
    if (!download) return { file, ...result, downloadPath: null }
    sweepExports(ctx, download.id)
    // The page learns the name and where to download it, not where it lies on this computer.
    const name = path.basename(file)
    return { file: name, ...result, downloadPath: downloadPathOf(download.id, name) }
  } catch (err) {
    progress(0, true, (err as Error).message)
    if (download) dropExport(ctx, download.id)
    throw exportFailure(err, file)
  } finally {
    reader.close()
  }
}

/** A file that could not be written, in a sentence: a name taken, a folder missing or closed to us. */
export function exportFailure(err: unknown, file: string): unknown {
  if (err instanceof AppError) return err
  const e = err as NodeJS.ErrnoException
  if (e.code === 'EEXIST') return AppError.say('conflict', 'export.exists', { file })
  if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR' || e.code === 'EROFS')
    return AppError.say('unreadable_file', e.code === 'ENOENT' ? 'export.noFolder' : 'export.denied', {
      file,
    })
  return err
}
