// What every reader of an import file hands over (rows.ts for CSV, xlsx.ts for Excel), and the one
// error that says the file cannot be read. Kept apart from both readers: rows.ts loads xlsx.ts (and
// exceljs with it) only when an .xlsx file comes, and neither should need the other for these.

/** One row of an import file: its line number (1-based, as an editor shows it) and its cells as text. */
export interface SourceRow {
  line: number
  cells: string[]
  raw: string
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

export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnreadableFileError'
  }
}
