import crypto from 'node:crypto'
import { setImmediate as tick } from 'node:timers/promises'
import zlib from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { gzipped, piped } from '../../src/main/gateways/simulator/bills/stream'

// The simulator streams a day's bill to a reader slower than its writer: every chunk may wait for
// room. Each wait must leave no listener behind on the stream, or a bill of many chunks ends in
// Node's MaxListenersExceededWarning (11 close and error listeners on the Gzip of WeChat's bill).

let warnings: Error[] = []
const onWarning = (w: Error) => warnings.push(w)
beforeEach(() => {
  warnings = []
  process.on('warning', onWarning)
})
afterEach(() => {
  process.off('warning', onWarning)
})

/** Chunks that do not compress: the gzip's output fills its buffer on nearly every write. */
const noise = (n: number) => Array.from({ length: n }, () => crypto.randomBytes(64 * 1024))

/** Reads to the end, yielding to the event loop between chunks as a network reader does. */
async function readSlowly(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of body) {
    parts.push(chunk)
    await tick()
  }
  return Buffer.concat(parts)
}

describe('a streamed bill waits for its reader without leaking listeners', () => {
  it('gzipped: many chunks, a slow reader, the bytes whole and no warning', async () => {
    const chunks = noise(64)
    const gz = await readSlowly(gzipped(chunks))
    expect(zlib.gunzipSync(gz).equals(Buffer.concat(chunks))).toBe(true)
    // A warning is emitted on the next tick.
    await tick()
    expect(warnings.map((w) => w.message)).toEqual([])
  })

  it('piped: a pushing writer of many chunks, a slow reader, the bytes whole and no warning', async () => {
    const chunks = noise(64)
    const body = piped(async (sink) => {
      for (const chunk of chunks) await sink(chunk)
    })
    expect((await readSlowly(body)).equals(Buffer.concat(chunks))).toBe(true)
    await tick()
    expect(warnings.map((w) => w.message)).toEqual([])
  })

  it('piped: a reader that goes away stops the writer', async () => {
    let written = 0
    const body = piped(async (sink) => {
      for (const chunk of noise(64)) {
        await sink(chunk)
        written++
      }
    })
    for await (const chunk of body) {
      expect(chunk.length).toBeGreaterThan(0)
      break
    }
    await tick()
    await tick()
    expect(written).toBeLessThan(64)
  })
})
