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

const LINES_PER_WRITE = 4_000

export async function writeCsv(
  file: string,
  columns: readonly Column[],
  rows: Iterable<unknown[]>,
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
  let lines: string[] = ['\uFEFF' + line(columns.map((c) => c.header))]
  let count = 0
  for (const row of rows) {
    let text = ''
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i]!
      const v = row[i]
      const value = c.map ? guardText(c.map(v)) : cell(c.kind, v)
      text += (i ? ',' : '') + (plain[i] ? value : csvField(value))
    }
    lines.push(text + '\r\n')
    count += 1
    if (lines.length >= LINES_PER_WRITE) {
      await write(lines.join(''))
      lines = []
      if (count % 50_000 < LINES_PER_WRITE) onProgress?.(count)
    }
  }
  if (lines.length) await write(lines.join(''))
  out.end()
  await Promise.race([once(out, 'finish'), failed])
  onProgress?.(count)
  return { rows: count, bytes: out.bytesWritten }
}
