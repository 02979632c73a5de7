import ExcelJS from 'exceljs'
import fs from 'node:fs'
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
  // exceljs unzips in a stream it makes itself; a damaged entry's inflate error is emitted there and
  // nowhere else, while the worksheet being read waits for data that never comes. The file stream is
  // ours, so the unzip stream it is piped into is caught on the way, and its error ends the read.
  const input = fs.createReadStream(file)
  let fail: (err: Error) => void = () => undefined
  const failed = new Promise<never>((_, reject) => (fail = reject))
  failed.catch(() => undefined)
  input.once('error', (err) => fail(err))
  const pipe = input.pipe.bind(input)
  input.pipe = <T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T => {
    ;(dest as unknown as NodeJS.EventEmitter).once('error', (err: Error) => fail(err))
    return pipe(dest, options)
  }
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
  })
  const step = <T>(it: AsyncIterator<T>) => Promise.race([it.next(), failed])
  async function* batches(): AsyncGenerator<SourceRow[]> {
    try {
      let batch: SourceRow[] = []
      const sheets = reader[Symbol.asyncIterator]()
      const first = await step(sheets)
      if (!first.done) {
        // The first worksheet holds the list.
        const rows = (first.value as AsyncIterable<ExcelJS.Row>)[Symbol.asyncIterator]()
        for (let r = await step(rows); !r.done; r = await step(rows)) {
          const row = r.value
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
      throw new UnreadableFileError(
        `${path.basename(file)} cannot be read as an Excel .xlsx file: ${(err as Error).message}`,
      )
    } finally {
      input.destroy()
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
