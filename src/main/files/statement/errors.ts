import { statementText, type Params, type StatementMessageId } from './messages'
import type { StatementRefusal } from './types'

// Why a statement file is refused. The reasons are the statement-level list of docs/reconcile.md
// section A7, a few more for the file layer (a damaged archive, a wrong encoding, a missing column);
// each refusal names the line (null only for the whole file) and a sentence in both languages.

export type StatementReason =
  | 'unknown_format'
  | 'hash_mismatch'
  | 'summary_mismatch'
  | 'summary_missing'
  | 'column_count'
  | 'bad_amount'
  | 'damaged_number'
  | 'missing_backtick'
  | 'trailing_garbage'
  | 'bad_time'
  | 'missing_column'
  | 'bad_layout'
  | 'bad_encoding'
  | 'bad_archive'
  | 'account_mismatch'

/**
 * The command line's error code for a reason (docs/reconcile.md section A13). Every reason that
 * means "this file does not prove itself complete" (sums, damaged cells, a cut line, a damaged
 * archive) is a summary mismatch for the person: the file cannot be used, download it again.
 */
export function statementErrorCode(reason: StatementReason): string {
  switch (reason) {
    case 'hash_mismatch':
      return 'STATEMENT_HASH_MISMATCH'
    case 'unknown_format':
      return 'STATEMENT_FORMAT_UNKNOWN'
    case 'account_mismatch':
      return 'STATEMENT_ACCOUNT_MISMATCH'
    default:
      return 'STATEMENT_SUMMARY_MISMATCH'
  }
}

export class StatementError extends Error {
  /** The zip entry being read, filled in by the reader that knows it. */
  entry: string | null = null

  constructor(
    readonly reason: StatementReason,
    readonly messageId: StatementMessageId,
    readonly params: Params,
    readonly line: number | null,
    readonly column: string | null = null,
  ) {
    super(statementText(messageId, params, 'en'))
    this.name = 'StatementError'
  }

  toRefusal(): StatementRefusal {
    return {
      reason: this.reason,
      code: statementErrorCode(this.reason),
      line: this.line,
      column: this.column,
      entry: this.entry,
      messageId: this.messageId,
      params: this.params,
      zh: statementText(this.messageId, this.params, 'zh'),
      en: statementText(this.messageId, this.params, 'en'),
    }
  }
}

/** A refusal about one cell of a line: the reason, the sentence, the line, the column and its text. */
export function cellError(
  reason: StatementReason,
  messageId: StatementMessageId,
  line: number,
  column: string,
  value: string,
  extra: Params = {},
): StatementError {
  // A damaged cell can be long; the sentence shows its start.
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value
  return new StatementError(reason, messageId, { line, column, value: shown, ...extra }, line, column)
}
