import type { z } from 'zod'
import type { ImportPreview } from '../../shared/contract'
import type { ImportSummary } from '../../shared/import-report'
import type { importPreviewSchema, importRunSchema } from '../../shared/inputs'
import type { ServiceContext } from './context'
import { importAndSync, previewImport, type BatchStart } from './imports'

// imports.preview and imports.run as the page asks them: by the handle of a file the person chose
// or uploaded (services/file-handles.ts), checked before a byte is read. Once imported, the file is
// let go: an upload is deleted, a handle reaches nothing any more.

export async function previewChosen(
  ctx: ServiceContext,
  req: z.output<typeof importPreviewSchema>,
): Promise<ImportPreview> {
  return previewImport(ctx, { ...req, file: await ctx.handles.readable(req.file) })
}

export async function importChosen(
  ctx: ServiceContext,
  req: z.output<typeof importRunSchema>,
  start: BatchStart = 'background',
  extras: { rejectedOut?: string } = {},
): Promise<ImportSummary> {
  const summary = await importAndSync(
    ctx,
    { ...req, file: await ctx.handles.readable(req.file) },
    start,
    extras,
  )
  ctx.handles.release(req.file)
  return summary
}
