import { stringify } from 'csv-stringify'
import fs from 'node:fs'
import { once } from 'node:events'
import { fenToYuan } from '../../../shared/money'
import { formatBeijing } from '../../../shared/time'

// CSV for accounting (cli.md section 4): UTF-8 with BOM, CRLF, Chinese headers with units, yuan with
// two decimals, Beijing time, long numbers kept whole, and the formula-injection guard on text cells.
// Streaming with backpressure: memory does not grow with the number of rows.

export type CellKind = 'text' | 'id' | 'yuan' | 'time' | 'int'

export interface Column<T> {
  header: string
  kind: CellKind
  value: (row: T) => string | number | null | undefined
}

const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/

/** A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP). */
export function guardText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s
}

/**
 * An ID made of digits that Excel would turn into a rounded number (more than 11 digits) gets a
 * trailing tab, as Alipay's own bills do: Excel then keeps it as text and shows every digit.
 */
export function guardId(s: string): string {
  return /^\d{12,}$/.test(s) ? `${s}\t` : guardText(s)
}

export function cell(kind: CellKind, v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return ''
  switch (kind) {
    case 'yuan':
      return fenToYuan(Number(v))
    case 'time':
      return formatBeijing(Number(v))
    case 'int':
      return String(v)
    case 'id':
      return guardId(String(v))
    case 'text':
      return guardText(String(v))
  }
}

export async function writeCsv<T>(
  file: string,
  columns: Column<T>[],
  rows: Iterable<T>,
  onProgress?: (rows: number) => void,
): Promise<{ rows: number; bytes: number }> {
  const out = fs.createWriteStream(file)
  const csv = stringify({ bom: true, record_delimiter: 'windows', quoted_match: /[",\r\n]/ })
  csv.pipe(out)
  const failed = new Promise<never>((_, reject) => {
    out.once('error', reject)
    csv.once('error', reject)
  })
  failed.catch(() => undefined)
  let count = 0
  csv.write(columns.map((c) => c.header))
  for (const row of rows) {
    const ok = csv.write(columns.map((c) => cell(c.kind, c.value(row))))
    count += 1
    if (!ok) await Promise.race([once(csv, 'drain'), failed])
    if (count % 10_000 === 0) onProgress?.(count)
  }
  csv.end()
  await Promise.race([once(out, 'finish'), failed])
  onProgress?.(count)
  return { rows: count, bytes: out.bytesWritten }
}
