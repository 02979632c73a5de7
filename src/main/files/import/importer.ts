import path from 'node:path'
import type { ImportRowError, ImportSummary, TradeType } from '../../../shared/domain'
import type { ColumnMapping, ImportField } from '../../../shared/mapping'
import type { Params } from '../../../shared/messages'
import type { Db } from '../../store/connection'
import { addImportError, createImportRun, finishImportRun } from '../../store/imports'
import { matchHeaders } from './headers'
import { UnreadableFileError, type RowSource, type SourceRow } from './row-source'
import { openRows } from './rows'
import { dryRunSink, storeSink } from './sink'
import { importPay, importRefund, MerchantResolver, RowCells, RowError } from './trades'

// An order or refund list into the local copy. Every bad row is rejected with its line, column and
// reason while the good rows go in; rows are written in transactions of a few thousand, streaming,
// so a million-row file imports in bounded memory. Importing the same file again changes nothing.

export interface ImportOptions {
  type: TradeType
  /** Merchant profile for the whole file, when it has no merchant column. */
  merchant?: string
  mapping?: ColumnMapping
  operator?: string | null
  /** Errors kept in the returned summary; all of them are stored with the import run. */
  maxErrorsInSummary?: number
  /** Every trade the file names, new or not: `sync --file` syncs exactly these. */
  onTrade?: (type: TradeType, id: number) => void
  onProgress?: (rowsRead: number) => void
  now?: () => number
  /** Check every row and count what would happen, writing nothing: the preview of the batch screen. */
  dryRun?: boolean
}

/**
 * How much one transaction takes: rows up to MAX_ROWS, read for at most MAX_MS. Fewer, larger
 * transactions write each index page that many rows touch once rather than many times (1,000-row
 * transactions cost a quarter more per row than 5,000-row ones at a million rows); the time limit
 * keeps the event loop and the write lock free every tenth of a second or so.
 */
const MAX_ROWS = 20_000
const MAX_MS = 100

/** A copy of a string that keeps nothing else alive (a cell is a slice of a whole chunk of the file). */
function detach(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8')
}

export async function importFile(db: Db, file: string, options: ImportOptions): Promise<ImportSummary> {
  const source = await openRows(file)
  try {
    return await importRows(db, file, options, source)
  } finally {
    source.close()
  }
}

async function importRows(
  db: Db,
  file: string,
  options: ImportOptions,
  source: RowSource,
): Promise<ImportSummary> {
  const batches = source.batches[Symbol.asyncIterator]()
  const readSync = source.readSync
  const firstBatch = readSync ? readSync() : ((await batches.next()).value as SourceRow[] | undefined)
  if (!firstBatch || firstBatch.length === 0)
    throw new UnreadableFileError(
      `${path.basename(file)} is empty: the first row must hold the column headers`,
    )
  const encoding = source.encoding
  const now = options.now ?? Date.now
  const header = firstBatch[0]!
  const match = matchHeaders(header.cells, options.mapping)
  requireColumns(match.fields, options, path.basename(file), header.cells)

  const dry = options.dryRun === true
  const sink = dry ? dryRunSink(db) : storeSink(db, now)
  const importId = dry
    ? 0
    : createImportRun(db, {
        fileName: path.basename(file),
        tradeType: options.type,
        encoding,
        operator: options.operator ?? null,
      })
  const counts = { rows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 }
  const errors: ImportRowError[] = []
  const keep = options.maxErrorsInSummary ?? 1000
  const merchants = new MerchantResolver(db, options.merchant ?? options.mapping?.defaults.merchant)
  const cells = new RowCells(match.fields, header.cells)
  const onTrade = options.onTrade
  const reject = (row: SourceRow, err: RowError) => {
    counts.rejected += 1
    const { column, message: reason } = err
    if (!dry)
      addImportError(db, importId, {
        line: row.line,
        column,
        reason,
        raw: row.raw.length > 2000 ? row.raw.slice(0, 2000) : row.raw,
      })
    if (errors.length < keep) {
      const params: Params = {}
      for (const [k, v] of Object.entries(err.params)) params[k] = typeof v === 'string' ? detach(v) : v
      errors.push({
        line: row.line,
        column: column === null ? null : detach(column),
        reason: detach(reason),
        said: { id: err.id, params },
      })
    }
  }

  const apply = (rows: SourceRow[]) => {
    for (const row of rows) {
      cells.cells = row.cells
      try {
        const outcome =
          options.type === 'pay'
            ? importPay(sink, cells, merchants, options, importId, now(), onTrade !== undefined)
            : importRefund(sink, cells, merchants, options, importId, now())
        counts[outcome.result] += 1
        onTrade?.(options.type, outcome.id)
      } catch (err) {
        if (err instanceof RowError) reject(row, err)
        else throw err
      }
    }
  }
  /** One transaction's rows, from `pull` (see MAX_ROWS). False at the end of the file. */
  const fill = (pull: () => SourceRow[] | null): boolean => {
    const started = performance.now()
    let n = 0
    for (;;) {
      const rows = pull()
      if (rows === null) return false
      counts.rows += rows.length
      apply(rows)
      n += rows.length
      if (n >= MAX_ROWS || performance.now() - started >= MAX_MS) return true
    }
  }
  const write = db.transaction(fill)
  const step = (pull: () => SourceRow[] | null): boolean => {
    const more = dry ? fill(pull) : write.immediate(pull)
    options.onProgress?.(counts.rows)
    return more
  }
  const once = (rows: SourceRow[]) => {
    let left: SourceRow[] | null = rows
    return () => {
      const r = left
      left = null
      return r
    }
  }

  let first: SourceRow[] | null = firstBatch.slice(1)
  if (readSync) {
    // CSV: the file is read inside the transaction, between transactions the event loop runs.
    const pull = () => {
      const rows = first ?? readSync()
      first = null
      return rows
    }
    while (step(pull)) await new Promise((resolve) => setImmediate(resolve))
  } else {
    step(once(first))
    for (let next = await batches.next(); !next.done; next = await batches.next()) step(once(next.value))
  }
  if (!dry) finishImportRun(db, importId, { encoding, ...counts })
  return {
    importId,
    file: path.basename(file),
    encoding,
    type: options.type,
    ...counts,
    errors,
  }
}

function requireColumns(
  fields: Map<number, ImportField>,
  o: ImportOptions,
  name: string,
  headers: string[],
): void {
  const have = new Set(fields.values())
  const missing: string[] = []
  if (!have.has('orderNo'))
    missing.push(o.type === 'refund' ? 'orderNo (the pay order it belongs to)' : 'orderNo')
  if (o.type === 'refund' && !have.has('refundNo')) missing.push('refundNo')
  const amount =
    o.type === 'pay'
      ? ['amountFen', 'amountYuan']
      : ['amountFen', 'amountYuan', 'refundAmountFen', 'refundAmountYuan']
  if (!amount.some((f) => have.has(f as ImportField)))
    missing.push(o.type === 'pay' ? 'amount (fen) or 金额(元)' : 'refundAmount or 退款金额(元)')
  if (missing.length) {
    throw new UnreadableFileError(
      `${name} has no column for ${missing.join(', ')}; its headers are: ${headers.filter(Boolean).join(', ') || '(none)'}. ` +
        'Rename the columns or pass a column mapping (--mapping)',
    )
  }
}
