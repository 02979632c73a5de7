import { once } from 'node:events'
import zlib from 'node:zlib'
import { BEIJING_OFFSET_MS } from '../../../../shared/time'
import { gbk } from './format'

// A zip archive the way the channels' Java servers write one (java.util.zip.ZipOutputStream):
// deflated entries with sizes and CRC-32 in a data descriptor after the data (general purpose bit 3),
// names in GBK bytes WITHOUT the UTF-8 flag (bit 11, 0x800) — what Alipay sends and what made
// alipay-sdk-java-all#4's readers garble them. `utf8Flag` sets bit 11 over the same GBK bytes: the
// simulator's `bill_gbk_name_utf8flag` fault. The data descriptor is also what lets ZipStream write
// an entry of any size as it is produced (a million-line bill) without holding it.

export interface ZipWriteEntry {
  name: string
  data: Buffer
  /** Modification time, UTC ms; written as Beijing wall-clock in DOS format. */
  mtime: number
  utf8Flag?: boolean
}

const DESCRIPTOR = 0x0008
const UTF8 = 0x0800

function dosTime(ms: number): { time: number; date: number } {
  const d = new Date(ms + BEIJING_OFFSET_MS)
  // DOS dates start in 1980; Java writes earlier times as 1980-01-01 00:00.
  if (d.getUTCFullYear() < 1980) return { time: 0, date: (1 << 5) | 1 }
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  }
}

interface Written {
  name: Buffer
  flags: number
  mtime: number
  crc: number
  compressedSize: number
  size: number
  offset: number
}

function localHeader(name: Buffer, flags: number, mtime: number): Buffer {
  const { time, date } = dosTime(mtime)
  const b = Buffer.alloc(30)
  b.writeUInt32LE(0x04034b50, 0)
  b.writeUInt16LE(20, 4)
  b.writeUInt16LE(flags, 6)
  b.writeUInt16LE(8, 8)
  b.writeUInt16LE(time, 10)
  b.writeUInt16LE(date, 12)
  // CRC-32 and sizes stay 0 here: they follow the data, as a streaming writer knows them only then.
  b.writeUInt16LE(name.length, 26)
  return Buffer.concat([b, name])
}

function dataDescriptor(e: Written): Buffer {
  const b = Buffer.alloc(16)
  b.writeUInt32LE(0x08074b50, 0)
  b.writeUInt32LE(e.crc, 4)
  b.writeUInt32LE(e.compressedSize, 8)
  b.writeUInt32LE(e.size, 12)
  return b
}

function centralHeader(e: Written): Buffer {
  const { time, date } = dosTime(e.mtime)
  const b = Buffer.alloc(46)
  b.writeUInt32LE(0x02014b50, 0)
  b.writeUInt16LE(20, 4)
  b.writeUInt16LE(20, 6)
  b.writeUInt16LE(e.flags, 8)
  b.writeUInt16LE(8, 10)
  b.writeUInt16LE(time, 12)
  b.writeUInt16LE(date, 14)
  b.writeUInt32LE(e.crc, 16)
  b.writeUInt32LE(e.compressedSize, 20)
  b.writeUInt32LE(e.size, 24)
  b.writeUInt16LE(e.name.length, 28)
  b.writeUInt32LE(e.offset, 42)
  return Buffer.concat([b, e.name])
}

function endRecord(entries: Written[], dirOffset: number): Buffer {
  const dir = Buffer.concat(entries.map(centralHeader))
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(dir.length, 12)
  end.writeUInt32LE(dirOffset, 16)
  return Buffer.concat([dir, end])
}

export function zipArchive(entries: ZipWriteEntry[]): Buffer {
  const parts: Buffer[] = []
  const written: Written[] = []
  let offset = 0
  for (const e of entries) {
    const name = gbk(e.name)
    const flags = DESCRIPTOR | (e.utf8Flag ? UTF8 : 0)
    const packed = zlib.deflateRawSync(e.data)
    const w = {
      name,
      flags,
      mtime: e.mtime,
      crc: zlib.crc32(e.data) >>> 0,
      compressedSize: packed.length,
      size: e.data.length,
      offset,
    }
    const local = localHeader(name, flags, e.mtime)
    const descriptor = dataDescriptor(w)
    parts.push(local, packed, descriptor)
    written.push(w)
    offset += local.length + packed.length + descriptor.length
  }
  return Buffer.concat([...parts, endRecord(written, offset)])
}

/**
 * The same archive written as its entries' data is produced, to `sink` (a file stream, an HTTP
 * answer): memory holds one chunk and the deflate window, whatever the entry's size.
 */
export class ZipStream {
  private readonly written: Written[] = []
  private offset = 0

  constructor(private readonly sink: (chunk: Buffer) => void | Promise<void>) {}

  private async put(chunk: Buffer): Promise<void> {
    this.offset += chunk.length
    await this.sink(chunk)
  }

  async entry(
    name: string,
    mtime: number,
    data: Iterable<Buffer> | AsyncIterable<Buffer>,
    utf8Flag = false,
  ): Promise<void> {
    const w: Written = {
      name: gbk(name),
      flags: DESCRIPTOR | (utf8Flag ? UTF8 : 0),
      mtime,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset: this.offset,
    }
    await this.put(localHeader(w.name, w.flags, mtime))
    const deflate = zlib.createDeflateRaw()
    const drained = (async () => {
      for await (const chunk of deflate) {
        w.compressedSize += (chunk as Buffer).length
        await this.put(chunk as Buffer)
      }
    })()
    for await (const chunk of data) {
      w.crc = zlib.crc32(chunk, w.crc)
      w.size += chunk.length
      // A sink that fails ends the wait for room too.
      if (!deflate.write(chunk)) await Promise.race([once(deflate, 'drain'), drained])
    }
    deflate.end()
    await drained
    w.crc >>>= 0
    await this.put(dataDescriptor(w))
    this.written.push(w)
  }

  async end(): Promise<void> {
    await this.put(endRecord(this.written, this.offset))
  }
}
