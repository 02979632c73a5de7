import iconv from 'iconv-lite'
import fs from 'node:fs'
import path from 'node:path'
import { CsvReader, CsvSyntaxError, MAX_RECORD_CHARS } from './csv'
import { detectEncoding, type TextEncoding } from './encoding'
import { eachRow, UnreadableFileError, type RowSource, type SourceRow } from './row-source'
import type { XlsxLimits } from './zip-guard'

/** Comma or tab: whichever the header line uses more (outside quotes). */
function sniffDelimiter(firstLine: string): ',' | '\t' {
  let commas = 0
  let tabs = 0
  let quoted = false
  for (const c of firstLine) {
    if (c === '"') quoted = !quoted
    else if (!quoted && c === ',') commas++
    else if (!quoted && c === '\t') tabs++
  }
  return tabs > commas ? '\t' : ','
}

async function firstLine(file: string, encoding: TextEncoding): Promise<string> {
  const fd = await fs.promises.open(file, 'r')
  try {
    const buf = Buffer.alloc(64 * 1024)
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0)
    const text = iconv.decode(buf.subarray(0, bytesRead), encoding === 'utf-8-bom' ? 'utf-8' : encoding)
    return text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? ''
  } finally {
    await fd.close()
  }
}

/** Reads a CSV or tab-separated file as rows, streaming: memory does not grow with the file. */
export async function csvRows(file: string): Promise<RowSource> {
  const encoding = await detectEncoding(file)
  const delimiter = sniffDelimiter(await firstLine(file, encoding))
  const name = path.basename(file)
  let fd: number | null = fs.openSync(file, 'r')
  const decoder = iconv.getDecoder(encoding === 'utf-8-bom' ? 'utf-8' : encoding, { stripBOM: true })
  // A row whose quotes do not pair is refused alone, by its line (csv.ts, `recover`).
  const reader = new CsvReader(delimiter, true)
  // Chunks of 64 KiB make batches of a few hundred rows that are written and dropped while still
  // young: with 1 MiB chunks a million-row import spent a third of its time in the garbage
  // collector and its memory grew by a hundred megabytes.
  const buf = Buffer.allocUnsafe(64 << 10)
  const close = () => {
    if (fd !== null) fs.closeSync(fd)
    fd = null
  }
  const readSync = (): SourceRow[] | null => {
    const out: SourceRow[] = []
    try {
      while (out.length === 0 && fd !== null) {
        const n = fs.readSync(fd, buf, 0, buf.length, null)
        if (n > 0) {
          reader.push(decoder.write(buf.subarray(0, n)), out)
        } else {
          const tail = decoder.end()
          if (tail) reader.push(tail, out)
          reader.end(out)
          close()
        }
      }
    } catch (err) {
      close()
      if (err instanceof CsvSyntaxError)
        throw UnreadableFileError.say('import.lineTooLong', {
          file: name,
          line: err.line,
          max: MAX_RECORD_CHARS,
        })
      throw new UnreadableFileError(`${name} cannot be read as CSV: ${(err as Error).message}`)
    }
    return out.length ? out : null
  }
  async function* batches(): AsyncGenerator<SourceRow[]> {
    try {
      for (let rows = readSync(); rows; rows = readSync()) yield rows
    } finally {
      close()
    }
  }
  const all = batches()
  return {
    encoding: encoding === 'utf-8-bom' ? 'utf-8 (BOM)' : encoding,
    readSync,
    batches: all,
    rows: eachRow(all),
    close,
  }
}

/** Picks the reader for a file by its extension; `limits` only differ from XLSX_LIMITS in tests. */
export async function openRows(file: string, limits?: XlsxLimits): Promise<RowSource> {
  let stat: fs.Stats
  try {
    stat = await fs.promises.stat(file)
  } catch {
    throw new UnreadableFileError(`the file ${file} does not exist or cannot be opened`)
  }
  if (!stat.isFile()) throw new UnreadableFileError(`${file} is not a file`)
  const ext = path.extname(file).toLowerCase()
  if (ext === '.xls') {
    throw UnreadableFileError.say('import.oldExcel', { file: path.basename(file) })
  }
  if (ext === '.xlsx') {
    const { xlsxRows } = await import('./xlsx')
    return xlsxRows(file, limits)
  }
  return csvRows(file)
}
