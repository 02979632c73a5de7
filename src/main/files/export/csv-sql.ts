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

// Each rule is written for what a million rows cost: SQLite evaluates the whole expression again for
// every row (it keeps no common subexpressions), so a cell's common case is tested first and with the
// fewest function calls, and the general expression the rule was first written as is kept for the
// rare value only (an amount that is not a whole number, a time before 1970). Constant pieces such as
// `char(9)` and the GLOB patterns are computed once per statement, not per row.

/** The characters csv.ts's FORMULA_START names, as one GLOB set; the '-' goes last, where a set takes it literally. */
const FORMULA_GLOB = `'[=+@＝＋－＠' || char(9) || char(13) || '-]*'`

/** guardText: a leading apostrophe before what a spreadsheet would run as a formula. */
function guardText(s: string): string {
  return `CASE WHEN ${s} GLOB ${FORMULA_GLOB} THEN char(39) || ${s} ELSE ${s} END`
}

/** What csvField quotes: a quote, comma or line break anywhere in the value. */
function needsQuotes(s: string): string {
  return `instr(${s}, '"') OR instr(${s}, ',') OR instr(${s}, char(13)) OR instr(${s}, char(10))`
}

/**
 * The WHEN branches of csvField(guardText(s)) for a value known not to be NULL. The guard adds no
 * quote, comma or line break, so the quoting test runs on the value itself; a value that needs
 * neither (the common case) costs the four searches and one pattern test.
 */
function textBranches(s: string): string {
  return `WHEN ${needsQuotes(s)} THEN '"' || replace(${guardText(s)}, '"', '""') || '"' WHEN ${s} GLOB ${FORMULA_GLOB} THEN char(39) || ${s} ELSE ${s} END`
}

/** csvField(guardText(s)), and '' for NULL ('' itself comes out as '' by the same rules). */
function textCell(s: string): string {
  return `CASE WHEN ${s} IS NULL THEN '' ${textBranches(s)}`
}

/**
 * guardId: twelve digits or more get a trailing tab, so Excel keeps them as text; anything else is
 * a text cell. A first character that is no digit settles it in one step, as for most order numbers;
 * `ltrim` strips the digits of a long gateway number faster than a GLOB walks it.
 */
function idCell(s: string): string {
  return `CASE WHEN ${s} IS NULL THEN '' WHEN ${s} GLOB '[0-9]*' AND length(${s}) >= 12 AND ltrim(${s}, '0123456789') = '' THEN ${s} || char(9) ${textBranches(s)}`
}

/** Sign, whole yuan and the decimals `unit` has, for any number SQLite holds. */
function signed(x: string, unit: 100 | 100_000): string {
  return `printf('%s%d.%0${String(unit).length - 1}d', CASE WHEN ${x} < 0 THEN '-' ELSE '' END, abs(${x}) / ${unit}, abs(${x}) % ${unit})`
}

/**
 * fenToYuan for whole fen, or a fee in 1e-5 yuan (`unit` 100000): sign, whole yuan, decimals. A whole
 * number that is not negative (nearly every amount) is written by concatenation, its decimals the
 * last digits of `unit` plus the remainder; everything else keeps the printf the rule was made of.
 */
function decimal(x: string, unit: 100 | 100_000): string {
  const general = signed(x, unit)
  return `CASE typeof(${x}) WHEN 'integer' THEN CASE WHEN ${x} >= 0 THEN (${x} / ${unit}) || '.' || substr(${x} % ${unit} + ${unit}, 2) ELSE ${general} END WHEN 'null' THEN '' ELSE CASE WHEN ${x} = '' THEN '' ELSE ${general} END END`
}

/**
 * formatBeijing: `YYYY-MM-DD HH:mm:ss` at UTC+8, the milliseconds floored as JavaScript does.
 * datetime() writes that format without parsing one, and from 1970 on (a local time not negative)
 * integer division is the floor; strftime with the floor taken by hand covers the rest.
 */
function beijing(x: string): string {
  const local = `(${x} + ${BEIJING_OFFSET_MS})`
  const general = `strftime('%Y-%m-%d %H:%M:%S', (${local} - ((${local} % 1000) + 1000) % 1000) / 1000, 'unixepoch')`
  return `CASE typeof(${x}) WHEN 'integer' THEN CASE WHEN ${x} >= ${-BEIJING_OFFSET_MS} THEN datetime(${local} / 1000, 'unixepoch') ELSE ${general} END WHEN 'null' THEN '' ELSE CASE WHEN ${x} = '' THEN '' ELSE ${general} END END`
}

function field(c: Column): string {
  const x = c.sql
  // Text columns hold text (SQLite's TEXT affinity turns numbers into text as they are stored).
  const t = c.kind === 'text' || c.kind === 'id' ? x : text(x)
  // Display names hold no quote, comma or line break and start with no formula sign: only a code
  // the catalog does not know is guarded and quoted. NULL and '' match no code and come out as ''
  // from the text rule, as named() has them.
  const byName = (names: Readonly<Record<string, string>>) =>
    `CASE ${t} ${Object.entries(names)
      .filter(([code]) => code !== '')
      .map(([code, name]) => `WHEN ${literal(code)} THEN ${literal(name)}`)
      .join(' ')} ELSE ${textCell(t)} END`
  if (c.namesBy) {
    const byValue = Object.entries(c.namesBy.names)
      .map(([by, names]) => `WHEN ${literal(by)} THEN ${byName(names)}`)
      .join(' ')
    return `CASE ${c.namesBy.sql} ${byValue} ELSE ${textCell(t)} END`
  }
  if (c.names) return byName(c.names)
  switch (c.kind) {
    case 'int':
      // What `||` makes of a number is what CAST makes of it; '' stays ''.
      return `ifnull(${x}, '')`
    case 'yuan':
      return decimal(x, 100)
    case 'fee':
      return decimal(x, 100_000)
    case 'time':
      return beijing(x)
    case 'id':
      return idCell(t)
    case 'text':
      return textCell(t)
  }
}

/** One SQL expression whose value is the row's CSV line, without its line break. */
export function csvLineSql(columns: readonly Column[]): string {
  return `concat(${columns.map(field).join(", ',', ")})`
}

/**
 * One SQL expression over the export's rows, aggregated, whose value is its 合计 line (totalLine in
 * csv.ts): run on the same filter, in the same read transaction as the rows (row-reader.ts).
 */
export function csvTotalSql(columns: readonly Column[]): string {
  return columns
    .map((c, i) => {
      if (c.kind === 'yuan') return signed(`ifnull(sum(${c.sql}), 0)`, 100)
      return i === 0 ? `'合计（' || count(*) || ' 条）'` : "''"
    })
    .join(` || ',' || `)
}
