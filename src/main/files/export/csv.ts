import fs from 'node:fs'
import { once } from 'node:events'
import { fenToYuan } from '../../../shared/money'
import { formatBeijing } from '../../../shared/time'

// CSV for accounting (cli.md section 4): UTF-8 with BOM, CRLF, Chinese headers with units, yuan with
// two decimals, Beijing time, long numbers kept whole, and the formula-injection guard on text cells.
// Streaming with backpressure: memory does not grow with the number of rows.
//
// Written by hand rather than with csv-stringify: the rules are RFC 4180's three (quote a field with
// a quote, comma or line break; double its quotes; CRLF between records), and at a million rows the
// library's per-field option handling cost four times the rest of the export together.

export type CellKind = 'text' | 'id' | 'yuan' | 'time' | 'int'

export interface Column {
  header: string
  /** The SQL expression the store selects for this column. */
  sql: string
  kind: CellKind
  /** Turns a stored code into what people read (a status's display name). */
  map?: (v: unknown) => string
}

const FORMULA_START = /^[=+\-@\t\r＝＋－＠]/
const NEEDS_QUOTES = /[",\r\n]/
const LONG_NUMBER = /^\d{12,}$/

/** A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP). */
export function guardText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s
}

/**
 * An ID made of digits that Excel would turn into a rounded number (more than 11 digits) gets a
 * trailing tab, as Alipay's own bills do: Excel then keeps it as text and shows every digit.
 */
export function guardId(s: string): string {
  return s.length >= 12 && LONG_NUMBER.test(s) ? `${s}\t` : guardText(s)
}

export function cell(kind: CellKind, v: unknown): string {
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

/** One field as RFC 4180 writes it. */
export function csvField(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function line(values: string[]): string {
  let out = ''
  for (let i = 0; i < values.length; i++) out += (i ? ',' : '') + csvField(values[i]!)
  return out + '\r\n'
}

export async function writeCsv(
  file: string,
  columns: readonly Column[],
  batches: AsyncIterable<unknown[][]>,
  onProgress?: (rows: number) => void,
): Promise<{ rows: number; bytes: number }> {
  const out = fs.createWriteStream(file)
  const failed = new Promise<never>((_, reject) => out.once('error', reject))
  failed.catch(() => undefined)
  const write = async (text: string) => {
    if (!out.write(text, 'utf8')) await Promise.race([once(out, 'drain'), failed])
  }
  // Numbers, amounts and times never hold a quote, comma or line break: only text is checked for quoting.
  const plain = columns.map((c) => !c.map && (c.kind === 'int' || c.kind === 'yuan' || c.kind === 'time'))
  const kinds = columns.map((c) => c.kind)
  const maps = columns.map((c) => c.map)
  const n = columns.length
  await write('\uFEFF' + line(columns.map((c) => c.header)))
  let count = 0
  let reported = 0
  for await (const batch of batches) {
    let text = ''
    for (const row of batch) {
      for (let i = 0; i < n; i++) {
        const v = row[i]
        const map = maps[i]
        const value = map ? guardText(map(v)) : cell(kinds[i]!, v)
        text += i ? ',' : ''
        text += plain[i] ? value : csvField(value)
      }
      text += '\r\n'
    }
    count += batch.length
    await write(text)
    if (count - reported >= 50_000) {
      reported = count
      onProgress?.(count)
    }
  }
  out.end()
  await Promise.race([once(out, 'finish'), failed])
  onProgress?.(count)
  return { rows: count, bytes: out.bytesWritten }
}
