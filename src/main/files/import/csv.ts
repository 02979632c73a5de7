// A CSV reader for import files, fed decoded text chunk by chunk. It reads what csv-parse read with
// the options the importer used (one-character delimiter, `"` quotes doubled inside quoted cells,
// rows of any length, empty lines skipped, the record delimiter found on first sight: CRLF, LF or
// CR) and refuses what csv-parse refused, with the same messages. It exists because csv-parse spent
// most of a large import's time building its per-record info objects and byte buffers; here a cell
// is one slice of the chunk. Line numbers are the ones an editor shows, CRLF inside a quoted cell
// counted once.
//
// An import reads with `recover`: a record whose quotes do not pair is not the end of the file but one
// refused row (issue 14 item 9): its first line is handed over as a broken record, named by its line
// and what is wrong, and reading goes on at the next line, so the good rows after it still go in.

/** What is wrong with a record whose quotes do not pair; the catalog's sentence for the row. */
export type QuoteProblem = 'row.strayQuote' | 'row.afterQuote' | 'row.openQuote'

/** A record: the line it starts on, its cells, and its text as in the file (for the error table). */
export interface CsvRecord {
  line: number
  cells: string[]
  raw: string
  /** Set on a record read with `recover` that could not be split: no cells, and why. */
  broken?: QuoteProblem
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly problem: QuoteProblem | null = null,
  ) {
    super(message)
    this.name = 'CsvSyntaxError'
  }
}

const QUOTE = 34
const CR = 13
const LF = 10

/** Longest record kept while waiting for its end: a quote left open must not hold the whole file. */
export const MAX_RECORD_CHARS = 4 << 20

/** Thrown inside the scan when a record runs past the end of what has been read so far. */
const INCOMPLETE = Symbol('incomplete')

export class CsvReader {
  private carry = ''
  /** Line of the first character of `carry`. */
  private line = 1
  private recordDelimiter = ''
  private started = false
  private readonly delim: number

  /** With `recover`, a record whose quotes do not pair becomes a broken record instead of an error. */
  constructor(
    delimiter: string,
    private readonly recover = false,
  ) {
    this.delim = delimiter.charCodeAt(0)
  }

  /** Reads every record that ends inside `text`; the unfinished last one waits for the next chunk. */
  push(text: string, out: CsvRecord[]): void {
    this.read(this.carry === '' ? text : this.carry + text, false, out)
  }

  /** The end of the input: the last record needs no line break after it. */
  end(out: CsvRecord[]): void {
    this.read(this.carry, true, out)
    this.carry = ''
  }

