import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { CsvReader, CsvSyntaxError, MAX_RECORD_CHARS, type CsvRecord } from '../../src/main/files/import/csv'

// The import's CSV reader replaced csv-parse for speed; it must read every file as csv-parse did
// with the options the importer used, whatever the chunks it is fed, and number lines as an editor
// does.

/** mulberry32, seeded: a failure replays exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function ours(text: string, delimiter: string, cuts: number[] = []): CsvRecord[] {
  const reader = new CsvReader(delimiter)
  const out: CsvRecord[] = []
  let from = 0
  for (const cut of cuts) {
    reader.push(text.slice(from, cut), out)
    from = cut
  }
  reader.push(text.slice(from), out)
  reader.end(out)
  return out
}

function theirs(text: string, delimiter: string): string[][] {
  return parse(text, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][]
}

function outcome<T>(read: () => T): T | { error: string } {
  try {
    return read()
  } catch (err) {
    // csv-parse's error kinds: "Quote Not Closed", "Invalid Closing Quote", "Invalid Opening Quote".
    return { error: (err as Error).message.split(':')[0]! }
  }
}

/** The line an editor shows for each record: line breaks (CRLF, LF, CR) before where it starts. */
function editorLines(text: string, records: CsvRecord[]): number[] {
  const body = text.replace(/^\uFEFF/, '')
  let from = 0
  return records.map((r) => {
    const at = body.indexOf(r.raw, from)
    from = at + r.raw.length
    return 1 + (body.slice(0, at).match(/\r\n|\n|\r/g)?.length ?? 0)
  })
}

describe('CSV reader', () => {
  it('reads random text as csv-parse does, however it is cut into chunks', () => {
    const next = random(20261120)
    const pieces = ['a', 'b', ',', '"', '\n', '\r', '\r\n', '\t', ' ', '中', '""', 'xy', '😀']
    for (let n = 0; n < 20_000; n++) {
      let text = next() < 0.1 ? '\uFEFF' : ''
      const length = Math.floor(next() * 30)
      for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)]
      const delimiter = next() < 0.8 ? ',' : '\t'
      const cuts: number[] = []
      for (let at = 0; next() < 0.6 && at < text.length;) {
        at = Math.min(text.length, at + Math.floor(next() * 5))
        cuts.push(at)
      }
      const mine = outcome(() => ours(text, delimiter, cuts))
      const ref = outcome(() => theirs(text, delimiter))
      const cells = 'error' in mine ? mine : mine.map((r) => r.cells)
      expect(cells, JSON.stringify({ text, delimiter, cuts })).toEqual(ref)
      // A record whose text begins with a line break cannot be found back by its text alone.
      if (!('error' in mine) && !mine.some((r) => /^[\r\n]/.test(r.raw)))
        expect(
          mine.map((r) => r.line),
          JSON.stringify({ text }),
        ).toEqual(editorLines(text, mine))
    }
  })

  it('numbers lines as an editor shows them: a CRLF inside a quoted cell is one line break', () => {
    const text = 'h1,h2\r\n1,"two\r\nlines"\r\n\r\n3,"x"\r\n4,y'
    const records = ours(text, ',')
    expect(records.map((r) => [r.line, r.cells])).toEqual([
      [1, ['h1', 'h2']],
      [2, ['1', 'two\r\nlines']],
      [5, ['3', 'x']],
      [6, ['4', 'y']],
    ])
    expect(records[1]!.raw).toBe('1,"two\r\nlines"')
  })

  it('refuses what csv-parse refused, naming the line', () => {
    const error = (text: string) => {
      try {
        ours(text, ',')
      } catch (err) {
        expect(err).toBeInstanceOf(CsvSyntaxError)
        return [(err as CsvSyntaxError).line, (err as Error).message]
      }
      return null
    }
    expect(error('a,b\n1,"open\n2,3\n')).toEqual([4, expect.stringMatching(/^Quote Not Closed/)])
    expect(error('a,b\n1,"x"y\n')).toEqual([2, expect.stringMatching(/^Invalid Closing Quote: got "y"/)])
    expect(error('a,b\n\n1,x"y\n')).toEqual([3, expect.stringMatching(/^Invalid Opening Quote: .*"x"/)])
  })

  it('does not hold a file with a quote left open in memory', () => {
    const reader = new CsvReader(',')
    const out: CsvRecord[] = []
    reader.push('a,b\n1,"never closed', out)
    const chunk = 'x'.repeat(1 << 20)
    expect(() => {
      for (let i = 0; i <= MAX_RECORD_CHARS >> 20; i++) reader.push(chunk, out)
    }).toThrow(/starts at line 2 is longer than/)
    expect(out.map((r) => r.cells)).toEqual([['a', 'b']])
  })
})

describe('CSV reader with recover (an import: one bad quote refuses one row)', () => {
  const read = (text: string, cuts: number[] = []) => {
    const reader = new CsvReader(',', true)
    const out: CsvRecord[] = []
    let from = 0
    for (const cut of cuts) {
      reader.push(text.slice(from, cut), out)
      from = cut
    }
    reader.push(text.slice(from), out)
    reader.end(out)
    return out
  }

  it('hands over the line of a broken record and reads on from the next', () => {
    const rows = (text: string) => read(text).map((r) => [r.line, r.broken ?? r.cells])
    expect(rows('a,b\n1,x"y\n2,3\n')).toEqual([
      [1, ['a', 'b']],
      [2, 'row.strayQuote'],
      [3, ['2', '3']],
    ])
    expect(rows('a,b\r\n1,"x"y\r\n2,3')).toEqual([
      [1, ['a', 'b']],
      [2, 'row.afterQuote'],
      [3, ['2', '3']],
    ])
    // The quote opened on line 2 pairs with the first one of line 4, and "t" follows it.
    expect(rows('a,b\n1,"open\n2,3\n4,"two\nlines"\n')).toEqual([
      [1, ['a', 'b']],
      [2, 'row.afterQuote'],
      [3, ['2', '3']],
      [4, ['4', 'two\nlines']],
    ])
  })

  it('reads what csv-parse reads the same, and never throws on what it refuses, however cut', () => {
    const next = random(20261203)
    const pieces = ['a', ',', '"', '\n', '\r\n', '中', '""', 'xy']
    for (let n = 0; n < 5_000; n++) {
      let text = ''
      const length = Math.floor(next() * 30)
      for (let i = 0; i < length; i++) text += pieces[Math.floor(next() * pieces.length)]
      const cuts: number[] = []
      for (let at = 0; next() < 0.6 && at < text.length;) {
        at = Math.min(text.length, at + Math.floor(next() * 5))
        cuts.push(at)
      }
      const strict = outcome(() => ours(text, ','))
      const recovered = read(text, cuts)
      const where = JSON.stringify({ text, cuts })
      if ('error' in strict)
        expect(
          recovered.some((r) => r.broken),
          where,
        ).toBe(true)
      else
        expect(
          recovered.map((r) => r.cells),
          where,
        ).toEqual(strict.map((r) => r.cells))
      const lines = recovered.map((r) => r.line)
      expect(lines, where).toEqual([...lines].sort((a, b) => a - b))
    }
  })
})
