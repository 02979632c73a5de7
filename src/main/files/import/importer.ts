import path from 'node:path'
import type { TradeType } from '../../../shared/domain'
import type { AmountUnit, ImportNote, ImportRowError, ImportSummary } from '../../../shared/import-report'
import type { ColumnMapping, ImportField } from '../../../shared/mapping'
import { say, type MessageId, type Params } from '../../../shared/messages'
import type { Db } from '../../store/connection'
import { addImportError, createImportRun, finishImportRun, KEPT_ERRORS } from '../../store/imports'
import {
  fieldsWithUnits,
  gatherEvidence,
  planUnits,
  scanEvidence,
  settleUnits,
  type Evidence,
} from './amount-units'
import * as F from './fields'
import { findHeaderRow, matchHeaders, missingFields, type HeaderMatch } from './headers'
import { KeyTable } from './key-table'
import { RejectedRowsCsv } from './rejected-csv'
import { RAW_CHARS, UnreadableFileError, type RowSource, type SourceRow } from './row-source'
import { openRows } from './rows'
import { dryRunSink, storeSink } from './sink'
import {
  importPay,
  importRefund,
  MerchantResolver,
  RowCells,
  RowError,
  type Audience,
  type RowOutcome,
} from './trades'
import type { XlsxLimits } from './zip-guard'

// An order or refund list into the local copy. Every bad row is rejected with its line, column and
// reason while the good rows go in; rows are written in transactions of a few thousand, streaming,
// so a million-row file imports in bounded memory. Importing the same file again changes nothing.
// Besides going in or being refused, a row may repeat an earlier one, describe a trade here already
// otherwise (a conflict: not changed), carry a doubtful value (a warning) or be a 合计 line (skipped):
// each is told by its line (docs/cli.md section 3.4).

export interface ImportOptions {
  type: TradeType
  /** Merchant profile for every row of the file; the file's merchant column is then not read. */
  merchant?: string
  mapping?: ColumnMapping
  /** The unit of every amount column the mapping does not name (`--amount-unit`). */
  amountUnit?: AmountUnit
  /** Whose controls the sentences name: the command line's flags or the window's. */
  audience?: Audience
  operator?: string | null
  /** Errors and notes kept in the returned summary (the first thousand of each by default). */
  maxErrorsInSummary?: number
  /** Every trade the file names, new or not: `sync --file` syncs exactly these. */
  onTrade?: (type: TradeType, id: number) => void
  onProgress?: (rowsRead: number) => void
  now?: () => number
  /** Check every row and count what would happen, writing nothing: the preview of the batch screen. */
  dryRun?: boolean
  /** The first rows below the header, each with the amount it would store and its notes (the preview). */
  sample?: number
  /** Writes every refused row, whole, to this CSV (docs/cli.md section 4 conventions). */
  rejectedOut?: { file: string; overwrite?: boolean }
  /** Asked between transactions: true stops the import there (what was written stays). */
  shouldStop?: () => boolean
  /** Tests only: smaller XLSX limits than XLSX_LIMITS. */
  limits?: XlsxLimits
}

/** A row of the preview: its cells, and what importing it would store and say. */
export interface SampleRow {
  line: number
  cells: string[]
  /** In fen, as it would be stored; null when the row is refused or skipped. */
  amount: number | null
  error: ImportRowError | null
  notes: ImportNote[]
}