  private read(s: string, final: boolean, out: CsvRecord[]): void {
    if (!this.started) {
      if (s === '' && !final) return
      // The decoder removed a byte-order mark already; csv-parse (bom: true) removed one more.
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1)
      this.started = true
    }
    let pos = 0
    const n = s.length
    while (pos < n) {
      const start = pos
      const startLine = this.line
      let end: number
      try {
        end = this.record(s, pos, final, out, startLine)
      } catch (err) {
        let problem: QuoteProblem | null = null
        if (err === INCOMPLETE) {
          if (s.length - start <= MAX_RECORD_CHARS) {
            this.line = startLine
            this.carry = s.slice(start)
            return
          }
          problem = 'row.openQuote'
        } else if (err instanceof CsvSyntaxError && this.recover) problem = err.problem
        else throw err
        const next = problem && this.recover ? this.skipLine(s, start, final, out, startLine, problem) : null
        if (next === null) {
          if (err !== INCOMPLETE) throw err
          throw new CsvSyntaxError(
            `Record Too Long: the record that starts at line ${startLine} is longer than ${MAX_RECORD_CHARS} characters (is a quote left open?)`,
            startLine,
          )
        }
        if (next < 0) {
          // The line's end is not read yet: the record is tried again with the next chunk.
          this.line = startLine
          this.carry = s.slice(start)
          return
        }
        end = next
      }
      pos = end
    }
    this.carry = ''
  }

  /**
   * Reads the record starting at `pos` (pushing it unless it is an empty line) and returns where
   * the next one starts. Throws INCOMPLETE when the text ends before the record does.
   */
  private record(s: string, pos: number, final: boolean, out: CsvRecord[], line: number): number {
    const n = s.length
    const d = this.delim
    const cells: string[] = []
    const start = pos
    let breaks = 0
    for (;;) {
      // One cell, starting at pos.
      if (pos < n && s.charCodeAt(pos) === QUOTE) {
        let value = ''
        let from = pos + 1
        let i = from
        for (;;) {
          const q = s.indexOf('"', i)
          if (q === -1) {
            if (!final) throw INCOMPLETE
            breaks += countBreaks(s, pos + 1, n)
            throw new CsvSyntaxError(
              `Quote Not Closed: the parsing is finished with an opening quote at line ${line + breaks}`,
              line + breaks,
              'row.openQuote',
            )
          }
          if (q + 1 >= n && !final) throw INCOMPLETE
          if (s.charCodeAt(q + 1) === QUOTE) {
            // A doubled quote inside the cell stands for one.
            value += s.slice(from, q + 1)
            from = q + 2
            i = from
            continue
          }
          breaks += countBreaks(s, pos + 1, q)
          value += s.slice(from, q)
          pos = q + 1
          break
        }
        cells.push(value)
        if (pos >= n) {
          if (!final) throw INCOMPLETE
          return this.emit(s, start, n, cells, line, breaks, out)
        }
        const c = s.charCodeAt(pos)
        if (c === d) {
          pos += 1
          continue
        }
        const rd = this.delimiterAt(s, pos, final)
        if (rd > 0) return this.emit(s, start, pos, cells, line, breaks, out) + rd
        throw new CsvSyntaxError(
          `Invalid Closing Quote: got "${s[pos]}" at line ${line + breaks} instead of delimiter, record delimiter, trimable character (if activated) or comment`,
          line + breaks,
          'row.afterQuote',
        )
      }
      // An unquoted cell: up to the delimiter or the record delimiter.
      let i = pos
      for (;;) {
        if (i >= n) {
          if (!final) throw INCOMPLETE
          // The last record of a file needs no line break; an empty last line is no record.
          if (i === start) return n
          cells.push(s.slice(pos, i))
          return this.emit(s, start, n, cells, line, breaks, out)
        }
        const c = s.charCodeAt(i)
        // Most characters are none of the four that matter here.
        if (c > QUOTE && c !== d) {
          i += 1
          continue
        }
        if (c === d) {
          cells.push(s.slice(pos, i))
          pos = i + 1
          break
        }
        if (c === CR || c === LF) {
          const rd = this.delimiterAt(s, i, final)
          if (rd > 0) {
            // An empty line (no cell, no delimiter) is skipped, as csv-parse's skip_empty_lines did.
            if (i === start) {
              this.line += 1
              return i + rd
            }
            cells.push(s.slice(pos, i))
            return this.emit(s, start, i, cells, line, breaks, out) + rd
          }
          // A line break that is not this file's record delimiter stays in the cell; an editor still
          // shows a new line there (the LF of a CRLF counts with its CR, which may have ended the
          // previous record).
          const prev = i > start ? s.charCodeAt(i - 1) : this.recordDelimiter === '\r' ? CR : 0
          if (c === CR || prev !== CR) breaks += 1
          i += 1
          continue
        }
        if (c === QUOTE) {
          const col = cells.length
          throw new CsvSyntaxError(
            `Invalid Opening Quote: a quote is found on field ${col} at line ${line + breaks}, value is ${JSON.stringify(s.slice(pos, i))}`,
            line + breaks,
            'row.strayQuote',
          )
        }
        i += 1
      }
    }
  }

  /**
   * Hands over the line a broken record starts on and returns where the next line starts, or -1 when
   * that line does not end within what has been read (more must come first). A line longer than a
   * record may be gives null: that is no CSV (`Record Too Long`).
   */
  private skipLine(
    s: string,
    start: number,
    final: boolean,
    out: CsvRecord[],
    line: number,
    problem: QuoteProblem,
  ): number | null {
    let e = this.lineEnd(s, start)
    if (e < 0) {
      if (s.length - start > MAX_RECORD_CHARS) return null
      if (!final) return -1
      e = s.length
    }
    let width = 0
    if (e < s.length) {
      if (s.charCodeAt(e) === CR && e + 1 >= s.length && !final) return -1
      width = s.charCodeAt(e) === CR && s.charCodeAt(e + 1) === LF ? 2 : 1
      if (this.recordDelimiter === '') this.recordDelimiter = width === 2 ? '\r\n' : s[e]!
    }
    out.push({ line, cells: [], raw: s.slice(start, e), broken: problem })
    this.line = line + countBreaks(s, start, e) + 1
    return e + width
  }

  /** Where the line that starts at `from` ends: the file's record delimiter, else any line break. */
  private lineEnd(s: string, from: number): number {
    const rd = this.recordDelimiter
    if (rd !== '') return s.indexOf(rd, from)
    const lf = s.indexOf('\n', from)
    const cr = s.indexOf('\r', from)
    return lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr)
  }

  /** Pushes the record and returns `end` (where its record delimiter starts). */
  private emit(
    s: string,
    start: number,
    end: number,
    cells: string[],
    line: number,
    breaks: number,
    out: CsvRecord[],
  ): number {
    // A CRLF line in a file whose records end in LF: the CR was counted as the line's break, and
    // it is no part of the row's text (unless it is all of it).
    const crlf = this.recordDelimiter === '\n' && end > start && s.charCodeAt(end - 1) === CR
    out.push({ line, cells, raw: s.slice(start, crlf && end - 1 > start ? end - 1 : end) })
    this.line = line + breaks + (crlf ? 0 : 1)
    return end
  }

  /**
   * Length of the record delimiter at `i` (0 when there is none). The first line break seen outside
   * quotes decides the file's record delimiter, CRLF before LF before CR.
   */
  private delimiterAt(s: string, i: number, final: boolean): number {
    const c = s.charCodeAt(i)
    if (c !== CR && c !== LF) return 0
    if (this.recordDelimiter === '') {
      if (c === CR && i + 1 >= s.length && !final) throw INCOMPLETE
      this.recordDelimiter = c === LF ? '\n' : s.charCodeAt(i + 1) === LF ? '\r\n' : '\r'
    }
    const rd = this.recordDelimiter
    if (rd.length === 2) {
      if (c !== CR) return 0
      if (i + 1 >= s.length && !final) throw INCOMPLETE
      return s.charCodeAt(i + 1) === LF ? 2 : 0
    }
    return c === rd.charCodeAt(0) ? 1 : 0
  }
}

/** Line breaks between `from` and `to` as an editor counts them: CRLF, LF or CR (`from` > 0). */
function countBreaks(s: string, from: number, to: number): number {
  let k = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c === CR || (c === LF && s.charCodeAt(i - 1) !== CR)) k++
  }
  return k
}
