import fs from 'node:fs'
import { pipeline } from 'node:stream/promises'
import type { z } from 'zod'
import type { ExportResult } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { statementOriginalSchema } from '../../../shared/statement-inputs'
import { createBeside } from '../../files/export/atomic-file'
import type { ServiceContext } from '../context'
import { exportTarget } from '../export-target'
import { statementRow } from './common'

// 下载原始文件 (docs/reconcile.md A15.1): the bill file a statement keeps under the data folder, byte for
// byte as the gateway sent it or the person uploaded it, where exports go (the save dialog's handle in
// the window, a download in browser mode), written the way an export is.

export async function statementOriginal(
  ctx: ServiceContext,
  r: z.output<typeof statementOriginalSchema>,
): Promise<ExportResult> {
  const st = statementRow(ctx, r.id)
  if (!st.file_path || !st.file_name || !fs.existsSync(st.file_path))
    throw AppError.say('not_found', 'statement.noOriginal', { id: st.id })
  const target = exportTarget(ctx, r.file, st.file_name)
  const pending = createBeside(target.file, { replace: target.replace })
  let bytes = 0
  try {
    const source = fs.createReadStream(st.file_path)
    source.on('data', (chunk) => (bytes += chunk.length))
    await pipeline(source, pending.stream, { end: false })
    await pending.commit()
  } catch (err) {
    await pending.discard()
    target.failed()
    throw err
  }
  return { ...target.done(), rows: 0, bytes }
}
