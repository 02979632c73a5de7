import crypto from 'node:crypto'
import fs from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { z } from 'zod'
import type { ExportResult } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { statementOriginalSchema } from '../../../shared/statement-inputs'
import { createBeside } from '../../files/export/atomic-file'
import type { Exec } from '../../store/sql/exec'
import { statementByIdOn, type StatementRow } from '../../store/statements'
import type { ServiceContext } from '../context'
import { exportTarget, type TargetHost } from '../export-target'
import { copyHere, keptBill } from './kept-bill'

// 下载原始文件 (docs/reconcile.md A15.1): the bill file a statement keeps, byte for byte as the gateway
// sent it or the person uploaded it, where exports go (the save dialog's handle in the window, a
// download in browser mode), written the way an export is. Written once for the desktop's file and a
// team database (docs/team-mode.md B8.21): the bill is the bytes the books kept (a team database keeps
// each run's; the file, only an archive's), else this computer's copy where the statement names it.

/** What 下载原始文件 needs of the books: where it reads, and where it writes. */
export interface OriginalBooks {
  exec: Exec
  target: TargetHost
}

/**
 * The bill's bytes: those the books kept, the team's own, else this computer's copy (a statement
 * reconciled on the file, or on a team database before it kept bills).
 */
async function billOf(x: Exec, st: StatementRow): Promise<Readable | null> {
  const kept = await keptBill(x, st)
  if (kept) return Readable.from([kept.bytes])
  const here = copyHere(st)
  return here ? fs.createReadStream(here) : null
}

export async function statementOriginalOn(
  books: OriginalBooks,
  r: z.output<typeof statementOriginalSchema>,
): Promise<ExportResult> {
  const st = await statementByIdOn.async(books.exec, r.id)
  if (!st) throw AppError.say('not_found', 'statement.notFound', { id: r.id })
  const source = st.file_name ? await billOf(books.exec, st) : null
  if (!source) throw AppError.say('not_found', 'statement.noOriginal', { id: st.id })
  const target = exportTarget(books.target, r.file, st.file_name!)
  const pending = createBeside(target.file, { replace: target.replace })
  const hash = crypto.createHash('sha256')
  let bytes = 0
  try {
    source.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      hash.update(chunk)
    })
    await pipeline(source, pending.stream, { end: false })
    // Not the statement's file (a copy changed on this computer since): nothing is handed over.
    if (st.file_sha256 && hash.digest('hex') !== st.file_sha256)
      throw AppError.say('not_found', 'statement.noOriginal', { id: st.id })
    await pending.commit()
  } catch (err) {
    await pending.discard()
    target.failed()
    throw err
  }
  return { ...target.done(), rows: 0, bytes }
}

/** The desktop's file. */
export function statementOriginal(
  ctx: ServiceContext,
  r: z.output<typeof statementOriginalSchema>,
): Promise<ExportResult> {
  return statementOriginalOn({ exec: ctx.exec, target: ctx }, r)
}
