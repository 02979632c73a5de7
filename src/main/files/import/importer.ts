import fs from 'node:fs'
import path from 'node:path'
import type { ImportNote, ImportRowError } from '../../../shared/import-report'
import { say, type MessageId, type Params } from '../../../shared/messages'
import type { Db } from '../../store/connection'
import { deferIndexesOfEmpty, restoreDeferredIndexes } from '../../store/deferred-indexes'
import { DayTally, withGroupedDayTotals } from '../../store/import-day-totals'
import * as runs from '../../store/imports'
import { pgExec } from '../../store/sql/pg-exec'
import { LEFT_NULL_BY_INSERT } from '../../store/orders'
import {
  fieldsWithUnits,
  gatherEvidence,
  planUnits,
  scanEvidence,
  settleUnits,
  type Evidence,
} from './amount-units'
import { headerOnly, refuseMissing } from './header-checks'
import { findHeaderRow, matchHeaders, missingFields } from './headers'
import { noCounts, type ImportOptions, type ImportResult, type SampleRow } from './import-options'
import { KeyTable } from './key-table'
import { openRejected } from './rejected-csv'
import { RAW_CHARS, UnreadableFileError, type RowSource, type SourceRow } from './row-source'
import { detach, detachParams, note } from './row-notes'
import { openRows } from './rows'
import { dryRunSink, fileBooks, storeSink, type ImportSink } from './sink'
import { TeamDryBooks } from './team-preview'
import { pageOf, pullOnce, TeamSink, type TeamInto } from './team-sink'
import { isTotalRow } from './total-rows'
import { importPay, importRefund, MerchantResolver, RowCells, RowError, type RowOutcome } from './trades'

// An order or refund list into the local copy. Every bad row is rejected with its line, column and
// reason while the good rows go in; rows are written in transactions of a few thousand, streaming,
// so a million-row file imports in bounded memory. Importing the same file again changes nothing.
// Besides going in or being refused, a row may repeat an earlier one, describe a trade here already
// otherwise (a conflict: not changed), carry a doubtful value (a warning) or be a 合计 line (skipped):
// each is told by its line (docs/cli.md section 3.4).

/**
 * How much one transaction takes: rows up to MAX_ROWS, read for at most MAX_MS. Fewer, larger
 * transactions write each index page that many rows touch once rather than many times (1,000-row
 * transactions cost a quarter more per row than 5,000-row ones at a million rows); the time limit
 * keeps the event loop and the write lock free every tenth of a second or so.
 */
const MAX_ROWS = 20_000
const MAX_MS = 100

/**
 * From this size a pay list imported while there is no pay order yet builds the orders' secondary
 * indexes after its rows (store/deferred-indexes.ts); a smaller file is over before it would pay.
 * Refund lists keep theirs: each refund recomputes its pay order through the index of its refunds.
 */
const DEFER_INDEXES_FROM = 4 << 20

export async function importFile(
  db: Db | TeamInto,
  file: string,
  options: ImportOptions,
): Promise<ImportResult> {
  const source = await openRows(file, options.limits)
  try {
    return await importRows(db, file, options, source)
  } finally {
    source.close()
  }
}

/** Rows a page of a team import takes at most: one transaction and a statement per kind of write. */
const TEAM_PAGE = 5_000

