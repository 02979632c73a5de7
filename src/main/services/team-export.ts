import path from 'node:path'
import type { Actor } from '../../shared/domain'
import { AppError } from '../../shared/errors'
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
import { csvLine, lineSelect, totalLine, writeCsv, type Column } from '../files/export/csv'
import { anomaliesExport } from '../store/anomalies'
import { auditOn } from '../store/audit'
import { getBatchOn } from '../store/batch-run'
import { batchItemsExportQuery } from '../store/batches'
import { ordersExport } from '../store/orders'
import { fetchRows } from '../store/pg/cursor'
import { recordsExport } from '../store/records'
import { refundsExport } from '../store/refunds'
import { repairsExport } from '../store/repairs'
import { statementDiffsExportQuery } from '../store/statement-diffs'
import { statementLinesExportQuery } from '../store/statement-lines'
import { statementByIdOn, type StatementRow } from '../store/statements'
import type { RowQuery } from '../store/row-reader'
import type { Exec } from '../store/sql/exec'
import type { ExportRequest } from './export'
import { exportFailure } from './export'
import type { TeamReads } from './team-reads'

// An export of a team database (docs/cli.md section 4, docs/team-mode.md B8.6): the lists' exports,
// byte for byte the file the same export makes from the database file. The rows come through a
// server-side cursor a few thousand at a time, inside one REPEATABLE READ READ ONLY transaction, so
// memory stays flat and the filter's lookups, the rows and the 合计 line are one snapshot.
//
// The lines are made here with csv.ts's rules rather than in PostgreSQL's SQL: csv-sql.ts writes them
// in SQLite's dialect (GLOB, printf, datetime, typeof, char), and a second dialect of every rule
// would be a second definition to keep equal. Here each column has one: its SQL expression and kind
// in columns.ts, written out by the same functions the property test holds to csv-sql.ts.

/**
 * The exports a team database answers: the five lists, a batch's results (B8.10) and a statement's
 * differences and lines (B8.16). An import's refused rows are written by team-import-ops.ts.
 */
const TEAM_EXPORT_KINDS = [
  'records',
  'orders',
  'refunds',
  'repairs',
  'anomalies',
  'batch',
  'statement-diffs',
  'statement-lines',
] as const
type TeamExportKind = (typeof TEAM_EXPORT_KINDS)[number]

/** An export a team database can answer, and the file it goes to. */
export interface TeamExportJob {
  req: ExportRequest & { kind: TeamExportKind }
  file: string
}

/** The request as a team database's export, or its refusal: a kind not exported there, a name not .csv. */
export function teamExport(req: ExportRequest, file: string): TeamExportJob {
  if (!isTeamKind(req))
    throw AppError.say('invalid_input', 'export.teamKind', {
      kind: req.kind,
      kinds: TEAM_EXPORT_KINDS.join(', '),
    })
  if (path.extname(file).toLowerCase() !== '.csv') throw AppError.say('invalid_input', 'export.csvName')
  return { req, file: path.resolve(file) }
}

const isTeamKind = (req: ExportRequest): req is ExportRequest & { kind: TeamExportKind } =>
  (TEAM_EXPORT_KINDS as readonly string[]).includes(req.kind)

/** Rows a fetch: one batch of the file's writer, as the SQLite readers hand over (row-reader.ts). */
const FETCH = 2_000

type Export = (x: Exec, columns: readonly string[]) => Promise<RowQuery | null>

function exportOf(req: TeamExportJob['req']): { columns: Column[]; query: Export } {
  switch (req.kind) {
    case 'records':
      return { columns: recordColumns, query: (x, c) => recordsExport.async(x, req.filter, c) }
    case 'orders':
      return { columns: orderColumns, query: (x, c) => ordersExport.async(x, req.filter, c) }
    case 'refunds':
      return { columns: refundColumns, query: (x, c) => refundsExport.async(x, req.filter, c) }
    case 'repairs':
      return { columns: repairColumns, query: (x, c) => repairsExport.async(x, req.filter, c) }
    case 'anomalies':
      return { columns: anomalyColumns, query: (x, c) => anomaliesExport.async(x, req.filter, c) }
    case 'batch':
      return {
        columns: batchItemColumns,
        query: async (x, c) => {
          if (!(await getBatchOn.async(x, req.batchId)))
            throw AppError.say('not_found', 'batch.notFound', { id: req.batchId })
          return batchItemsExportQuery(req.batchId, req.problemsOnly, c)
        },
      }
    case 'statement-diffs':
      return {
        columns: statementDiffColumns,
        query: async (x, c) => {
          await statementToExport(x, req.statementId)
          return statementDiffsExportQuery(req.statementId, c, 'pg')
        },
      }
    case 'statement-lines':
      return {
        columns: statementLineColumns,
        query: async (x, c) => {
          const statement = await statementToExport(x, req.statementId)
          return statementLinesExportQuery(req.statementId, statement.lines_run, c)
        },
      }
  }
}

/** The statement an export is of, read in the export's snapshot, or the file's refusal. */
export async function statementToExport(x: Exec, id: number): Promise<StatementRow> {
  const statement = await statementByIdOn.async(x, id)
  if (!statement) throw AppError.say('not_found', 'statement.notFound', { id })
  return statement
}

/**
 * The lines of the rows, a fetch at a time, and the 合计 line summed from those same rows when asked
 * for. A filter that names no merchant there is gives no query: no line at all, as on SQLite.
 */
async function* linesOf(
  rows: AsyncIterable<unknown[][]> | null,
  columns: readonly Column[],
  total: boolean,
): AsyncGenerator<{ text: string; rows: number }> {
  if (!rows) return
  const amounts = columns.flatMap((c, i) => (c.kind === 'yuan' ? [i] : []))
  const sums = amounts.map(() => 0)
  let count = 0
  for await (const batch of rows) {
    let text = ''
    for (const row of batch) {
      text += csvLine(columns, row) + '\r\n'
      // sum() skips a NULL amount, as the SQLite footer's does.
      amounts.forEach((at, k) => {
        if (row[at] !== null) sums[k]! += row[at] as number
      })
    }
    count += batch.length
    yield { text, rows: batch.length }
  }
  if (total) yield { text: totalLine(columns, count, sums) + '\r\n', rows: 0 }
}

/**
 * `paysync export <list> --db postgres://… --out FILE`: the file written as on SQLite (atomic-file.ts,
 * replaced only when `replace`), then its export_written row in the team database's audit log, where
 * every member reads who took which rows out of the books.
 */
export async function exportFromTeam(
  books: TeamReads,
  { req, file }: TeamExportJob,
  o: { replace: boolean; actor: Actor },
): Promise<{ file: string; rows: number; bytes: number }> {
  const { columns, query } = exportOf(req)
  // A statement's differences and lines take no 合计 line, as on the file.
  const total = 'total' in req && req.total === true
  const result = await books.inOneSnapshot(async (client, r) => {
    const q = await query(r.exec, lineSelect(columns))
    try {
      return await writeCsv(
        file,
        columns,
        linesOf(q && fetchRows(client, q, FETCH), columns, total),
        undefined,
        {
          replace: o.replace,
        },
      )
    } catch (err) {
      // Said here: the transaction would take any failure inside it for the database's.
      throw exportFailure(err, file)
    }
  })
  await auditOn.async(
    books.exec,
    {
      ...o.actor,
      action: 'export_written',
      target: file,
      detail: { kind: req.kind, rows: result.rows, total },
    },
    Date.now(),
  )
  return { file, ...result }
}
