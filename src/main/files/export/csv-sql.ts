import { BEIJING_OFFSET_MS } from '../../../shared/time'
import type { Column } from './csv'

// The CSV line of a row, written by SQLite itself: the same rules as csv.ts (yuan with two decimals,
// Beijing time, long numbers kept whole, the formula-injection guard, RFC 4180 quoting), as one SQL
// expression. At a million rows, JavaScript spent as long turning rows into text as SQLite spent
// finding them, and rows crossed from the reader thread as JSON; now the reader's own statement
// yields finished lines. csv.ts stays the reference: tests hold the two to the same output.
//
// The expressions are made from the store's column expressions and the label catalog, never from
// input, so the display names are written into the SQL as quoted literals.

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}

/** SQLite's text of a value, as String() writes it for the integers the store holds. */
function text(x: string): string {
  return `CAST(${x} AS TEXT)`
}

const FORMULA_STARTS = `(${['=', '+', '-', '@', '＝', '＋', '－', '＠'].map(literal).join(', ')}, char(9), char(13))`

/** guardText: a leading apostrophe before what a spreadsheet would run as a formula. */
function guardText(s: string): string {
  return `CASE WHEN substr(${s}, 1, 1) IN ${FORMULA_STARTS} THEN char(39) || ${s} ELSE ${s} END`
}

/**
 * csvField of a guarded value: quoted, with its quotes doubled, when it holds a quote, comma or line
 * break. The guard adds none of those, so the test runs on the value itself.
 */
function quoted(s: string, guarded: string): string {
  return `CASE WHEN instr(${s}, '"') OR instr(${s}, ',') OR instr(${s}, char(13)) OR instr(${s}, char(10)) THEN '"' || replace(${guarded}, '"', '""') || '"' ELSE ${guarded} END`
}

/** guardId: twelve digits or more get a trailing tab, so Excel keeps them as text. */
function guardId(s: string): string {
  return `CASE WHEN length(${s}) >= 12 AND ${s} NOT GLOB '*[^0-9]*' THEN ${s} || char(9) ELSE ${quoted(s, guardText(s))} END`
}

/** fenToYuan for whole fen: sign, yuan, two decimals. */
function yuan(x: string): string {
  return `printf('%s%d.%02d', CASE WHEN ${x} < 0 THEN '-' ELSE '' END, abs(${x}) / 100, abs(${x}) % 100)`
}

/** A fee in 1e-5 yuan: sign, yuan, five decimals. */
function fee(x: string): string {
  return `printf('%s%d.%05d', CASE WHEN ${x} < 0 THEN '-' ELSE '' END, abs(${x}) / 100000, abs(${x}) % 100000)`
}

/** formatBeijing: `YYYY-MM-DD HH:mm:ss` at UTC+8, the milliseconds floored as JavaScript does. */
function beijing(x: string): string {
  const local = `(${x} + ${BEIJING_OFFSET_MS})`
  return `strftime('%Y-%m-%d %H:%M:%S', (${local} - ((${local} % 1000) + 1000) % 1000) / 1000, 'unixepoch')`
}

function field(c: Column): string {
  const x = c.sql
  const empty = `${x} IS NULL OR ${x} = ''`
  // Text columns hold text (SQLite's TEXT affinity turns numbers into text as they are stored).
  const t = c.kind === 'text' || c.kind === 'id' ? x : text(x)
  // Display names hold no quote, comma or line break and start with no formula sign: only a code
  // the catalog does not know is guarded and quoted.
  const unnamed = quoted(t, guardText(t))
  const byName = (names: Readonly<Record<string, string>>) =>
    `CASE ${t} ${Object.entries(names)
      .map(([code, name]) => `WHEN ${literal(code)} THEN ${literal(name)}`)
      .join(' ')} ELSE ${unnamed} END`
  if (c.namesBy) {
    const byValue = Object.entries(c.namesBy.names)
      .map(([by, names]) => `WHEN ${literal(by)} THEN ${byName(names)}`)
      .join(' ')
    return `CASE WHEN ${empty} THEN '' ELSE CASE ${c.namesBy.sql} ${byValue} ELSE ${unnamed} END END`
  }
  if (c.names) return `CASE WHEN ${empty} THEN '' ELSE ${byName(c.names)} END`
  switch (c.kind) {
    case 'int':
      return `CASE WHEN ${empty} THEN '' ELSE ${t} END`
    case 'yuan':
      return `CASE WHEN ${empty} THEN '' ELSE ${yuan(x)} END`
    case 'fee':
      return `CASE WHEN ${empty} THEN '' ELSE ${fee(x)} END`
    case 'time':
      return `CASE WHEN ${empty} THEN '' ELSE ${beijing(x)} END`
    case 'id':
      return `CASE WHEN ${empty} THEN '' ELSE ${guardId(t)} END`
    case 'text':
      return `CASE WHEN ${empty} THEN '' ELSE ${quoted(t, guardText(t))} END`
  }
}

/** One SQL expression whose value is the row's CSV line, without its line break. */
export function csvLineSql(columns: readonly Column[]): string {
  return columns.map(field).join(` || ',' || `)
}

/**
 * One SQL expression over the export's rows, aggregated, whose value is its 合计 line (totalLine in
 * csv.ts): run on the same filter, in the same read transaction as the rows (row-reader.ts).
 */
export function csvTotalSql(columns: readonly Column[]): string {
  return columns
    .map((c, i) => {
      if (c.kind === 'yuan') return yuan(`ifnull(sum(${c.sql}), 0)`)
      return i === 0 ? `'合计（' || count(*) || ' 条）'` : "''"
    })
    .join(` || ',' || `)
}
