import { StatementError } from './errors'

// Columns are found by their header name, never by position: "不同类型的列顺序不一样，要按表头名取值，
// 不能按列号取值" (WeChat's bill format page; binarywang/WxJava#308 shows the column-shift bug). Names
// are compared after folding full-width brackets to half-width (Alipay writes `订单金额（元）`, some
// files `(元)`) and dropping the spaces and the one trailing TAB a cell may carry.

export function headerName(cell: string): string {
  return cleanCell(cell).replaceAll('（', '(').replaceAll('）', ')')
}

/** A cell without its surrounding spaces and exactly one trailing TAB (Alipay's guard against Excel). */
export function cleanCell(cell: string): string {
  let s = cell
  if (s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32) s = s.replace(/^ +| +$/g, '')
  if (s.charCodeAt(s.length - 1) === 9) {
    s = s.slice(0, -1)
    if (s.charCodeAt(s.length - 1) === 32) s = s.replace(/ +$/, '')
  }
  return s
}

export class HeaderMap {
  private readonly index = new Map<string, number>()
  readonly size: number

  constructor(
    readonly names: string[],
    readonly line: number,
  ) {
    this.size = names.length
    names.forEach((name, i) => {
      if (name === '') return
      if (this.index.has(name))
        throw new StatementError(
          'bad_layout',
          'statement.duplicateColumn',
          { line, column: name },
          line,
          name,
        )
      this.index.set(name, i)
    })
  }

  has(name: string): boolean {
    return this.index.has(name)
  }

  /** The column of `name`, or -1. */
  at(name: string): number {
    return this.index.get(name) ?? -1
  }

  /** The names not in `known` (a column a newer bill added, or a damaged name). */
  unknown(known: ReadonlySet<string>): string[] {
    return this.names.filter((n) => n !== '' && !known.has(n))
  }

  /** The column of `name`; refuses a header without it. */
  require(name: string): number {
    const i = this.index.get(name)
    if (i === undefined)
      throw new StatementError(
        'missing_column',
        'statement.missingColumn',
        { line: this.line, column: name },
        this.line,
        name,
      )
    return i
  }
}

/** Refuses a row whose cell count is not the header's (a comma in a text, a cut line). */
export function checkCellCount(cells: string[], header: HeaderMap, line: number): void {
  if (cells.length !== header.size)
    throw new StatementError(
      'column_count',
      'statement.columnCount',
      { line, found: cells.length, expected: header.size },
      line,
    )
}
