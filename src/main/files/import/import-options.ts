import type { TradeType } from '../../../shared/domain'
import type { AmountUnit, ImportNote, ImportRowError, ImportSummary } from '../../../shared/import-report'
import type { ColumnMapping, ImportField } from '../../../shared/mapping'
import type { HeaderMatch } from './headers'
import type { Audience } from './trades'
import type { XlsxLimits } from './zip-guard'

// What an import is asked (its options) and what it answers (its result, a preview's sample rows
// with it): the contract between the importer, its worker thread and the services that call it.

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
  /** Tests only: the file size from which a pay list into no orders builds its indexes last. */
  deferIndexesFrom?: number
}

/** What an import counts, before its first row. */
export function noCounts() {
  return {
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
