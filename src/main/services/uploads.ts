import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import type { ServiceContext } from './context'

// Browser mode has no path to a file the person picked: the page sends the bytes, they are kept in
// the uploads folder beside the database under a name nobody can guess, and that path is imported.

const ALLOWED = new Set(['.csv', '.txt', '.tsv', '.xlsx'])

export function saveUpload(ctx: ServiceContext, name: string, contentBase64: string): { file: string } {
  const ext = path.extname(name).toLowerCase()
  if (!ALLOWED.has(ext)) throw AppError.say('invalid_input', 'upload.type', { ext: ext || '?' })
  const bytes = Buffer.from(contentBase64, 'base64')
  if (bytes.length === 0) throw AppError.say('invalid_input', 'upload.empty', { name })
  const file = path.join(
    ctx.filesDir('uploads'),
    `${crypto.randomBytes(6).toString('hex')}-${path.basename(name)}`,
  )
  fs.writeFileSync(file, bytes, { mode: 0o600 })
  return { file }
}