export interface ImportResult extends ImportSummary {
  headers: string[]
  match: HeaderMatch
  /**
   * What the header lacks. Only a preview (`sample` given) comes back with any: it then shows the
   * header, the mapping and the first rows as they are, and counts nothing.
   */
  missing: Array<ImportField | 'amount'>
  sample: SampleRow[]
  /** True when `shouldStop` ended the import early. */
  stopped: boolean
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

function detachParams(params: Params): Params {
  const out: Params = {}
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'string' ? detach(v) : v
  return out
}

export async function importFile(db: Db, file: string, options: ImportOptions): Promise<ImportResult> {
  const source = await openRows(file, options.limits)
  try {
    return await importRows(db, file, options, source)
  } finally {
    source.close()
  }
}

/** Words a 合计 line puts in one of its cells (the order number cell being empty or one of them). */
const TOTAL_WORDS = new Set([
  '合计',
  '总计',
  '小计',
  '汇总',
  '总额',
  '合计金额',
  'total',
  'totals',
  'sum',
  'grandtotal',
])
/** The first letters of those words: most cells are ruled out by their first character alone. */
const TOTAL_FIRST = new Set(['合', '总', '小', '汇', 't', 'T', 's', 'S', 'g', 'G'])

function totalWord(cell: string | undefined): boolean {
  if (cell === undefined || cell.length > 16) return false
  const s = cell.trim()
  if (s === '' || !TOTAL_FIRST.has(s[0]!)) return false
  return TOTAL_WORDS.has(s.replace(/[:：\s]/g, '').toLowerCase())
}

/** A 合计 line: no order number (or the word itself there), and a total word in one of its cells. */
function isTotalRow(cells: string[], orderNoColumn: number, width: number): boolean {
  const no = cells[orderNoColumn]
  if (no !== undefined && !F.isBlank(no) && !totalWord(no)) return false
  const n = Math.min(cells.length, width)
  for (let i = 0; i < n; i++) if (totalWord(cells[i])) return true
  return false
}

async function importRows(
  db: Db,
  file: string,
  options: ImportOptions,
  source: RowSource,
): Promise<ImportResult> {
  const name = path.basename(file)
  const audience = options.audience ?? 'cli'
  const batches = source.batches[Symbol.asyncIterator]()
  const readSync = source.readSync
  const firstBatch = readSync ? readSync() : ((await batches.next()).value as SourceRow[] | undefined)
  if (!firstBatch || firstBatch.length === 0) throw UnreadableFileError.say('import.empty', { file: name })
  const encoding = source.encoding
  const now = options.now ?? Date.now

  // The header: the first row, or the row below a title line or two (a shop's "订单导出 2026-12-03").
  const headerAt = findHeaderRow(
    firstBatch.map((r) => (r.broken ? [] : r.cells)),
    options.type,
    options.mapping,
  )
  const header = firstBatch[headerAt]!
  const headers = header.cells.map(detach)
  const match = matchHeaders(headers, options.mapping)
  // Cells beyond the header's last named column are nobody's: not read, not kept.
  let width = 0
  headers.forEach((h, i) => {
    if (h.trim() !== '') width = i + 1
  })
  const missing = missingFields(match, options.type)
  if (missing.length && options.sample !== undefined)
    return headerOnly(name, encoding, options, header, headers, match, missing, firstBatch, headerAt, width)
  refuseMissing(match, options, audience, name, headers)
  const orderNoColumn = [...match.fields].find(([, f]) => f === 'orderNo')![0]

  // The unit of each amount column: an import settles the undecided ones by reading their values
  // first (it must ask before it writes anything); a preview reads every row anyway and settles them
  // as it goes, reading them as yuan meanwhile, as the import does whenever it does not ask.
  const dry = options.dryRun === true
  const plan = planUnits(match, headers, options.type, options.amountUnit)
  const evidence = new Map<number, Evidence>()
  if (plan.undecided.length && !dry) {
    for (const [i, e] of await scanEvidence(
      await openRows(file, options.limits),
      header.line,
      plan.undecided,
    ))
      evidence.set(i, e)
    const question = settleUnits(plan, evidence).filter((c) => c.question)
    if (question.length) {
      throw UnreadableFileError.say(
        audience === 'cli' ? 'import.amountUnit.cli' : 'import.amountUnit.window',
        {
          file: name,
          headers: question.map((c) => c.header).join('、'),
        },
      )
    }
  }
  const gathering = dry ? plan.undecided : []
  const fields = fieldsWithUnits(match.fields, settleUnits(plan, evidence))

  const merchants = new MerchantResolver(db, options.merchant, options.mapping?.defaults.merchant)
  const sink = dry ? dryRunSink(db) : storeSink(db, now)
  const importId = dry
    ? 0
    : createImportRun(db, {
        fileName: name,
        tradeType: options.type,
        encoding,
        operator: options.operator ?? null,
        headers: headers.slice(0, width),
        headerLine: header.line,
      })
  const rejectedOut = options.rejectedOut
    ? openRejected(options.rejectedOut.file, headers.slice(0, width), options.rejectedOut.overwrite)
    : null
  const counts = {
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    duplicates: 0,
    conflicts: 0,
    skipped: 0,
    rejected: 0,
    warnings: 0,
  }
  const errors: ImportRowError[] = []
  const notes: ImportNote[] = []
  const keep = options.maxErrorsInSummary ?? 1000
  const sample: SampleRow[] = []
  const sampleSize = options.sample ?? 0
  const cells = new RowCells(fields, headers)
  const onTrade = options.onTrade
  const rowOptions = { mapping: options.mapping, audience }
  /** The line each trade of this file was first seen on, by merchant and number: repeats are told so. */
  const seen = new KeyTable()
  let kept = 0

  for (const r of firstBatch.slice(0, headerAt)) {
    note(notes, keep, r.line, null, 'skipped', 'note.titleLine', { line: r.line, header: header.line })
  }

  const rowCells = (row: SourceRow) => (row.cells.length > width ? row.cells.slice(0, width) : row.cells)

  const reject = (row: SourceRow, column: string | null, id: MessageId, params: Params, said?: string) => {
    counts.rejected += 1
    const reason = said ?? say(id, params)
    if (!dry && kept < KEPT_ERRORS) {
      kept += 1
      addImportError(db, importId, {
        line: row.line,
        column,
        reason,
        raw: row.raw.length > RAW_CHARS ? row.raw.slice(0, RAW_CHARS) : row.raw,
        said: { id, params },
        cells: rowCells(row),
      })
    }
    rejectedOut?.add(row.line, say(id, params, 'zh-CN'), rowCells(row))
    const error: ImportRowError = {
      line: row.line,
      column: column === null ? null : detach(column),
      reason: detach(reason),
      said: { id, params: detachParams(params) },
    }
    if (errors.length < keep) errors.push(error)
    return error
  }

  /** Counts the outcome under its kind and tells a repeat or a conflict; the notes made for the sample. */
  const classify = (row: SourceRow, o: RowOutcome): ImportNote[] => {
    const made: ImportNote[] = []
    const first = seen.get(o.merchantId, o.no)
    if (first === undefined) seen.set(o.merchantId, o.no, row.line)
    let result: keyof typeof counts = o.result
    if (o.result !== 'inserted') {
      if (first !== undefined && first !== row.line) {
        if (o.differs) {
          made.push(
            note(notes, keep, row.line, null, 'conflict', 'note.duplicateDiffers', {
              line: row.line,
              first,
              what: o.differs.what === 'status' ? '状态' : '标题',
            }),
          )
          if (o.result === 'unchanged') result = 'conflicts'
        } else if (o.result === 'unchanged') {
          made.push(
            note(notes, keep, row.line, null, 'duplicate', 'note.duplicate', { line: row.line, first }),
          )
          result = 'duplicates'
        }
      } else if (o.differs) {
        made.push(
          note(notes, keep, row.line, null, 'conflict', 'note.existsDiffers', {
            what: o.differs.what === 'status' ? '状态' : '标题',
            stored: o.differs.stored,
            value: o.differs.value,
          }),
        )
        if (o.result === 'unchanged') result = 'conflicts'
      }
    }
    counts[result] += 1
    if (o.warnings) {
      counts.warnings += 1
      for (const w of o.warnings) made.push(note(notes, keep, row.line, w.column, 'warning', w.id, w.params))
    }
    return made
  }

  const apply = (rows: SourceRow[]) => {
    for (const row of rows) {
      const sampled = sample.length < sampleSize
      if (row.broken) {
        const error = reject(row, null, row.broken, {})
        if (sampled) sample.push({ line: row.line, cells: [row.raw], amount: null, error, notes: [] })
        continue
      }
      if (gathering.length) gatherEvidence(row.cells, gathering, evidence)
      if (isTotalRow(row.cells, orderNoColumn, width)) {
        counts.skipped += 1
        const n = note(notes, keep, row.line, null, 'skipped', 'note.total', {})
        if (sampled)
          sample.push({ line: row.line, cells: rowCells(row), amount: null, error: null, notes: [n] })
        continue
      }
      cells.cells = row.cells
      try {
        const outcome =
          options.type === 'pay'
            ? importPay(sink, cells, merchants, rowOptions, importId, now(), onTrade !== undefined)
            : importRefund(sink, cells, merchants, rowOptions, importId, now())
        const made = classify(row, outcome)
        onTrade?.(options.type, outcome.id)
        if (sampled)
          sample.push({
            line: row.line,
            cells: rowCells(row),
            amount: outcome.amount,
            error: null,
            notes: made,
          })
      } catch (err) {
        if (!(err instanceof RowError)) throw err
        const error = reject(row, err.column, err.id, err.params, err.message)
        if (sampled) sample.push({ line: row.line, cells: rowCells(row), amount: null, error, notes: [] })
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
  let stopped = false
  /** One transaction; false at the end of the file, or when asked to stop (what was written stays). */
  const step = (pull: () => SourceRow[] | null, last: boolean): boolean => {
    const more = dry ? fill(pull) : write.immediate(pull)
    options.onProgress?.(counts.rows)
    if ((more || !last) && options.shouldStop?.()) stopped = true
    return more && !stopped
  }
  const once = (rows: SourceRow[]) => {
    let left: SourceRow[] | null = rows
    return () => {
      const r = left
      left = null
      return r
    }
  }

  try {
    let first: SourceRow[] | null = firstBatch.slice(headerAt + 1)
    if (readSync) {
      // CSV: the file is read inside the transaction, between transactions the event loop runs.
      const pull = () => {
        const rows = first ?? readSync()
        first = null
        return rows
      }
      while (step(pull, true)) await new Promise((resolve) => setImmediate(resolve))
    } else {
      // XLSX: a transaction per batch the reader hands over.
      step(once(first), false)
      for (let next = await batches.next(); !stopped && !next.done; next = await batches.next())
        step(once(next.value), false)
    }
  } finally {
    rejectedOut?.close()
  }
  if (!dry) finishImportRun(db, importId, { encoding, ...counts })
  const amountColumns = settleUnits(plan, evidence)
  return {
    importId,
    file: name,
    encoding,
    type: options.type,
    ...counts,
    headerLine: header.line,
    amountColumns,
    merchantColumnIgnored: [...merchants.ignored],
    errors,
    notes,
    headers,
    match,
    missing: [],
    sample,
    stopped,
  }
}

/** A preview of a file whose header lacks a column the list needs: its header and first rows only. */
function headerOnly(
  name: string,
  encoding: string,
  options: ImportOptions,
  header: SourceRow,
  headers: string[],
  match: HeaderMatch,
  missing: Array<ImportField | 'amount'>,
  firstBatch: SourceRow[],
  headerAt: number,
  width: number,
): ImportResult {
  const sample = firstBatch.slice(headerAt + 1, headerAt + 1 + (options.sample ?? 0)).map((r) => ({
    line: r.line,
    cells: r.broken ? [r.raw] : r.cells.slice(0, width),
    amount: null,
    error: null,
    notes: [],
  }))
  return {
    importId: 0,
    file: name,
    encoding,
    type: options.type,
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    duplicates: 0,
    conflicts: 0,
    skipped: 0,
    rejected: 0,
    warnings: 0,
    headerLine: header.line,
    amountColumns: [],
    merchantColumnIgnored: [],
    errors: [],
    notes: [],
    headers,
    match,
    missing,
    sample,
    stopped: false,
  }
}

function note(
  notes: ImportNote[],
  keep: number,
  line: number,
  column: string | null,
  kind: ImportNote['kind'],
  id: MessageId,
  params: Params,
): ImportNote {
  const n: ImportNote = {
    line,
    column: column === null ? null : detach(column),
    kind,
    reason: say(id, params),
    said: { id, params: detachParams(params) },
  }
  if (notes.length < keep) notes.push(n)
  return n
}

function openRejected(file: string, headers: string[], overwrite: boolean | undefined): RejectedRowsCsv {
  try {
    return new RejectedRowsCsv(file, headers, overwrite)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw UnreadableFileError.say('import.rejectedExists', { file })
    throw new UnreadableFileError(`cannot write ${file}: ${(err as Error).message}`)
  }
}

function refuseMissing(
  match: HeaderMatch,
  o: ImportOptions,
  audience: Audience,
  file: string,
  headers: string[],
): void {
  const missing = missingFields(match, o.type)
  if (!missing.length) return
  const have = new Set<ImportField>(match.fields.values())
  const refundish = ['refundNo', 'refundAmountFen', 'refundAmountYuan'] as const
  if (o.type === 'pay' && refundish.some((f) => have.has(f))) {
    throw UnreadableFileError.say(audience === 'cli' ? 'import.refundList.cli' : 'import.refundList.window', {
      file,
      headers: headers.filter((h, i) => refundish.includes(match.fields.get(i) as never)).join(', '),
    })
  }
  const names = missing.map((m) =>
    m === 'amount'
      ? o.type === 'pay'
        ? 'amount (金额)'
        : 'refundAmount (退款金额)'
      : m === 'orderNo' && o.type === 'refund'
        ? 'orderNo (the pay order it belongs to)'
        : m,
  )
  throw UnreadableFileError.say(audience === 'cli' ? 'import.missing.cli' : 'import.missing.window', {
    file,
    fields: names.join(', '),
    headers: headers.filter(Boolean).join(', ') || '(none)',
  })
}
