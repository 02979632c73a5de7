import { isUtf8 } from 'node:buffer'
import { completeUtf8Prefix } from '../import/encoding'
import { StatementError } from './errors'

// Bytes to lines, chunk by chunk: memory holds one chunk and one unfinished line, whatever the size of
// the file. The encoding is decided once from the head of the file (docs/reconcile.md A5.2): a BOM;
// else strict UTF-8 over the head; else GB18030, the superset of GBK that Alipay and UnionPay write.
// A later byte that does not decode is a damaged file, refused on its line. Lines end in LF or CRLF;
// the CR is no part of the line.

export type StatementEncoding = 'utf-8' | 'gb18030' | 'utf-16le' | 'utf-16be'

/** A line and its number in the file (1-based); `value` is its text, or its bytes for UnionPay. */
export interface Line<T> {
  no: number
  value: T
}

export type TextLine = Line<string>
export type ByteLine = Line<Buffer>

/** Longest line kept while waiting for its end: no statement line comes near it. */
export const MAX_LINE_CHARS = 1 << 20

/** How much of the file decides its encoding (and is sniffed). */
export const HEAD_BYTES = 64 * 1024

export function detectEncoding(head: Buffer, whole: boolean): StatementEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8'
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  // A character cut by the end of the head is judged by its complete prefix, unless the file ends there.
  return isUtf8(whole ? head : head.subarray(0, completeUtf8Prefix(head))) ? 'utf-8' : 'gb18030'
}

function tooLong(line: number): StatementError {
  return new StatementError('bad_layout', 'statement.lineTooLong', { line, max: MAX_LINE_CHARS }, line)
}

/**
 * The decoded lines, a chunk's worth at a time (one await per chunk, not per line). A byte-order
 * mark is dropped once: the first character of the file when it is U+FEFF (WeChat's v2-era files
 * began with one, "strip one if present").
 */
export async function* textLines(
  src: AsyncIterable<Buffer>,
  encoding: StatementEncoding,
): AsyncGenerator<TextLine[]> {
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true })
  let carry = ''
  let no = 1
  let started = false
  const emit = (text: string, final: boolean): TextLine[] => {
    if (!started && text.length > 0) {
      started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    const s = carry === '' ? text : carry + text
    const out: TextLine[] = []
    let start = 0
    for (;;) {
      const nl = s.indexOf('\n', start)
      if (nl < 0) break
      const end = nl > start && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
      out.push({ no: no++, value: s.slice(start, end) })
      start = nl + 1
    }
    carry = start === 0 ? s : s.slice(start)
    if (final && carry !== '') {
      out.push({ no: no++, value: carry.endsWith('\r') ? carry.slice(0, -1) : carry })
      carry = ''
    }
    if (carry.length > MAX_LINE_CHARS) throw tooLong(no)
    return out
  }
  for await (const chunk of src) {
    let text: string
    try {
      text = decoder.decode(chunk, { stream: true })
    } catch {
      throw badEncoding(no + breaksBefore(carry, chunk, encoding), encoding)
    }
    const out = emit(text, false)
    if (out.length) yield out
  }
  let rest: string
  try {
    rest = decoder.decode()
  } catch {
    throw badEncoding(no + (carry.match(/\n/g)?.length ?? 0), encoding)
  }
  const out = emit(rest, true)
  if (out.length) yield out
}

function badEncoding(line: number, encoding: StatementEncoding): StatementError {
  return new StatementError('bad_encoding', 'statement.badEncoding', { line, encoding }, line)
}

/** Line breaks before the first byte of `chunk` that does not decode (read again, leniently). */
function breaksBefore(carry: string, chunk: Buffer, encoding: StatementEncoding): number {
  const lenient = new TextDecoder(encoding, { ignoreBOM: true }).decode(chunk)
  const bad = lenient.indexOf('\uFFFD')
  const before = carry + (bad < 0 ? lenient : lenient.slice(0, bad))
  let k = 0
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) k++
  return k
}

/** The lines as bytes (UnionPay's fixed-width file is sliced by GBK bytes, never by characters). */
export async function* byteLines(
  src: AsyncIterable<Buffer>,
  maxBytes = 64 * 1024,
): AsyncGenerator<ByteLine[]> {
  let carry: Buffer | null = null
  let no = 1
  for await (const chunk of src) {
    const s: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk
    const out: ByteLine[] = []
    let start = 0
    for (;;) {
      const nl = s.indexOf(10, start)
      if (nl < 0) break
      const end = nl > start && s[nl - 1] === 13 ? nl - 1 : nl
      out.push({ no: no++, value: s.subarray(start, end) })
      start = nl + 1
    }
    // The kept tail is copied so that the chunk it came from can be freed.
    carry = start < s.length ? Buffer.from(s.subarray(start)) : null
    if (carry && carry.length > maxBytes) throw tooLong(no)
    if (out.length) yield out
  }
  if (carry) {
    const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length
    yield [{ no, value: carry.subarray(0, end) }]
  }
}
