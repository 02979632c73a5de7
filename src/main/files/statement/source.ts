import fs from 'node:fs'
import path from 'node:path'

// Where a statement's bytes come from: a file (a download kept under the data folder, an upload) or
// bytes already in memory (UnionPay's fileContent after inflating, a test). Zip archives need to
// read their directory at the end of the file, so a source reads at any position; everything else
// is streamed in chunks, so memory does not grow with the file.

const CHUNK = 256 * 1024

export interface ByteSource {
  /** The file's name as the person or the channel gave it (for sniffing and messages). */
  readonly name: string
  size(): Promise<number>
  /** Up to `length` bytes at `position` (fewer at the end of the file). */
  read(position: number, length: number): Promise<Buffer>
  /** The bytes in [start, end) in chunks. */
  stream(start?: number, end?: number): AsyncIterable<Buffer>
  close(): Promise<void>
}

export function fileSource(file: string, name = path.basename(file)): ByteSource {
  let handle: Promise<fs.promises.FileHandle> | null = null
  const open = () => (handle ??= fs.promises.open(file, 'r'))
  return {
    name,
    async size() {
      return (await (await open()).stat()).size
    },
    async read(position, length) {
      const buf = Buffer.alloc(length)
      const { bytesRead } = await (await open()).read(buf, 0, length, position)
      return buf.subarray(0, bytesRead)
    },
    async *stream(start = 0, end = Infinity) {
      if (end <= start) return
      const s = fs.createReadStream(file, {
        start,
        end: Number.isFinite(end) ? end - 1 : undefined,
        highWaterMark: CHUNK,
      })
      try {
        for await (const chunk of s) yield chunk as Buffer
      } finally {
        s.destroy()
      }
    },
    async close() {
      if (handle) await (await handle).close()
      handle = null
    },
  }
}

export function bufferSource(bytes: Buffer, name: string): ByteSource {
  return {
    name,
    size: async () => bytes.length,
    read: async (position, length) => bytes.subarray(position, position + length),
    async *stream(start = 0, end = bytes.length) {
      for (let at = start; at < Math.min(end, bytes.length); at += CHUNK)
        yield bytes.subarray(at, Math.min(at + CHUNK, end, bytes.length))
    },
    close: async () => {},
  }
}
