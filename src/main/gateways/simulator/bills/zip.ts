import zlib from 'node:zlib'
import { BEIJING_OFFSET_MS } from '../../../../shared/time'
import { gbk } from './format'

// A zip archive the way the channels' Java servers write one (java.util.zip.ZipOutputStream):
// deflated entries with sizes and CRC-32 in a data descriptor after the data (general purpose bit 3),
// names in GBK bytes WITHOUT the UTF-8 flag (bit 11, 0x800) — what Alipay sends and what made
// alipay-sdk-java-all#4's readers garble them. `utf8Flag` sets bit 11 over the same GBK bytes: the
// simulator's `bill_gbk_name_utf8flag` fault.

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

export function zipArchive(entries: ZipWriteEntry[]): Buffer {
  const parts: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = gbk(e.name)
    const packed = zlib.deflateRawSync(e.data)
    const crc = zlib.crc32(e.data) >>> 0
    const flags = DESCRIPTOR | (e.utf8Flag ? UTF8 : 0)
    const { time, date } = dosTime(e.mtime)

    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(flags, 6)
    local.writeUInt16LE(8, 8)
    local.writeUInt16LE(time, 10)
    local.writeUInt16LE(date, 12)
    // CRC-32 and sizes stay 0 here: they follow the data, as a streaming writer knows them only then.
    local.writeUInt16LE(name.length, 26)
    const descriptor = Buffer.alloc(16)
    descriptor.writeUInt32LE(0x08074b50, 0)
    descriptor.writeUInt32LE(crc, 4)
    descriptor.writeUInt32LE(packed.length, 8)
    descriptor.writeUInt32LE(e.data.length, 12)
    parts.push(local, name, packed, descriptor)

    const c = Buffer.alloc(46)
    c.writeUInt32LE(0x02014b50, 0)
    c.writeUInt16LE(20, 4)
    c.writeUInt16LE(20, 6)
    c.writeUInt16LE(flags, 8)
    c.writeUInt16LE(8, 10)
    c.writeUInt16LE(time, 12)
    c.writeUInt16LE(date, 14)
    c.writeUInt32LE(crc, 16)
    c.writeUInt32LE(packed.length, 20)
    c.writeUInt32LE(e.data.length, 24)
    c.writeUInt16LE(name.length, 28)
    c.writeUInt32LE(offset, 42)
    central.push(c, name)
    offset += local.length + name.length + packed.length + descriptor.length
  }
  const dir = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(dir.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...parts, dir, end])
}
