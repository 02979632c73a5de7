import { Readable } from 'node:stream'
import zlib from 'node:zlib'

// Decompression as async iterables of chunks, so a parser pulls as fast as it reads and memory stays
// bounded by a few chunks. Stopping early (a refused line) destroys both streams.

async function* through(
  src: AsyncIterable<Buffer>,
  z: zlib.Gunzip | zlib.InflateRaw,
): AsyncGenerator<Buffer> {
  const input = Readable.from(src, { objectMode: false })
  input.once('error', (err) => z.destroy(err))
  input.pipe(z)
  try {
    for await (const chunk of z) yield chunk as Buffer
  } finally {
    input.destroy()
    z.destroy()
  }
}

export function inflateRawStream(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  return through(src, zlib.createInflateRaw({ chunkSize: 64 * 1024 }))
}

export function gunzipStream(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  return through(src, zlib.createGunzip({ chunkSize: 64 * 1024 }))
}

/** True when the bytes start like a gzip member (WeChat's `tar_type=GZIP`). */
export function looksLikeGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
}

/** True for an error of zlib itself (damaged or cut data), as opposed to one of reading the file. */
export function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('Z_')
}
