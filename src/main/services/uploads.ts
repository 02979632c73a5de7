import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { UploadResult } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { folderEntries, removeEntry } from '../files/folder-sweep'
import type { ServiceContext } from './context'

/** Where uploads are kept and handed out: the desktop file's folder, or a team database's on this computer. */
export type UploadHost = Pick<ServiceContext, 'filesDir' | 'handles' | 'now'>
import { HANDLE_TTL_MS } from './file-handles'

// Browser mode has no path to a file the person picked: the page sends the bytes, main keeps them in
// the uploads folder beside the database, one folder per upload named by its id, and answers the id.
// The upload is deleted after its import, or once its handle has gone unused for HANDLE_TTL_MS.

// The import's order lists (CSV, TSV, XLSX) and the bills docs/reconcile.md A4.1 accepts (an Alipay or
// UnionPay zip, a WeChat CSV or its gzip, a text file). The content decides what a file is: an import
// refuses a bill and the statement parser an order list, each with its own sentence.
const ALLOWED = new Set(['.csv', '.txt', '.tsv', '.xlsx', '.zip', '.gz'])
/** A UnionPay ZM or ZME file keeps the name the gateway gave it, which has no extension. */
const UNIONPAY_BILL_NAME = /^INN\d{8}ZME?_[0-9A-Za-z]{1,32}$/
/** The largest file uploaded (the HTTP body limit allows its base64); a bigger one: `paysync import`. */
export const UPLOAD_MAX_BYTES = 64 * 1024 * 1024
/** Every upload together: the disk is not filled through the page. */
export const UPLOADS_MAX_TOTAL_BYTES = 512 * 1024 * 1024

const MB = 1024 * 1024

/** The file's own name, without anything that could reach out of its folder or upset a terminal. */
function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = path.basename(name).replace(/[\u0000-\u001f\u007f]/g, '_')
  return clean === '.' || clean === '..' ? '_' : clean
}

/** Uploads nobody holds any more: left by an earlier run, or expired while main was busy. */
export function sweepUploads(ctx: UploadHost): void {
  ctx.handles.sweep()
  const dir = ctx.filesDir('uploads', false)
  const old = ctx.now() - HANDLE_TTL_MS
  for (const e of folderEntries(dir))
    if (!ctx.handles.holds(e.name) && e.mtimeMs < old) removeEntry(dir, e.name)
}

export function saveUpload(ctx: UploadHost, name: string, contentBase64: string): UploadResult {
  const ext = path.extname(name).toLowerCase()
  if (!ALLOWED.has(ext) && !UNIONPAY_BILL_NAME.test(path.basename(name)))
    throw AppError.say('invalid_input', 'upload.type', { ext: ext || '?' })
  const bytes = Buffer.from(contentBase64, 'base64')
  if (bytes.length === 0) throw AppError.say('invalid_input', 'upload.empty', { name })
  if (bytes.length > UPLOAD_MAX_BYTES)
    throw AppError.say('invalid_input', 'file.tooLarge', {
      name,
      size: Math.ceil(bytes.length / MB),
      max: UPLOAD_MAX_BYTES / MB,
    })
  sweepUploads(ctx)
  const dir = ctx.filesDir('uploads')
  const used = folderEntries(dir).reduce((sum, e) => sum + e.bytes, 0)
  if (used + bytes.length > UPLOADS_MAX_TOTAL_BYTES)
    throw AppError.say('busy', 'upload.full', { max: UPLOADS_MAX_TOTAL_BYTES / MB })
  const id = crypto.randomBytes(16).toString('base64url')
  const folder = path.join(dir, id)
  fs.mkdirSync(folder, { mode: 0o700 })
  const file = path.join(folder, safeName(name))
  try {
    fs.writeFileSync(file, bytes, { mode: 0o600, flag: 'wx' })
  } catch (err) {
    removeEntry(dir, id)
    throw err
  }
  return ctx.handles.uploaded(id, file, {
    within: dir,
    maxBytes: UPLOAD_MAX_BYTES,
    onRelease: () => removeEntry(dir, id),
  })
}
