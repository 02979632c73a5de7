import type ExcelJS from 'exceljs'
import path from 'node:path'
import { eachRow, RAW_CHARS, UnreadableFileError, type RowSource, type SourceRow } from './row-source'
import { guardedPart, openCheckedZip, XLSX_LIMITS, ZipLimitError, type XlsxLimits } from './zip-guard'

// XLSX through exceljs's streaming reader, first worksheet only. Every cell becomes text the way a
// person sees it: numbers whole (an order number Excel already rounded shows as such and is rejected
// later), dates as Beijing wall-clock time (Excel stores wall-clock serials with no zone).
//
// exceljs is unmaintained (4.4.0, 2023; review-security section D): every use of it is in this file,
// behind `xlsxRows`, which hands the importer rows of text and nothing of exceljs. Replacing it means
// rewriting this file alone. What exceljs is given has passed zip-guard.ts first: the package's
// declared sizes and ratio, and every part counted as it inflates.

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential(5).toUpperCase()
    // A formula's 0.1+0.2 is stored as 0.30000000000000004 and shown by Excel as 0.3: a value within
    // 1e-9 of two decimals is what the person sees, and only float noise is dropped (a time of day
    // in a serial date is far more than 1e-9 from two decimals).
    const cents = Math.round(value * 100) / 100
    if (!Number.isInteger(value) && Math.abs(value - cents) < 1e-9) return String(cents)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) {
    const d = value
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('')
    if ('text' in value && typeof value.text === 'string') return value.text
    if ('result' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null)
    if ('error' in value) return String((value as { error: string }).error)
  }
  return String(value)
}

/** A row of exceljs's streaming reader: its cells by column, from 0. */
interface StreamRow {
  number: number
  _cells: Array<{ value: ExcelJS.CellValue } | undefined>
}

/** The parts of exceljs's streaming reader that read one part of the package each. */
interface PartReader {
  model?: { sheets?: Array<{ rId: string }> }
  workbookRels?: Array<{ Id: string; Target: string }>
  _parseRels(entry: NodeJS.ReadableStream): Promise<void>
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncIterable<unknown>
  _parseStyles(entry: NodeJS.ReadableStream): Promise<void>
  _parseWorksheet(
    entries: AsyncIterable<unknown>,
    sheetNo: string,
  ): Iterable<{ eventType: string; value: SheetReader }>
}

/** exceljs's reader of one worksheet: its rows, and the sheet's extent it keeps up to date. */
interface SheetReader extends AsyncIterable<StreamRow> {
  _dimensions: { expandRow(row: StreamRow): void }
}

// exceljs's own streaming pass reads the package's parts in the order they are stored, and it loses
// the last one now and then (exceljs issue 3064): a workbook whose xl/workbook.xml is stored last,
// as exceljs itself writes them, then fails at random with "reading 'sheets'". Our fuzzer found it.
// So the parts are found through the zip's central directory and handed to exceljs's part readers
// in the order they depend on each other: relationships, workbook, shared strings, styles, and then
// the first worksheet of the workbook's own order, row by row. Memory stays bounded as before.

function worksheetPath(reader: PartReader): { path: string; sheetNo: string } | null {
  const first = reader.model?.sheets?.[0]
  const rel = first && reader.workbookRels?.find((r) => r.Id === first.rId)
  if (!rel) return null
  const target = rel.Target.startsWith('/') ? rel.Target.slice(1) : `xl/${rel.Target}`
  return { path: path.posix.normalize(target), sheetNo: /sheet(\d+)\.xml$/i.exec(target)?.[1] ?? '1' }
}

/** The rows of the workbook's first sheet, as text; `limits` only differ from XLSX_LIMITS in tests. */
export async function xlsxRows(file: string, limits: XlsxLimits = XLSX_LIMITS): Promise<RowSource> {
  const name = path.basename(file)
  const unreadable = (err: unknown) =>
    err instanceof ZipLimitError
      ? new UnreadableFileError(`${name} is not imported: ${err.message}`)
      : new UnreadableFileError(`${name} cannot be read as an Excel .xlsx file: ${(err as Error).message}`)
  let zip: Awaited<ReturnType<typeof openCheckedZip>>
  try {
    zip = await openCheckedZip(file, limits)
  } catch (err) {
    throw unreadable(err)
  }
  // Loaded here, not at the top: it is the heaviest package of the command line (docs/cli.md section 1).
  const { default: excel } = await import('exceljs')
  const reader = new excel.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
  }) as unknown as PartReader
  const open: NodeJS.ReadableStream[] = []
  // Each part is opened just before it is read, so that its reader is listening when a damaged entry
  // fails to inflate.
  const part = (p: string) => {
    const f = zip.parts.get(p)
    if (!f) return null
    const s = guardedPart(zip, p, f)
    open.push(s)
    return s
  }
  const required = (p: string) => {
    if (!zip.parts.has(p)) throw new Error(`it holds no workbook (${p} is missing)`)
    return part(p)!
  }
  async function* batches(): AsyncGenerator<SourceRow[]> {
    try {
      await reader._parseRels(required('xl/_rels/workbook.xml.rels'))
      await reader._parseWorkbook(required('xl/workbook.xml'))
      const strings = part('xl/sharedStrings.xml')
      if (strings) for await (const _ of reader._parseSharedStrings(strings)) void _
      const styles = part('xl/styles.xml')
      if (styles) await reader._parseStyles(styles)
      const sheet = worksheetPath(reader)
      const entry = sheet && part(sheet.path)
      if (!sheet || !entry) return
      // The first worksheet of the workbook's order holds the list.
      let batch: SourceRow[] = []
      let last = 0
      for (const { value } of reader._parseWorksheet(iterate(entry), sheet.sheetNo)) {
        // exceljs works out the sheet's extent row by row, walking every column up to the row's last
        // cell: a cell in column XFD made that 16,384 steps a row (58 s for 20,000 rows). Nothing
        // here reads the extent, so it is not kept.
        value._dimensions = { expandRow: () => undefined }
        for await (const row of value) {
          // Only the first columns: one cell in column XFD must not make every row 16,384 cells.
          const width = Math.min(row._cells.length, limits.columns)
          const cells: string[] = []
          let blank = true
          for (let i = 0; i < width; i++) {
            const text = cellText(row._cells[i]?.value ?? null)
            if (blank && text.trim() !== '') blank = false
            cells.push(text)
          }
          // A sheet numbers its rows from 1 upwards; a row numbered otherwise (found by the import
          // fuzzer: a damaged `r="0"`) would name no line a person can find, so the file is refused.
          if (!Number.isInteger(row.number) || row.number <= last)
            throw new Error(`the worksheet's rows are out of order after row ${last}; the file is damaged`)
          last = row.number
          if (blank) continue
          const raw = cells.join(',')
          batch.push({ line: row.number, cells, raw: raw.length > RAW_CHARS ? raw.slice(0, RAW_CHARS) : raw })
          if (batch.length >= 1000) {
            yield batch
            batch = []
          }
        }
      }
      if (batch.length) yield batch
    } catch (err) {
      throw unreadable(err)
    } finally {
      for (const s of open) (s as unknown as { destroy(): void }).destroy()
    }
  }
  const all = batches()
  return {
    encoding: 'xlsx',
    readSync: null,
    batches: all,
    rows: eachRow(all),
    // Stopping the reader early must not surface as an unhandled rejection.
    close: () => void all.return(undefined).catch(() => undefined),
  }
}

/** A part's chunks, ending with its error (a damaged entry fails to inflate) rather than waiting forever. */
async function* iterate(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk
}
