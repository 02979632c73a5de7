import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { writeBillFile } from '../../gateways/bill-file'
import type { GatewayAdapter, StatementDownload } from '../../gateways/types'

// Getting a statement's bytes (docs/reconcile.md A4 "fetch"): the channel's download, or a file the
// person chose, copied into `<data folder>/statements/<merchant>/<date>/` (0600) with its SHA-256, so
// a re-run reads the same bytes after the upload is gone.

type StatementDownloader = Required<Pick<GatewayAdapter, 'downloadStatement'>>

/** The adapter's download, when its channel has one (DaxPay has none). */
export function downloaderOf(adapter: GatewayAdapter): StatementDownloader | null {
  const d = adapter.downloadStatement
  return d ? { downloadStatement: (req, call) => d.call(adapter, req, call) } : null
}

export interface StoredFile {
  path: string
  name: string
  bytes: number
  sha256: string
  verified: boolean
  expectedSha1: string | null
}

/** The folder of a merchant's day under the statements folder, made private on first use. */
export function statementFolder(statementsDir: string, merchant: string, billDate: string): string {
  const dir = path.join(statementsDir, merchant, billDate)
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

/** A name for a file in the folder that cannot leave it, keeping the original's name readable. */
function safeName(name: string): string {
  const base = path.basename(name).replace(/[^\p{L}\p{N}._()-]+/gu, '_')
  return base === '' || base.startsWith('.') ? `statement${base}` : base
}

/** Copies an uploaded or chosen file into the statement folder, hashing it as it goes. */
export async function storeUpload(
  src: string,
  name: string,
  folder: string,
  now: number,
): Promise<StoredFile> {
  const dest = path.join(folder, `${now}-upload-${safeName(name)}`)
  const hash = crypto.createHash('sha256')
  let bytes = 0
  await pipeline(
    fs.createReadStream(src),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk)
        bytes += chunk.length
        yield chunk
      }
    },
    fs.createWriteStream(dest, { mode: 0o600, flags: 'wx' }),
  )
  return { path: dest, name, bytes, sha256: hash.digest('hex'), verified: false, expectedSha1: null }
}

/**
 * A bill the books kept (docs/team-mode.md B8.21) written into the statement folder, for a run on this
 * computer to read: its path and the SHA-256 of what was written.
 */
export async function storeKept(
  bytes: Buffer,
  name: string,
  folder: string,
  now: number,
): Promise<{ path: string; sha256: string }> {
  const dest = path.join(folder, `${now}-kept-${safeName(name)}`)
  const written = await writeBillFile(dest, [bytes])
  return { path: dest, sha256: written.sha256 }
}

/** The channel's download into the statement folder. */
export async function download(
  downloader: StatementDownloader,
  billDate: string,
  folder: string,
  now: number,
): Promise<{ file: StoredFile | null; answer: StatementDownload }> {
  const dest = path.join(folder, `${now}-download`)
  const answer = await downloader.downloadStatement({ billDate, dest }, {})
  if (answer.status !== 'ok') {
    fs.rmSync(dest, { force: true })
    return { file: null, answer }
  }
  // Keep the channel's name beside our own prefix, so the folder reads like the merchant portal's.
  const named = path.join(folder, `${now}-download-${safeName(answer.fileName)}`)
  fs.renameSync(dest, named)
  return {
    file: {
      path: named,
      name: answer.fileName,
      bytes: answer.bytes,
      sha256: answer.sha256,
      verified: answer.verified,
      expectedSha1: answer.expectedSha1,
    },
    answer,
  }
}
