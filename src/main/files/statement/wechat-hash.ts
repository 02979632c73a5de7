import crypto from 'node:crypto'
import { StatementError } from './errors'
import type { StatementHash } from './types'

// WeChat Pay's bill download is not signed; the apply answer's `hash_value` is the evidence instead:
// "原始账单（gzip需要解压缩）的摘要值" — SHA-1 of the DECOMPRESSED file (wechatpay-java's
// DigestBillEntity digests the GZIPInputStream; perlyna/wechatpay gunzips, then sha1). The digest is
// complete only once the stream was read to its end (wechatpay-java#384), so both digests are fed as
// the bytes pass and compared at the end. Rule (docs/reconcile.md A1.2): the decompressed digest
// first; else the digest of the bytes as they came (the other reading of the field doc); accept if
// either equals, record which, else refuse the file.

export class BillDigest {
  private readonly plain = crypto.createHash('sha1')

  /** Passes the file's bytes (after gunzip) through, digesting them. */
  async *tap(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of src) {
      this.plain.update(chunk)
      yield chunk
    }
  }

  /**
   * The verdict once every byte went through (the caller drains the stream first). `compressed`: the
   * digest of the bytes as they came, when they were gzipped; else the two are the same.
   */
  verdict(expected: string, compressed: string | null): StatementHash {
    const decompressed = this.plain.digest('hex')
    const raw = compressed ?? decompressed
    const want = expected.trim().toLowerCase()
    return {
      algorithm: 'sha1',
      expected: want,
      decompressed,
      compressed: raw,
      matchedOn: decompressed === want ? 'decompressed' : raw === want ? 'compressed' : null,
    }
  }
}

export async function sha1Of(chunks: AsyncIterable<Buffer>): Promise<string> {
  const h = crypto.createHash('sha1')
  for await (const chunk of chunks) h.update(chunk)
  return h.digest('hex')
}

export function hashMismatch(hash: StatementHash): StatementError {
  return new StatementError('hash_mismatch', 'statement.hashMismatch', { expected: hash.expected }, null)
}
