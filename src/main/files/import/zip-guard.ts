import fs from 'node:fs'
import { Transform, pipeline, type Readable } from 'node:stream'
import type unzipper from 'unzipper'

// What an .xlsx package may cost before and while it is inflated (review-security M3). A workbook is a
// zip of XML parts; a small file can declare or hold gigabytes of XML (a shared-strings bomb of 11 MB
// killed the process), so nothing is inflated before its central directory is checked, and what is
// inflated is counted as it comes, because the sizes a zip declares can lie.

export interface XlsxLimits {
  /** Entries in the zip: a workbook has a few dozen parts. */
  entries: number
  /** Bytes of the central directory itself, read before any entry. */
  directoryBytes: number
  /** The sum of the parts' inflated sizes, declared and counted. */
  totalBytes: number
  /** Inflated / compressed size of one part, for a part larger than `ratioFloor`. */
  ratio: number
  ratioFloor: number
  /** The shared strings part, whose strings are all held while the sheet is read. */
  sharedStringsBytes: number
  /**
   * The longest run of XML without a `<`: Excel keeps at most 32,767 characters in a cell (under
   * 200 KB as escaped UTF-8), so a longer text or tag is no spreadsheet's and would be held whole.
   */
  textRunBytes: number
  /** Columns read from each row; the importer reads no further than its header's last column. */
  columns: number
}

export const XLSX_LIMITS: XlsxLimits = {
  entries: 10_000,
  directoryBytes: 4 << 20,
  totalBytes: 200 << 20,
  ratio: 100,
  ratioFloor: 1 << 20,
  sharedStringsBytes: 50 << 20,
  textRunBytes: 1 << 20,
  columns: 256,
}

/** A package that costs more than the limits allow: refused with a sentence, before or while inflating. */
export class ZipLimitError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ZipLimitError'
  }
}

const MB = (n: number) => `${Math.round(n / (1 << 20))} MB`

/**
 * Reads the end-of-central-directory record: how many entries and how large the directory is. unzipper
 * would otherwise parse every record of a directory that claims millions, before anything is checked.
 * A zip64 record (saturated fields) is left to unzipper: the checks on the entries still apply.
 */
async function directorySize(file: string): Promise<{ entries: number; bytes: number } | null> {
  const fd = await fs.promises.open(file, 'r')
  try {
    const { size } = await fd.stat()
    const tail = Math.min(size, 22 + 0xffff)
    const buf = Buffer.alloc(tail)
    await fd.read(buf, 0, tail, size - tail)
    for (let i = tail - 22; i >= 0; i--) {
      if (buf.readUInt32LE(i) !== 0x06054b50) continue
      const entries = buf.readUInt16LE(i + 10)
      const bytes = buf.readUInt32LE(i + 12)
      if (entries === 0xffff || bytes === 0xffffffff) return null
      return { entries, bytes }
    }
    return null
  } finally {
    await fd.close()
  }
}

export interface CheckedZip {
  parts: Map<string, unzipper.File>
  limits: XlsxLimits
  /** Inflated bytes so far, over every part read. */
  inflated: number
}

/** Opens the package's central directory and refuses it when what it declares is too much. */
export async function openCheckedZip(file: string, limits: XlsxLimits): Promise<CheckedZip> {
  const dir = await directorySize(file)
  if (dir && dir.entries > limits.entries)
    throw new ZipLimitError(`it holds ${dir.entries} parts; a workbook has a few dozen`)
  if (dir && dir.bytes > limits.directoryBytes)
    throw new ZipLimitError(`its table of contents alone is ${MB(dir.bytes)}`)
  const { default: unzip } = await import('unzipper')
  const opened = await unzip.Open.file(file)
  if (opened.files.length > limits.entries)
    throw new ZipLimitError(`it holds ${opened.files.length} parts; a workbook has a few dozen`)
  let total = 0
  for (const f of opened.files) {
    total += f.uncompressedSize
    if (
      f.uncompressedSize > limits.ratioFloor &&
      f.uncompressedSize > limits.ratio * Math.max(1, f.compressedSize)
    ) {
      throw new ZipLimitError(
        `its part ${f.path} would inflate from ${f.compressedSize} bytes to ${MB(f.uncompressedSize)}, ` +
          `more than ${limits.ratio} times; no spreadsheet compresses like that`,
      )
    }
  }
  if (total > limits.totalBytes)
    throw new ZipLimitError(
      `it would inflate to ${MB(total)}, more than the ${MB(limits.totalBytes)} an import reads; save it as CSV`,
    )
  const sst = opened.files.find((f) => f.path.replace(/^\/+/, '') === 'xl/sharedStrings.xml')
  if (sst && sst.uncompressedSize > limits.sharedStringsBytes) throw sharedStringsTooLarge(limits)
  return {
    parts: new Map(opened.files.map((f) => [f.path.replace(/^\/+/, ''), f])),
    limits,
    inflated: 0,
  }
}

function sharedStringsTooLarge(limits: XlsxLimits): ZipLimitError {
  return new ZipLimitError(
    `its shared strings are larger than ${MB(limits.sharedStringsBytes)}, more than an import holds; save it as CSV`,
  )
}

/**
 * A part's inflated bytes, counted as they come: more than the directory declared (the sizes lied),
 * more than the package may inflate to in all, a shared-strings part over its budget, or a run of XML
 * longer than any cell, and the stream ends with a ZipLimitError instead.
 */
export function guardedPart(zip: CheckedZip, name: string, entry: unzipper.File): Readable {
  const { limits } = zip
  const declared = entry.uncompressedSize
  const budget = name === 'xl/sharedStrings.xml' ? limits.sharedStringsBytes : Infinity
  let read = 0
  let run = 0
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.length
      zip.inflated += chunk.length
      if (read > budget) return done(sharedStringsTooLarge(limits))
      if (read > declared)
        return done(
          new ZipLimitError(`its part ${name} inflates to more than the ${declared} bytes it declares`),
        )
      if (zip.inflated > limits.totalBytes)
        return done(
          new ZipLimitError(`it inflates to more than the ${MB(limits.totalBytes)} an import reads`),
        )
      const last = chunk.lastIndexOf(0x3c)
      if (last < 0) run += chunk.length
      else {
        const first = chunk.indexOf(0x3c)
        // A gap inside the chunk can only be too long in a chunk longer than the limit (zlib hands
        // over 16 KB at a time, so the scan is almost never needed).
        const inside = chunk.length > limits.textRunBytes ? tagGap(chunk, first, last) : 0
        if (run + first > limits.textRunBytes || inside > limits.textRunBytes) {
          return done(new ZipLimitError(`its part ${name} holds a cell or tag longer than any spreadsheet's`))
        }
        run = chunk.length - last - 1
      }
      if (run > limits.textRunBytes)
        return done(new ZipLimitError(`its part ${name} holds a cell or tag longer than any spreadsheet's`))
      done(null, chunk)
    },
  })
  // The entry's own failure (a damaged deflate stream) ends the counter with that error.
  return pipeline(entry.stream(), counter, () => undefined)
}

/** The longest gap between two `<` within the chunk, from `first` to `last`. */
function tagGap(chunk: Buffer, first: number, last: number): number {
  let longest = 0
  let at = first
  while (at < last) {
    const next = chunk.indexOf(0x3c, at + 1)
    longest = Math.max(longest, next - at - 1)
    at = next
  }
  return longest
}
