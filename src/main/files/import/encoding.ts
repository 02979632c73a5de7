import { isUtf8 } from 'node:buffer'
import fs from 'node:fs'

// Which encoding a text file is in, as Chinese finance staff's files come: a BOM first; else strict
// UTF-8 over the whole file; else GB18030 (the superset of GBK that Excel's "CSV" writes on Chinese
// Windows). Statistical guessing is unreliable on short Chinese files, so it is not used.

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030'

export async function detectEncoding(file: string): Promise<TextEncoding> {
  const fd = await fs.promises.open(file, 'r')
  try {
    const head = Buffer.alloc(4)
    const { bytesRead } = await fd.read(head, 0, 4, 0)
    if (bytesRead >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom'
    if (bytesRead >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
    if (bytesRead >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  } finally {
    await fd.close()
  }
  return (await isUtf8File(file)) ? 'utf-8' : 'gb18030'
}

/**
 * Strict UTF-8 over the whole file, chunk by chunk (Buffer's validator is several times faster than
 * a fatal TextDecoder). A character cut by the end of a chunk is checked with the next one.
 */
async function isUtf8File(file: string): Promise<boolean> {
  let carry: Buffer | null = null
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer)
    const cut = completeUtf8Prefix(buf)
    if (!isUtf8(buf.subarray(0, cut))) return false
    carry = cut < buf.length ? buf.subarray(cut) : null
  }
  return carry === null || isUtf8(carry)
}

/** Length of `buf` without a multi-byte sequence that its last bytes begin but do not finish. */
export function completeUtf8Prefix(buf: Buffer): number {
  const end = buf.length
  for (let i = end - 1; i >= 0 && i >= end - 4; i--) {
    const b = buf[i]!
    if ((b & 0xc0) === 0x80) continue
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return i + len > end ? i : end
  }
  return end
}
