import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import zlib from 'node:zlib'

// A writer that pushes (ZipStream's sink) turned into a body that is pulled (the simulator's streamed
// answer), each chunk waiting until the reader has room; a reader that goes away stops the writer.

export function piped(
  write: (sink: (chunk: Buffer) => Promise<void>) => Promise<void>,
): AsyncIterable<Buffer> {
  const out = new PassThrough({ highWaterMark: 256 * 1024 })
  const sink = async (chunk: Buffer): Promise<void> => {
    if (out.destroyed) throw new Error('the reader went away')
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')])
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
      if (!gz.write(chunk)) await Promise.race([once(gz, 'drain'), once(gz, 'close')])
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
