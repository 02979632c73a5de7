import { isUtf8 } from 'node:buffer'
import zlib from 'node:zlib'
import { StatementError } from './errors'
import { inflateRawStream, isZlibError } from './inflate'
import type { ByteSource } from './source'

// Reading the zip archives Alipay and UnionPay send. Entries are found through the central
// directory at the end of the file (so Java's data-descriptor entries, sizes written after the data,
// read as well as any) and each entry is inflated as a stream with its CRC-32 and size checked at
// the end. Names: Alipay writes GBK names WITHOUT the UTF-8 flag (bit 0x800; DaxPay opens the stream
// with "GBK", alipay-sdk-java-all#4), so a name is UTF-8 only when the flag is set AND the bytes are
// valid UTF-8, else GB18030 (a superset of GBK). Zip64 and encrypted entries are not statements.

export interface ZipEntry {
  name: string
  nameBytes: Buffer
  /** Bit 0x800 of the general purpose flags: the writer claims UTF-8 names. */
  utf8Flag: boolean
  method: number
  crc32: number
  compressedSize: number
  size: number
  headerOffset: number
}

const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
/** The most entries and the largest directory read: a statement archive holds a handful. */
const MAX_ENTRIES = 1000
const MAX_DIRECTORY = 1 << 20

function damaged(detail: string): StatementError {
  return new StatementError('bad_archive', 'statement.zipDamaged', { detail }, null)
}

const gbk = new TextDecoder('gb18030')

export function decodeZipName(bytes: Buffer, utf8Flag: boolean): string {
  return utf8Flag && isUtf8(bytes) ? bytes.toString('utf8') : gbk.decode(bytes)
}

/** True when the bytes start like a zip archive (a local header, or the end record of an empty one). */
export function looksLikeZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)
}

export async function readZipDirectory(src: ByteSource): Promise<ZipEntry[]> {
  const size = await src.size()
  if (size < 22) throw damaged('shorter than the end record')
  const tailLength = Math.min(size, 22 + 0xffff)
  const tail = await src.read(size - tailLength, tailLength)
  let at = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    // The end record: its signature, and a comment that reaches exactly to the end of the file.
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      at = i
      break
    }
  }
  if (at < 0) throw damaged('no end of central directory record')
  const count = tail.readUInt16LE(at + 10)
  const dirSize = tail.readUInt32LE(at + 12)
  const dirOffset = tail.readUInt32LE(at + 16)
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff)
    throw damaged('a zip64 archive (larger than 4 GB) is not a statement')
  if (count > MAX_ENTRIES || dirSize > MAX_DIRECTORY) throw damaged(`${count} entries`)
  const eocdPosition = size - tailLength + at
  if (dirOffset + dirSize > eocdPosition) throw damaged('the central directory lies outside the file')
  const dir = await src.read(dirOffset, dirSize)
  if (dir.length < dirSize) throw damaged('the central directory is cut short')

  const entries: ZipEntry[] = []
  let p = 0
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL)
      throw damaged(`central directory entry ${i + 1}`)
    const flags = dir.readUInt16LE(p + 8)
    const nameLength = dir.readUInt16LE(p + 28)
    const extraLength = dir.readUInt16LE(p + 30)
    const commentLength = dir.readUInt16LE(p + 32)
    const end = p + 46 + nameLength + extraLength + commentLength
    if (end > dir.length) throw damaged(`central directory entry ${i + 1}`)
    const nameBytes = Buffer.from(dir.subarray(p + 46, p + 46 + nameLength))
    const entry: ZipEntry = {
      name: decodeZipName(nameBytes, (flags & 0x800) !== 0),
      nameBytes,
      utf8Flag: (flags & 0x800) !== 0,
      method: dir.readUInt16LE(p + 10),
      crc32: dir.readUInt32LE(p + 16),
      compressedSize: dir.readUInt32LE(p + 20),
      size: dir.readUInt32LE(p + 24),
      headerOffset: dir.readUInt32LE(p + 42),
    }
    if (flags & 1) throw damaged(`entry ${entry.name} is encrypted`)
    if (entry.headerOffset + 30 + entry.compressedSize > dirOffset)
      throw damaged(`entry ${entry.name} lies outside the file`)
    entries.push(entry)
    p = end
  }
  return entries
}

/** An entry's bytes, inflated in chunks; throws bad_archive when they do not match its CRC-32 and size. */
export async function* zipEntryStream(src: ByteSource, entry: ZipEntry): AsyncGenerator<Buffer> {
  const header = await src.read(entry.headerOffset, 30)
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw damaged(`local header of ${entry.name}`)
  // The name is written twice, in the local header and in the central directory, and no checksum
  // covers either. UnionPay's name carries the settle date (the year of every line), so a flipped
  // bit in one copy would move every line by years; two copies that differ mean damage.
  const nameLength = header.readUInt16LE(26)
  const localName = await src.read(entry.headerOffset + 30, nameLength)
  if (!localName.equals(entry.nameBytes))
    throw damaged(`entry ${entry.name} is named differently in its local header`)
  const start = entry.headerOffset + 30 + nameLength + header.readUInt16LE(28)
  const raw = src.stream(start, start + entry.compressedSize)
  let chunks: AsyncIterable<Buffer>
  if (entry.method === 0) chunks = raw
  else if (entry.method === 8) chunks = inflateRawStream(raw)
  else throw damaged(`entry ${entry.name} uses compression method ${entry.method}`)
  let crc = 0
  let length = 0
  try {
    for await (const chunk of chunks) {
      length += chunk.length
      // More than the directory promised: a damaged entry (or a bomb); stop before reading on.
      if (length > entry.size) throw damaged(`entry ${entry.name} is longer than its ${entry.size} bytes`)
      crc = zlib.crc32(chunk, crc)
      yield chunk
    }
  } catch (err) {
    if (!isZlibError(err)) throw err
    throw damaged(`entry ${entry.name}: ${(err as Error).message}`)
  }
  if (length !== entry.size) throw damaged(`entry ${entry.name} has ${length} of its ${entry.size} bytes`)
  if (crc >>> 0 !== entry.crc32 >>> 0) throw damaged(`entry ${entry.name} fails its CRC-32 check`)
}
