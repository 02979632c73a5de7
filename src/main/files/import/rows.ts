import { parse } from 'csv-parse'
import iconv from 'iconv-lite'
import fs from 'node:fs'
import path from 'node:path'
import { detectEncoding, type TextEncoding } from './encoding'

/** One row of an import file: its line number (1-based, as an editor shows it) and its cells as text. */
export interface SourceRow {
  line: number
  cells: string[]
  raw: string
}

export interface RowSource {
  encoding: string
  rows: AsyncIterable<SourceRow>
}

export class UnreadableFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnreadableFileError'
  }
}

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
  const input = fs.createReadStream(file, { highWaterMark: 1 << 20 })
  const decoded = input.pipe(
    iconv.decodeStream(encoding === 'utf-8-bom' ? 'utf-8' : encoding, { stripBOM: true }),
  )
  const parser = decoded.pipe(
    parse({
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
    }),
  )
  input.on('error', (err) => parser.destroy(err))
  async function* rows(): AsyncGenerator<SourceRow> {
    try {
      for await (const rec of parser as AsyncIterable<{
        record: string[]
        info: { lines: number }
        raw: string
      }>) {
        // info.lines is the line the record ends on; a quoted cell may span several lines.
        const startLine = rec.info.lines - (rec.raw.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0)
        yield { line: startLine, cells: rec.record, raw: rec.raw.replace(/\r?\n$/, '') }
      }
    } catch (err) {
      const e = err as { code?: string; message: string; lines?: number }
      throw new UnreadableFileError(
        `${path.basename(file)} cannot be read as CSV${e.lines ? ` at line ${e.lines}` : ''}: ${e.message.replace(/^Invalid /, 'invalid ')}`,
      )
    }
  }
  return { encoding: encoding === 'utf-8-bom' ? 'utf-8 (BOM)' : encoding, rows: rows() }
}

/** Picks the reader for a file by its extension. */
export async function openRows(file: string): Promise<RowSource> {
  let stat: fs.Stats
  try {
    stat = await fs.promises.stat(file)
  } catch {
    throw new UnreadableFileError(`the file ${file} does not exist or cannot be opened`)
  }
  if (!stat.isFile()) throw new UnreadableFileError(`${file} is not a file`)
  const ext = path.extname(file).toLowerCase()
  if (ext === '.xls') {
    throw new UnreadableFileError(
      `${path.basename(file)} is an old Excel .xls file: save it as .xlsx or CSV and import that`,
    )
  }
  if (ext === '.xlsx') {
    const { xlsxRows } = await import('./xlsx')
    return xlsxRows(file)
  }
  return csvRows(file)
}
