import ExcelJS from 'exceljs'
import path from 'node:path'
import { eachRow, UnreadableFileError, type RowSource, type SourceRow } from './rows'

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

export async function xlsxRows(file: string): Promise<RowSource> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
  })
  async function* batches(): AsyncGenerator<SourceRow[]> {
    try {
      let batch: SourceRow[] = []
      for await (const sheet of reader) {
        for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
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
        break // the first worksheet holds the list
      }
      if (batch.length) yield batch
    } catch (err) {
      throw new UnreadableFileError(
        `${path.basename(file)} cannot be read as an Excel .xlsx file: ${(err as Error).message}`,
      )
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
