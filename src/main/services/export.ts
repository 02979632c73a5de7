import crypto from 'node:crypto'
import path from 'node:path'
import type { z } from 'zod'
import type { ExportResult } from '../../shared/contract'
import { formatBeijingCompact } from '../../shared/time'
import { AppError } from '../../shared/errors'
import type { ExportKind, exportSchema } from '../../shared/inputs'
import {
  anomalyColumns,
  batchItemColumns,
  orderColumns,
  recordColumns,
  refundColumns,
  repairColumns,
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
import { readLines, type RowQuery } from '../store/row-reader'
import type { ServiceContext } from './context'

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
}

/** A file name that says what it holds and when: 同步记录_20261120_101500.csv. */
export function defaultExportName(kind: ExportKind, now: number): string {
  return `${NAMES[kind]}_${formatBeijingCompact(now).replace(/^(\d{8})/, '$1_')}.csv`
}

export async function exportCsv(ctx: ServiceContext, req: ExportRequest): Promise<ExportResult> {
  if (ctx.options.dbFile === ':memory:') throw AppError.say('store', 'export.memory')
  // Without a file named (browser mode), the export goes to the exports folder and is downloaded from there.
  const file = req.file
    ? path.resolve(req.file)
    : path.join(ctx.filesDir('exports'), defaultExportName(req.kind, ctx.now()))
  if (path.extname(file).toLowerCase() !== '.csv') throw AppError.say('invalid_input', 'export.csvName')
  if (req.kind === 'batch' && !getBatch(ctx.db, req.batchId))
    throw AppError.say('not_found', 'batch.notFound', { id: req.batchId })
  const taskId = crypto.randomUUID()
  const reader = openStore(ctx.options.dbFile, { ...ctx.options.store, readonly: true })
  const progress = (done: number, finished = false, error: string | null = null) =>
    ctx.emit('task.progress', { taskId, kind: 'export', done, total: null, finished, error })
  try {
    const write = (columns: readonly Column[], query: (cols: string[]) => RowQuery | null) =>
      writeCsv(
        file,
        columns,
        readLines(reader, ctx.options.dbFile, query([csvLineSql(columns)]), {
          nativeBinding: ctx.options.store?.nativeBinding,
          footer: req.total ? query([csvTotalSql(columns)]) : null,
        }),
        (n) => progress(n),
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
        result = await write(batchItemColumns, (c) =>
          batchItemsExportQuery(reader, req.batchId, req.problemsOnly, c),
        )
        break
    }
    progress(result.rows, true)
    audit(ctx.db, {
      operator: ctx.operator,
      action: 'export_written',
      target: file,
      detail: { kind: req.kind, rows: result.rows, total: !!req.total },
    })
    return {
      file,
      ...result,
      downloadPath: req.file ? null : `/downloads/${encodeURIComponent(path.basename(file))}`,
    }
  } catch (err) {
    progress(0, true, (err as Error).message)
    if (err instanceof AppError) throw err
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR' || e.code === 'EROFS') {
      throw AppError.say('unreadable_file', e.code === 'ENOENT' ? 'export.noFolder' : 'export.denied', {
        file,
      })
    }
    throw err
  } finally {
    reader.close()
  }
}
