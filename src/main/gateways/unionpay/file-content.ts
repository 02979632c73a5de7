import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { writeBillFile, type WrittenBill } from '../bill-file'

// UnionPay's file transfer answers the day's zip as `fileContent` = base64(deflate(zip))
// (docs/reconcile.md A1.3). Here it becomes the zip itself, the file a person downloads from the
// UnionPay portal, so a download and an upload are read alike. The official acp SDK inflates with
// `new Inflater(false)` (the zlib wrapper), the spec and DaxPay speak of raw DEFLATE: the wrapper is
// recognised by its check bits (RFC 1950) and tried first, raw DEFLATE otherwise or after it failed.
// The file layer reads the same field for a pasted answer (files/statement/unionpay-content.ts);
// gateways never import files, and this one writes as it inflates, under the bill's cap.

export class FileContentError extends Error {
  readonly code = 'malformed'
}

function hasZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && (b[0]! * 256 + b[1]!) % 31 === 0
}

/** Decodes `fileContent` into `dest`; throws FileContentError when it is no base64 of deflated data. */
export async function writeFileContent(
  fileContent: string,
  dest: string,
  maxBytes: number,
): Promise<WrittenBill> {
  const text = fileContent.replace(/\s+/g, '')
  if (text === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1)
    throw new FileContentError('fileContent is not base64')
  const packed = Buffer.from(text, 'base64')
  const tries = hasZlibHeader(packed) ? [zlib.createInflate, zlib.createInflateRaw] : [zlib.createInflateRaw]
  let last: Error | null = null
  for (const inflate of tries) {
    try {
      const out = Readable.from([packed]).pipe(inflate({ chunkSize: 64 * 1024 }))
      return await writeBillFile(dest, out as AsyncIterable<Buffer>, maxBytes)
    } catch (err) {
      if (!String((err as { code?: unknown }).code ?? '').startsWith('Z_')) throw err
      last = err as Error
    }
  }
  throw new FileContentError(`fileContent does not inflate: ${last?.message ?? 'no data'}`)
}
