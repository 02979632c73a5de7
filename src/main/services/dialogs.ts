import type { z } from 'zod'
import type { PickResult } from '../../shared/contract'
import type { pickOpenSchema, pickSaveSchema } from '../../shared/inputs'
import type { ServiceContext } from './context'

// The desktop app's native open and save dialogs. Browser mode has none: it answers `supported:
// false` and the page uploads or downloads instead.

export async function pickOpen(ctx: ServiceContext, o: z.output<typeof pickOpenSchema>): Promise<PickResult> {
  const dialogs = ctx.options.dialogs
  return dialogs ? { supported: true, file: await dialogs.open(o) } : { supported: false, file: null }
}

export async function pickSave(ctx: ServiceContext, o: z.output<typeof pickSaveSchema>): Promise<PickResult> {
  const dialogs = ctx.options.dialogs
  return dialogs ? { supported: true, file: await dialogs.save(o) } : { supported: false, file: null }
}
