import { say, type MessageId, type Params } from '../../../shared/messages'
import type { QuoteProblem } from './csv'

// What every reader of an import file hands over (rows.ts for CSV, xlsx.ts for Excel), and the one
// error that says the file cannot be read. Kept apart from both readers: rows.ts loads xlsx.ts (and
// exceljs with it) only when an .xlsx file comes, and neither should need the other for these.

/**
 * How much of a row's text is kept beside a rejection: enough to recognise the row, never a whole
 * 4-million-character record (review-security M3). The cells themselves are kept apart, bounded too.
 */
export const RAW_CHARS = 200

/** One row of an import file: its line number (1-based, as an editor shows it) and its cells as text. */
export interface SourceRow {
  line: number
  cells: string[]
  raw: string
  /** A row the reader could not split into cells (a CSV quote that does not pair): refused alone. */
  broken?: QuoteProblem
}

export interface RowSource {
  encoding: string
  /**
   * CSV only: the next rows (a few hundred), or null at the end, read synchronously. A 64 KiB read
   * from a local file takes well under a millisecond, and reading inside a write transaction lets
   * the transaction span many batches without any of them waiting in memory.
   */
  readSync: (() => SourceRow[] | null) | null
  /** The rows in the batches they were read in; a source is read once, through one of these. */
  batches: AsyncIterable<SourceRow[]>
  /** The same rows one by one. */
  rows: AsyncIterable<SourceRow>
  /** Lets go of the file; reading to the end does so too. */
  close(): void
}

export async function* eachRow(batches: AsyncIterable<SourceRow[]>): AsyncGenerator<SourceRow> {
  for await (const batch of batches) yield* batch
}

/**
 * A whole file refused: the sentence in English, and, for the window, its catalog entry (without
 * one the window shows the English sentence as the detail of file.unreadable).
 */
export class UnreadableFileError extends Error {
  constructor(
    message: string,
    readonly said?: { id: MessageId; params: Params },
  ) {
    super(message)
    this.name = 'UnreadableFileError'
  }

  /** A refusal told by its catalog entry, in English here. */
  static say(id: MessageId, params: Params = {}): UnreadableFileError {
    return new UnreadableFileError(say(id, params), { id, params })
  }
}
