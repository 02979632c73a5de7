import type { MessageId, Params } from './messages'
import type { TradeType } from './domain'

// What an import reports: its counts, the amount columns and how their unit was decided, and each
// refused or noted row with its sentence (docs/cli.md section 3).

export interface ImportRowError {
  line: number
  column: string | null
  /** In English, for the command line and the log. */
  reason: string
  /** The same sentence by id and parameters, for the window to show in its language. */
  said?: { id: MessageId; params: Params }
  raw?: string
}

/**
 * What a row is besides going in or being refused: a repeat of an earlier line, a trade here already
 * that the file describes otherwise (not changed), a value that looks wrong but is taken (warning),
 * a line skipped (a 合计 line, a title above the header).
 */
export interface ImportNote {
  line: number
  column: string | null
  kind: 'duplicate' | 'conflict' | 'warning' | 'skipped'
  /** In English, for the command line. */
  reason: string
  said: { id: MessageId; params: Params }
}

/** The units an amount column can be read in. */
export const AMOUNT_UNITS = ['yuan', 'fen'] as const
export type AmountUnit = (typeof AMOUNT_UNITS)[number]

/**
 * An amount column of a file and the unit it is read in, with what decided it (docs/cli.md section
 * 3.2): the column mapping, the unit the person gave (--amount-unit, the window's 元/分), the header
 * (分, fen, 元, yuan), the values (a decimal or a currency sign: yuan), or nothing at all (`assumed`:
 * read as yuan).
 */
export interface AmountColumn {
  index: number
  header: string
  field: 'amountFen' | 'amountYuan' | 'refundAmountFen' | 'refundAmountYuan'
  unit: AmountUnit
  from: 'mapping' | 'option' | 'header' | 'values' | 'assumed'
  /**
   * Every value a bare whole number and nothing states the unit: 100 may be ¥100.00 or ¥1.00, so a
   * person must say which before the file is imported (the preview asks; an import refuses).
   */
  question: boolean
}

export interface ImportSummary {
  importId: number
  file: string
  encoding: string
  type: TradeType
  /** Data rows read below the header (lines above it are not counted). */
  rows: number
  inserted: number
  updated: number
  unchanged: number
  /** Rows that repeat an earlier row of the file exactly. */
  duplicates: number
  /** Rows of a trade here already (or earlier in the file) whose status or title differs: not changed. */
  conflicts: number
  /** 合计 lines, recognised and left out. */
  skipped: number
  rejected: number
  /** Rows taken with a warning (a doubtful value). */
  warnings: number
  /** The line of the header row: 1 unless title lines stand above it. */
  headerLine: number
  amountColumns: AmountColumn[]
  /** The merchant names of a merchant column that the merchant chosen for the whole file overrode. */
  merchantColumnIgnored: string[]
  errors: ImportRowError[]
  /** Duplicates, conflicts, warnings and skipped lines, by line (the first thousand). */
  notes: ImportNote[]
  /** The batch that syncs the file's trades, when the import started one. */
  batchId?: number
  /** Its items: each trade once, however often the file lists it. */
  batchTotal?: number
}
