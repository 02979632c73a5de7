import { once } from 'node:events'
import { fenToYuan } from '../../../shared/money'
import { formatBeijing } from '../../../shared/time'
import { createBeside } from './atomic-file'

// CSV for accounting (docs/cli.md section 4): UTF-8 with BOM, CRLF, Chinese headers with units, yuan with
// two decimals, Beijing time, long numbers kept whole, and the formula-injection guard on text cells.
// Streaming with backpressure: memory does not grow with the number of rows.
//
// The rules are here in JavaScript and, for the rows themselves, in SQL (csv-sql.ts); tests hold the
// two to the same output. Written by hand rather than with csv-stringify: the rules are RFC 4180's
// three (quote a field with a quote, comma or line break; double its quotes; CRLF between records),
// and at a million rows the library's per-field option handling cost four times the rest together.

/** `fee`: a fee in 1e-5 yuan, written with five decimals as WeChat writes it (docs/reconcile.md A16). */
export type CellKind = 'text' | 'id' | 'yuan' | 'fee' | 'time' | 'int'

export interface Column {
  header: string
  /** The SQL expression the store selects for this column. */
  sql: string
  kind: CellKind
  /** Display names of stored codes (a status's name); a code not named here shows as itself. */
  names?: Readonly<Record<string, string>>
  /**
   * Display names that depend on another value of the row, used instead of `names`: one code names
   * different statuses on a pay order and on a refund (progress is 支付中 or 退款中), so the row's
   * trade type picks the names. `sql` selects that value; for a value not listed, codes show as
   * themselves.
   */
  namesBy?: { sql: string; names: Readonly<Record<string, Readonly<Record<string, string>>>> }
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

/** A fee in 1e-5 yuan as yuan with five decimals, by whole numbers: -4000 -> -0.04000. */
function feeYuan(e5: number): string {
  const abs = Math.abs(e5)
  return `${e5 < 0 ? '-' : ''}${Math.trunc(abs / 100_000)}.${String(abs % 100_000).padStart(5, '0')}`
}

export function cell(kind: CellKind, v: unknown): string {
  if (v === null || v === undefined || v === '') return ''
  switch (kind) {
    case 'yuan':
      return fenToYuan(Number(v))
    case 'fee':
      return feeYuan(Number(v))
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

/** A code by its display name, guarded as text; no code is an empty cell. */
export function named(names: Readonly<Record<string, string>>, v: unknown): string {
  if (v === null || v === undefined || v === '') return ''
  const code = String(v)
  return Object.hasOwn(names, code) ? names[code]! : guardText(code)
}

/** The names a row's code is shown by: the column's own, or those the row's `namesBy` value picks. */
export function namesOf(c: Column, by: unknown): Readonly<Record<string, string>> | undefined {
  if (!c.namesBy) return c.names
  const key = by === null || by === undefined ? null : String(by)
  return key !== null && Object.hasOwn(c.namesBy.names, key) ? c.namesBy.names[key] : {}
}

/** One field as RFC 4180 writes it. */
export function csvField(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * What a line made in JavaScript reads of a row (csvLine): each column's value, then the value each
 * `namesBy` column picks its names by, in column order.
 */
export function lineSelect(columns: readonly Column[]): string[] {
  return [...columns.map((c) => c.sql), ...columns.flatMap((c) => (c.namesBy ? [c.namesBy.sql] : []))]
}

/**
 * A row's CSV line without its line break, the row as lineSelect selects it: the rules above, the
 * same line csv-sql.ts has SQLite write (tests hold the two together). A team database's export makes
 * its lines here (services/team-export.ts), so each column keeps one definition, columns.ts's.
 */
export function csvLine(columns: readonly Column[], row: readonly unknown[]): string {
  let by = columns.length
  return columns
    .map((c, i) => {
      const names = namesOf(c, c.namesBy ? row[by++] : undefined)
      const value = names ? named(names, row[i]) : cell(c.kind, row[i])
      // Numbers and times hold no quote, comma or line break: the SQL form writes them unquoted too.
      const plain = !names && (c.kind === 'int' || c.kind === 'yuan' || c.kind === 'time')
      return plain ? value : csvField(value)
    })
    .join(',')
}

/**
 * The 合计 line an export may end with (docs/cli.md section 4): the row count in the first cell, the
 * sum of each amount column in its own cell as a number (yuan, two decimals), every other cell empty.
 * `sums` holds one sum (fen) per amount column, in column order.
 */
export function totalLine(columns: readonly Column[], rows: number, sums: readonly number[]): string {
  let next = 0
  return columns
    .map((c, i) => {
      if (c.kind === 'yuan') return fenToYuan(sums[next++] ?? 0)
      return i === 0 ? csvField(`合计（${rows} 条）`) : ''
    })
    .join(',')
}

/**
 * Writes the file: the byte-order mark and the header line, then the lines as they come (csv-sql.ts
 * has SQLite write them by the rules above), with backpressure and progress. The rows go to a new
 * private file beside `file` that takes its name when complete (atomic-file.ts); a file already
 * there is replaced only when `replace` says so.
 */
export async function writeCsv(
  file: string,
  columns: readonly Column[],
  batches: AsyncIterable<{ text: string; rows: number }>,
  onProgress?: (rows: number) => void,
  options: { replace: boolean } = { replace: true },
): Promise<{ rows: number; bytes: number }> {
  const pending = createBeside(file, options)
  const out = pending.stream
  const failed = new Promise<never>((_, reject) => out.once('error', reject))
  failed.catch(() => undefined)
  const write = async (text: string) => {
    if (!out.write(text, 'utf8')) await Promise.race([once(out, 'drain'), failed])
  }
  try {
    await write('\uFEFF' + columns.map((c) => csvField(c.header)).join(',') + '\r\n')
    let count = 0
    let reported = 0
    for await (const batch of batches) {
      count += batch.rows
      await write(batch.text)
      if (count - reported >= 50_000) {
        reported = count
        onProgress?.(count)
      }
    }
    await Promise.race([pending.commit(), failed])
    onProgress?.(count)
    return { rows: count, bytes: out.bytesWritten }
  } catch (err) {
    await pending.discard()
    throw err
  }
}
