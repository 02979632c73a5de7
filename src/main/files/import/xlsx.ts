import ExcelJS from 'exceljs'
import path from 'node:path'
import unzipper from 'unzipper'
import { eachRow, UnreadableFileError, type RowSource, type SourceRow } from './row-source'

// XLSX through exceljs's streaming reader, first worksheet only. Every cell becomes text the way a
// person sees it: numbers whole (an order number Excel already rounded shows as such and is rejected
// later), dates as Beijing wall-clock time (Excel stores wall-clock serials with no zone).

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential(5).toUpperCase()
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
  ): Iterable<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>
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

export async function xlsxRows(file: string): Promise<RowSource> {
  const name = path.basename(file)
  const unreadable = (err: unknown) =>
    new UnreadableFileError(`${name} cannot be read as an Excel .xlsx file: ${(err as Error).message}`)
  let parts: Map<string, unzipper.File>
  try {
    const dir = await unzipper.Open.file(file)
    parts = new Map(dir.files.map((f) => [f.path.replace(/^\/+/, ''), f]))
  } catch (err) {
    throw unreadable(err)
  }
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
  }) as unknown as PartReader
  const open: NodeJS.ReadableStream[] = []
  // Each part is opened just before it is read, so that its reader is listening when a damaged entry
  // fails to inflate.
  const part = (p: string) => {
    const f = parts.get(p)
    if (!f) return null
    const s = f.stream()
    open.push(s)
    return s
  }
  const required = (p: string) => {
    if (!parts.has(p)) throw new Error(`it holds no workbook (${p} is missing)`)
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
      for (const { value } of reader._parseWorksheet(iterate(entry), sheet.sheetNo)) {
        for await (const row of value) {
          const values = row.values as ExcelJS.CellValue[]
          const cells: string[] = []
          for (let i = 1; i < values.length; i++) cells.push(cellText(values[i] ?? null))
          if (cells.every((c) => c.trim() === '')) continue
          batch.push({ line: row.number, cells, raw: cells.join(',') })
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
