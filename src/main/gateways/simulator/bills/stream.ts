import { PassThrough, type Writable } from 'node:stream'
import zlib from 'node:zlib'

// A writer that pushes (ZipStream's sink) turned into a body that is pulled (the simulator's streamed
// answer), each chunk waiting until the reader has room; a reader that goes away stops the writer.

/**
 * Resolves when the stream has room again or has closed (its reader went away, or it failed, which
 * closes it too), and takes both listeners off either way. Racing `events.once` for the two left
 * the loser's listeners on the stream, with the error listener each `once` adds: two more every time
 * the reader was slower than the writer, until Node warned of a leak on a day's bill.
 */
export function room(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
  })
}

export function piped(
  write: (sink: (chunk: Buffer) => Promise<void>) => Promise<void>,
): AsyncIterable<Buffer> {
  const out = new PassThrough({ highWaterMark: 256 * 1024 })
  const sink = async (chunk: Buffer): Promise<void> => {
    if (out.destroyed) throw new Error('the reader went away')
    if (!out.write(chunk)) await room(out)
    if (out.destroyed) throw new Error('the reader went away')
  }
  write(sink).then(
    () => out.end(),
    (err: Error) => out.destroy(err),
  )
  return out
}

/** Chunks gzipped as they pass (WeChat's `tar_type=GZIP`). */
export async function* gzipped(chunks: Iterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = zlib.createGzip()
  const pump = (async () => {
    for (const chunk of chunks) {
      if (gz.destroyed) return
      if (!gz.write(chunk)) await room(gz)
    }
    gz.end()
  })()
  pump.catch((err: Error) => gz.destroy(err))
  try {
    for await (const chunk of gz) yield chunk as Buffer
  } finally {
    gz.destroy()
  }
}
