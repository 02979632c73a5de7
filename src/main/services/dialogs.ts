import fs from 'node:fs'
import type { z } from 'zod'
import type { PickResult } from '../../shared/contract'
import type { pickOpenSchema, pickSaveSchema } from '../../shared/inputs'
import type { NativeDialogs } from './context-options'
import type { FileHandles } from './file-handles'

// The desktop app's native open and save dialogs. The page gets a handle for the file the person
// chose, and its name to show, never the path (services/file-handles.ts). Browser mode has no
// dialog: it answers `supported: false` and the page uploads or downloads instead. The same on the
// desktop's file and on a team database: the files chosen are this computer's either way.

/** What a dialog needs of its host: the dialogs (the desktop app's only) and where handles are kept. */
export interface DialogHost {
  dialogs: NativeDialogs | undefined
  handles: FileHandles
}

export async function pickOpen(ctx: DialogHost, o: z.output<typeof pickOpenSchema>): Promise<PickResult> {
  const dialogs = ctx.dialogs
  if (!dialogs) return { supported: false, file: null, name: null }
  const file = await dialogs.open(o)
  return file
    ? { supported: true, ...(await ctx.handles.pickedToRead(file)) }
    : { supported: true, file, name: null }
}

export async function pickSave(ctx: DialogHost, o: z.output<typeof pickSaveSchema>): Promise<PickResult> {
  const dialogs = ctx.dialogs
  if (!dialogs) return { supported: false, file: null, name: null }
  const file = await dialogs.save(o)
  if (!file) return { supported: true, file: null, name: null }
  // The dialog asked before replacing a file that was there (app/dialogs.ts): only then may it go.
  const existed = fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined
  return { supported: true, ...ctx.handles.toWrite(file, { replace: existed, source: 'dialog' }) }
}
