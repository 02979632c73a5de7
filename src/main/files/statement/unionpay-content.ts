import zlib from 'node:zlib'
import { StatementError } from './errors'

// UnionPay's file transfer (txnType 76) answers `fileContent` = base64(deflate(zip)) (docs/reconcile.md
// A1.3). The official acp SDK inflates it with `new Inflater(false)`, which expects the zlib wrapper
// (a 2-byte header, an Adler-32 at the end); the spec and DaxPay's `Deflate.inflater()` speak of raw
// DEFLATE. Both are read: the zlib header is recognised by its check bits, anything else is inflated
// raw. The zip inside is small (one day's ZM file), so this works in memory.

/** Largest inflated file accepted: far above a day's ZM file (608 bytes a line). */
const MAX_INFLATED = 1 << 30

function hasZlibHeader(b: Buffer): boolean {
  // CMF 0x?8 (deflate) and (CMF*256 + FLG) divisible by 31, as RFC 1950 defines the header.
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && (b[0]! * 256 + b[1]!) % 31 === 0
}

export function decodeUnionpayFileContent(fileContent: string): Buffer {
  const text = fileContent.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1)
    throw new StatementError('bad_archive', 'statement.fileContentDamaged', { detail: 'not base64' }, null)
  const packed = Buffer.from(text, 'base64')
  // Raw DEFLATE data can begin with two bytes that pass the header check, so that reading is tried too.
  const attempts = hasZlibHeader(packed) ? [zlib.inflateSync, zlib.inflateRawSync] : [zlib.inflateRawSync]
  let last: Error | null = null
  for (const inflate of attempts) {
    try {
      return inflate(packed, { maxOutputLength: MAX_INFLATED })
    } catch (err) {
      last = err as Error
    }
  }
  throw new StatementError('bad_archive', 'statement.fileContentDamaged', { detail: last!.message }, null)
}