async function importRows(
  into: Db | TeamInto,
  file: string,
  options: ImportOptions,
  source: RowSource,
): Promise<ImportResult> {
  // A team database (files/import/team-sink.ts) or the file: `db` is the file's connection.
  const team = 'pool' in into ? into : null
  const db = into as Db
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

  const book = team?.merchants ?? db
  const merchants = new MerchantResolver(book, options.merchant, options.mapping?.defaults.merchant)
  // The day totals of the orders a transaction inserts, added up as they go in (refunds are grouped).
  const tally = options.type === 'pay' ? new DayTally() : null
  const teamSink = team && !dry ? new TeamSink(team.pool) : null
  // A team database's preview reads a page's orders ahead of its rows (team-preview.ts).
  const teamDry = team && dry ? new TeamDryBooks(pgExec(team.pool)) : null
  const sink =
    teamSink ?? (dry ? dryRunSink(teamDry ?? fileBooks(db)) : storeSink(db, now, tally ?? undefined))
  const run = {
    fileName: name,
    tradeType: options.type,
    encoding,
    operator: options.operator ?? null,
    headers: headers.slice(0, width),
    headerLine: header.line,
  }
  const importId = dry
    ? 0
    : team
      ? await runs.createImportRunOn.async(pgExec(team.pool), run, Date.now())
      : runs.createImportRun(db, run)
  const rejectedOut = options.rejectedOut
    ? openRejected(options.rejectedOut.file, headers.slice(0, width), options.rejectedOut.overwrite)
    : null
  const counts = noCounts()
  const errors: ImportRowError[] = []
  const notes: ImportNote[] = []
  const keep = options.maxErrorsInSummary ?? 1000
  const sample: SampleRow[] = []
  const sampleSize = options.sample ?? 0
  const cells = new RowCells(fields, headers)
  // A team import's new orders have their ids once their page is written: told then.
  const pageTrades: number[] = []
  const onTrade =
    teamSink && options.onTrade ? (_t: unknown, id: number) => pageTrades.push(id) : options.onTrade
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
    if (!dry && kept < runs.KEPT_ERRORS) {
      kept += 1
      const e = {
        line: row.line,
        column,
        reason,
        raw: row.raw.length > RAW_CHARS ? row.raw.slice(0, RAW_CHARS) : row.raw,
        said: { id, params },
        cells: rowCells(row),
      }
      if (teamSink) teamSink.errors.push(e)
      else runs.addImportError(db, importId, e)
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
  /** A row into a sink that notes the order it names: a team import's (or preview's) first look at its page. */
  const probe = (row: SourceRow, into: ImportSink) => {
    if (row.broken || isTotalRow(row.cells, orderNoColumn, width)) return
    cells.cells = row.cells
    try {
      if (options.type === 'pay') importPay(into, cells, merchants, rowOptions, importId, now(), false)
      else importRefund(into, cells, merchants, rowOptions, importId, now())
    } catch (err) {
      if (!(err instanceof RowError)) throw err
    }
  }
  // The day totals of a transaction's new trades go in once at its end, not by a trigger per row.
  const trades = options.type === 'pay' ? 'pay_orders' : 'refund_orders'
  const write = team
    ? null
    : db.transaction((pull: () => SourceRow[] | null) =>
        withGroupedDayTotals(db, trades, tally, () => fill(pull)),
      )
  let stopped = false
  /** A team import's page (TEAM_PAGE rows, see team-sink.ts): its keys read first, then its rows. */
  const teamPage = async (sink: TeamSink, pull: () => SourceRow[] | null): Promise<boolean> => {
    const { more, missed } = await sink.page(pageOf(pull, TEAM_PAGE), probe, fill, importId, now())
    // Put meanwhile by someone other than an import (which waits for this page): an order that was there.
    counts.inserted -= missed
    counts.unchanged += missed
    for (const id of pageTrades) options.onTrade?.(options.type, sink.idOf(id))
    pageTrades.length = 0
    return more
  }
  /** One transaction; false at the end of the file, or when asked to stop (what was written stays). */
  const step = async (pull: () => SourceRow[] | null, last: boolean): Promise<boolean> => {
    const more = teamDry
      ? await teamDry.page(pageOf(pull, TEAM_PAGE), probe, fill)
      : dry
        ? fill(pull)
        : teamSink
          ? await teamPage(teamSink, pull)
          : write!.immediate(pull)
    options.onProgress?.(counts.rows)
    if ((more || !last) && options.shouldStop?.()) stopped = true
    return more && !stopped
  }
  const deferred =
    !dry &&
    !team &&
    options.type === 'pay' &&
    fs.statSync(file).size >= (options.deferIndexesFrom ?? DEFER_INDEXES_FROM) &&
    deferIndexesOfEmpty(db, 'pay_orders', LEFT_NULL_BY_INSERT)
  try {
    let first: SourceRow[] | null = firstBatch.slice(headerAt + 1)
    if (readSync) {
      // CSV: the file is read inside the transaction, between transactions the event loop runs.
      const pull = () => {
        const rows = first ?? readSync()
        first = null
        return rows
      }
      while (await step(pull, true)) await new Promise((resolve) => setImmediate(resolve))
    } else {
      // XLSX: a transaction per batch the reader hands over.
      await step(pullOnce(first), false)
      for (let next = await batches.next(); !stopped && !next.done; next = await batches.next())
        await step(pullOnce(next.value), false)
    }
  } finally {
    rejectedOut?.close()
    if (deferred) restoreDeferredIndexes(db)
  }
  if (team && !dry)
    await runs.finishImportRunOn.async(pgExec(team.pool), importId, { encoding, ...counts }, Date.now())
  else if (!dry) runs.finishImportRun(db, importId, { encoding, ...counts })
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
